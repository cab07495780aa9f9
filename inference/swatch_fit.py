"""Refining a swatch reading by fitting the renderer to the photo's texture statistics.

    reading = refine(reading, render, crops)      # render(reading, size, seed) -> sRGB albedo tile

What the spectrum cannot tell is chosen by looking: the yarn character within the read family (cotton,
linen or dupioni yarn on a plain weave; satin or charmeuse floats), and for leather and pile, which have
no threads to count, the scale of their grain. Each candidate is rendered small (FIT_SIZE px, the
structure renderer + detail network + the photo's band statistics) and scored by the sliced Wasserstein
distance of its Laplacian-pyramid patches to the photo's (inference/texture_metrics.py); the best wins.
A few dozen evaluations at most, so reading stays interactive.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import texture_metrics as tm
from .fabric_kinds import PRESETS

FIT_SIZE = 128  # px of each candidate render (and of the photo crops it is compared with)
FIT_PATCHES = 512
KINDS_OF_FAMILY = {"plain": ("cotton", "linen", "dupioni"), "twill": ("twill", "denim", "tweed"),
                   "basket": ("basket",), "satin": ("satin", "silk"), "knit": ("jersey", "rib"),
                   "cord": ("corduroy",), "pile": ("velvet",), "leather": ("leather",)}
GRAIN_PX = (3.0, 4.5, 6.0, 9.0, 13.5, 20.0, 30.0)  # leather / pile cell sizes tried (px)


def photo_crops(rgb: np.ndarray, n: int = 4, seed: int = 0) -> list[np.ndarray]:
    """``n`` FIT_SIZE crops of the (lighting-evened, analysis-scale) photo, spread over it."""
    h, w = rgb.shape[:2]
    s = min(FIT_SIZE, h, w)
    rng = np.random.default_rng(seed)
    return [rgb[y:y + s, x:x + s] for y, x in zip(rng.integers(0, h - s + 1, n), rng.integers(0, w - s + 1, n),
                                                  strict=True)]


def candidates(reading) -> list:
    """The readings tried: the kinds of its family (woven, knit), or grain scales (leather, pile)."""
    out = []
    if reading.family in ("pile", "leather"):
        for px in GRAIN_PX:
            out.append(replace(reading, px_per_thread=px, px_per_pick=px))
        return out
    for kind in KINDS_OF_FAMILY[reading.family]:
        rough = reading.roughness if reading.roughness_measured else PRESETS[kind].roughness
        out.append(replace(reading, kind=kind, roughness=rough))
    return out


def refine(reading, render, crops: list[np.ndarray]):
    """The candidate whose render is nearest the photo crops in texture statistics, with the scores in
    ``fit`` (kind or grain px -> SWD)."""
    tried = candidates(reading)
    if len(tried) == 1:
        return reading
    size = crops[0].shape[0] - crops[0].shape[0] % 4
    scores = []
    for cand in tried:
        tile = render(cand, size, 0)
        scores.append(tm.sliced_wasserstein([tile], crops, n_patches=FIT_PATCHES, n_proj=32))
    best = tried[int(np.argmin(scores))]
    key = (lambda c: f"{c.px_per_thread:g} px") if reading.family in ("pile", "leather") else (lambda c: c.kind)
    fit = {key(c): round(float(s), 4) for c, s in zip(tried, scores, strict=True)}
    return replace(best, fit=fit, notes=best.notes + (f"fitted to the photo's texture: {key(best)}",))
