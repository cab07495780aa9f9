"""Checks that the add-on's run-time dependencies are importable, with a message naming the fix."""

import importlib.util

from .engine import runtime

REQUIRED = ("onnxruntime", "numpy")


def missing() -> list[str]:
    """Top-level modules the engine needs that cannot be found (cheap: no import is attempted)."""
    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def problem() -> str:
    """Empty when everything is importable, else one sentence naming what is missing and the fix."""
    gone = missing()
    if not gone:
        return ""
    return f"Blender Wardrobe cannot generate: {', '.join(gone)} not importable. {runtime.INSTALL_HINT}"
