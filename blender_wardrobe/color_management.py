"""Colours between Blender and the engine: the engine speaks sRGB (like a hex colour), Blender's colour
properties are in the blend file's working space (Linear Rec.709, Rec.2020 or ACEScg in Blender 5),
so single colours go through Blender's own colour management (``mathutils.Color``). Pixel arrays use
the engine's one colour module.
"""

import mathutils
import numpy as np

from .engine import color


def to_srgb(scene_linear) -> tuple[float, float, float]:
    """A colour property's value (scene-linear, working space) -> sRGB 0..1 for the engine."""
    c = mathutils.Color(tuple(float(v) for v in scene_linear[:3])).from_scene_linear_to_srgb()
    return tuple(min(1.0, max(0.0, float(v))) for v in c)


def from_srgb(srgb) -> tuple[float, float, float]:
    """sRGB 0..1 (or '#rrggbb') -> the value to put in a colour property (scene-linear, working space)."""
    c = mathutils.Color(color.parse_color(srgb)).from_srgb_to_scene_linear()
    return tuple(float(v) for v in c)


def pixels_to_srgb(rgb: np.ndarray) -> np.ndarray:
    """Linear float pixels (a float image's buffer) -> sRGB 0..1."""
    return np.clip(color.linear_to_srgb(rgb), 0, 1).astype(np.float32)


def srgb_to_pixels(rgb: np.ndarray) -> np.ndarray:
    """sRGB 0..1 -> linear float pixels (what float preview buffers hold)."""
    return color.srgb_to_linear(rgb).astype(np.float32)
