"""Checks that the add-on's run-time dependencies are importable, with a message naming the fix."""

import importlib.util

from .engine import runtime

REQUIRED = ("onnxruntime", "numpy")


def _findable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a broken or half-removed installation counts as missing
        return False


def missing() -> list[str]:
    """Top-level modules the engine needs that cannot be found (cheap: no import is attempted)."""
    return [name for name in REQUIRED if not _findable(name)]


def problem() -> str:
    """Empty when everything is importable, else one sentence naming what is missing and the fix."""
    gone = missing()
    if not gone:
        return ""
    return f"Blender Wardrobe cannot generate: {', '.join(gone)} not importable. {runtime.INSTALL_HINT}"
