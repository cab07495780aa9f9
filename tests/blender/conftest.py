"""Blender tests: real bpy (one Blender per environment, see tools/run_tests.py), never torch in the process."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# Before bpy starts: a scratch user folder, so nothing lands in ~/.config and runs don't share state.
os.environ["BLENDER_USER_RESOURCES"] = tempfile.mkdtemp(prefix="wardrobe-bpy-")

# isort: off
import bpy  # noqa: E402  (must come first: it puts addon_utils on sys.path)
import addon_utils  # noqa: E402
# isort: on
from bpy_helpers import ADDON, ROOT  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _no_torch():
    yield
    assert "torch" not in sys.modules, "a Blender test imported torch"


@pytest.fixture
def addon():
    """The add-on enabled from this checkout (legacy path), in an empty scene; disabled afterwards."""
    bpy.ops.wm.read_homefile(use_empty=True)
    mod = addon_utils.enable(ADDON, default_set=True, handle_error=None)
    assert mod is not None, "add-on failed to enable"
    yield mod
    addon_utils.disable(ADDON, default_set=True, handle_error=None)


def _build_zip(out: Path, python: str) -> Path:
    cmd = [sys.executable, str(ROOT / "build_addon.py"), "--out-dir", str(out), "--platform", "linux-x64",
           "--python", python]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return Path(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def wheel_zip(tmp_path_factory) -> Path:
    """The CPU extension zip for this platform and this Blender's Python, built and validated by Blender's tools."""
    return _build_zip(tmp_path_factory.mktemp("dist"), f"{sys.version_info[0]}.{sys.version_info[1]}")


@pytest.fixture(scope="session")
def other_python_zip(tmp_path_factory) -> Path:
    """The zip for the Blenders that run the other Python (3.11 <-> 3.13)."""
    return _build_zip(tmp_path_factory.mktemp("dist"), "3.13" if sys.version_info[:2] == (3, 11) else "3.11")


_exit_status = {"code": 0}


def pytest_sessionfinish(session, exitstatus):
    _exit_status["code"] = int(exitstatus)


def pytest_unconfigure(config):
    # bpy < 4.4 can segfault at interpreter exit once an add-on property has an update callback
    # (blender#125376, fixed in 4.4): leave with pytest's own status once everything is reported.
    if bpy.app.version < (4, 4, 0):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status["code"])
