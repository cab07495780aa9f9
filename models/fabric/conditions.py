"""The fabric style vector: what the generator is conditioned on, shared by training and the engine card.

style = [one-hot kind (13), requested colour in CIE Lab / 100, log2(threads per cm / 12), roughness]
The pixel scale is fixed: PX_PER_CM pixels per centimetre, so threads per cm sets the weave
frequency in pixels and the add-on maps the tile to the mesh at its physical size.
"""

from __future__ import annotations

import numpy as np

from inference import fabric as fabric_engine
from models.fabric.synth import BASE_ROUGHNESS, KINDS

PX_PER_CM = 32
STYLE_DIM = fabric_engine.style_size(KINDS)
SCALE_RANGE = (6.0, 40.0)  # threads (or stitches) per cm the model is trained on


def style_vector(kind: str, color_srgb, threads_per_cm: float, roughness: float | None = None) -> np.ndarray:
    """The engine's layout (inference.fabric.style_vector) with this vocabulary: one definition for both."""
    if kind not in KINDS:
        raise ValueError(f"unknown fabric kind '{kind}': choose one of {', '.join(KINDS)}")
    rough = BASE_ROUGHNESS[kind] if roughness is None else roughness
    return fabric_engine.style_vector(KINDS, kind, tuple(float(c) for c in color_srgb), threads_per_cm, rough)


def periodic_channels(n: int, size: int, threads_per_cm: float) -> tuple[np.ndarray, int]:
    """(n, 8, size, size) thread- and draft-phase channels with a whole number of drafts per tile (tileable).

    Returns the channels and the thread count actually used (rounded so the tile repeats exactly).
    The engine's definition (inference.fabric.periodic_channels_for), so training and inference agree.
    """
    threads = fabric_engine.thread_count(threads_per_cm, size, PX_PER_CM)
    ch = fabric_engine.periodic_channels_for(size, threads_per_cm, PX_PER_CM)
    return np.repeat(ch[None], n, 0), threads
