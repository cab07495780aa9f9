"""Checks of the files a batch spec names, made by loading them as the render will (bpy side).

`spec.load` stays pure Python; these are handed to it so that `--dry-run` refuses a swatch that is
not an image or a .blend that does not open, before anything renders.
"""

from __future__ import annotations

from pathlib import Path

import bpy

from ..engine import fabric
from ..operators.variations import read_swatch


def swatch_problem(path: Path) -> str | None:
    try:
        read_swatch(str(path))
    except fabric.FabricInputError as exc:
        return str(exc)
    return None


def blend_problem(path: Path) -> str | None:
    """Reads the file's block index without touching the open scene."""
    try:
        with bpy.data.libraries.load(str(path)) as (src, _dst):
            if not src.scenes:
                return "it has no scene"
    except (OSError, RuntimeError) as exc:
        return str(exc).strip() or "not a .blend file"
    return None
