"""Helpers for the Blender tests (importable from test modules, unlike conftest)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).resolve().parent / "scripts"
ADDON = "blender_wardrobe"


def run_script(name: str, *args: str, env: dict | None = None, timeout: int = 300):
    """Run tests/blender/scripts/<name> in a fresh Python (own Blender user folder); returns the process."""
    full_env = {**os.environ, "BLENDER_USER_RESOURCES": tempfile.mkdtemp(prefix="wardrobe-bpy-"), **(env or {})}
    full_env["PYTHONPATH"] = ""  # only what the script itself puts on sys.path
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args], capture_output=True, text=True, env=full_env, timeout=timeout
    )


SLIDERS = ("stature", "chest", "waist", "hips", "inseam", "weight")


def key_co(obj, name="Wardrobe Body") -> np.ndarray:
    """(V, 3) positions of one of the mesh's shape keys (the managed body key by default)."""
    key = obj.data.shape_keys.key_blocks[name]
    co = np.empty(len(obj.data.vertices) * 3, np.float32)
    key.points.foreach_get("co", co)
    return co.reshape(-1, 3)
