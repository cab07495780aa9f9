"""Yarn colour onto a tone map: albedo = yarn colour x tone, with each yarn's mean exactly its colour.

The detail network (and the synthesiser) give a luminance tone per pixel (crevice shade, twist, slubs,
fibres); the yarn's colour comes from the structure's palette. Each yarn colour's tone is rescaled so
that the mean linear albedo over the pixels showing that yarn is the requested colour: the colour a
user picks is what the yarn looks like on average, whatever shading the detail adds.

Colour and sRGB encoding go through a lookup table per yarn (fast at 4096 px); where the structure was
supersampled (``yarn`` has a sub-sample axis), the sub-samples' colours are averaged (no moire).
"""

from __future__ import annotations

import numpy as np

from . import parallel
from .color import linear_to_srgb, linear_to_srgb_image

LUT_STEPS = 4096
LUT_MAX_TONE = 4.0


def _ceiling(palette: np.ndarray) -> np.ndarray:
    """The largest tone each yarn colour takes before its brightest channel reaches albedo 1."""
    return 1.0 / np.maximum(palette.max(1), 1e-6)


def yarn_gains(tone: np.ndarray, yarn: np.ndarray, palette: np.ndarray, rounds: int = 2) -> np.ndarray:
    """(K,) factors g with mean(min(tone * g[k], ceiling_k)) = 1 over the (sub-)samples showing yarn k, where
    ceiling_k is where the yarn's brightest channel clips at albedo 1 (a white yarn cannot be brighter)."""
    ids = yarn.reshape(tone.shape[0], tone.shape[1], -1)
    t = np.broadcast_to(tone[..., None], ids.shape).ravel()
    ids = ids.ravel()
    k = len(palette)
    count = np.bincount(ids, minlength=k).astype(np.float64)
    gains = count / np.maximum(np.bincount(ids, t, minlength=k), 1e-12)
    ceiling = _ceiling(palette)
    if float(t.max()) * float(gains.max()) <= float(ceiling.min()):
        rounds = 0  # no sample of any yarn reaches its ceiling: nothing clips, the first gains are exact
    for _ in range(rounds):  # re-aim where clipping took some of the mean away
        scaled = np.minimum(t * gains[ids].astype(np.float32), ceiling[ids].astype(np.float32))
        mean = np.bincount(ids, scaled, minlength=k) / np.maximum(count, 1)
        gains = gains / np.maximum(mean, 1e-6)
    return np.where(count > 0, gains, 1.0).astype(np.float32)


def shade(palette: np.ndarray, tone: np.ndarray, yarn: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """sRGB albedo (H, W, 3) float32 from linear ``palette`` (K, 3), ``tone`` (H, W) and yarn ids (H, W[, S])."""
    h, w = tone.shape
    if yarn.ndim == 3:  # supersampled: average the sub-samples' (gain-scaled) colours
        colours = (palette * gains[:, None]).astype(np.float32)
        lin = np.zeros((h, w, 3), np.float32)
        for s in range(yarn.shape[2]):
            lin += colours[yarn[:, :, s]]
        lin *= (tone * np.float32(1 / yarn.shape[2]))[..., None]
        lin /= np.maximum(lin.max(-1, keepdims=True), 1.0)  # clip brightness, not hue
        return linear_to_srgb_image(lin)
    k = len(palette)
    levels = np.linspace(0, LUT_MAX_TONE, LUT_STEPS, dtype=np.float64)
    lut = linear_to_srgb(np.clip(palette[:, None, :] * levels[None, :, None], 0, 1)).astype(np.float32)
    scale = np.float32((LUT_STEPS - 1) / LUT_MAX_TONE)
    # A yarn is at most as bright as its brightest channel allows (a white stays white, does not turn blue).
    cap = np.minimum(LUT_STEPS - 1, np.floor(_ceiling(palette) * scale)).astype(np.float32)
    flat = [np.ascontiguousarray(lut.reshape(k * LUT_STEPS, 3)[:, c]) for c in range(3)]
    out = np.empty((h, w, 3), np.float32)

    def rows(r0, r1):
        y = yarn[r0:r1]
        q = np.minimum(tone[r0:r1] * (gains[y] * scale) + 0.5, cap[y]).astype(np.int32)
        q += y.astype(np.int32) * LUT_STEPS
        for c in range(3):
            out[r0:r1, :, c] = flat[c][q]

    parallel.in_two_bands(rows, h, w)
    return out
