"""The detail network's style vector, shared by training and the engine card.

style = [one-hot kind, roughness, log2(pixels per thread / 6)]: colour, weave and scale in centimetres
are in the structure channels (inference/fabric_structure.py), not here.
"""

from __future__ import annotations

import numpy as np

from inference import fabric as fabric_engine
from models.fabric.synth import BASE_ROUGHNESS, KINDS

STYLE_DIM = fabric_engine.style_size(KINDS)
SCALE_RANGE = (2.0, 80.0)  # threads (or stitches) per cm a user may ask for


def style_vector(kind: str, px_per_thread: float, roughness: float | None = None) -> np.ndarray:
    """The engine's layout (inference.fabric.style_vector) with this vocabulary: one definition for both."""
    if kind not in KINDS:
        raise ValueError(f"unknown fabric kind '{kind}': choose one of {', '.join(KINDS)}")
    rough = BASE_ROUGHNESS[kind] if roughness is None else roughness
    return fabric_engine.style_vector(KINDS, kind, rough, px_per_thread)
