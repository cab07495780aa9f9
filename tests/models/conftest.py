import sys

import pytest


@pytest.fixture(autouse=True, scope="session")
def _no_bpy():
    """Model code runs with torch; bpy must never be loaded in the same process."""
    yield
    assert "bpy" not in sys.modules, "a model test imported bpy"
