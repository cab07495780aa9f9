"""Shared test helpers: repository paths and the shared data root."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA_ROOT = Path(os.environ.get("WARDROBE_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def data_root() -> Path:
    if not (DATA_ROOT / "bodies").is_dir():
        pytest.skip(f"shared data not found at {DATA_ROOT} (set WARDROBE_DATA)")
    return DATA_ROOT
