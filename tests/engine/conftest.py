import sys

import pytest


@pytest.fixture(autouse=True, scope="session")
def _pure_process():
    """Engine tests run in a process with neither bpy nor torch (the engine's own contract)."""
    yield
    assert not {"bpy", "torch"} & set(sys.modules), "engine tests imported bpy or torch"


@pytest.fixture(scope="session")
def fabric_model():
    from inference.fabric import FabricModel

    return FabricModel.load()
