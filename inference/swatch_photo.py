"""A swatch photo made ready to read: checked, brought to analysis scale, uneven lighting taken out.

    photo = prepare(rgb, width_cm=4.0)        # rgb: (H, W, 3) sRGB, uint8/uint16 or float 0..1
    photo.rgb, photo.lum, photo.scale, photo.width_cm

Photos are taken under a lamp or a window: a smooth brightness gradient across the swatch that is not
in the fabric. It is divided out (in linear light, from a heavily smoothed luminance) before anything is
measured, so the palette is the yarns' colour and the spectrum the threads'. Decoding files is the
caller's job (Blender or Pillow): the engine takes pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import color as colour
from .errors import EngineError

MIN_SIDE = 64  # fewer pixels cannot show a few repeats of a weave
ANALYSIS_SIDE = 1024  # larger photos are box-downsampled by a whole factor to at most this short side
SHADING_GRID = 16  # lighting is estimated on up to this many blocks across ...
SHADING_BLOCK = 64  # ... of at least this many pixels (far coarser than any weave or stripe repeat)


class SwatchError(EngineError, ValueError):
    """A swatch that cannot be read; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class SwatchPhoto:
    linear: np.ndarray  # (H, W, 3) float32 linear RGB 0..1, lighting evened out, at analysis scale
    lum: np.ndarray  # (H, W) float32 linear luminance
    scale: int  # photo pixels per analysis pixel
    width_cm: float | None  # physical width of the analysis image, when the user gave the photo's
    roughness: np.ndarray | None  # (H, W) 0..1 roughness map at analysis scale, when given
    shading: float  # how much the lighting varied (max/min of the smoothed luminance), 1 = even

    @property
    def rgb(self) -> np.ndarray:
        """The evened-out photo in sRGB."""
        return colour.linear_to_srgb_image(self.linear)

    @property
    def width_px(self) -> int:
        return self.linear.shape[1]

    def square(self, a: np.ndarray) -> np.ndarray:
        """The central square of an analysis-scale map (what the spectra are taken over)."""
        h, w = a.shape[:2]
        n = min(h, w)
        return a[(h - n) // 2:(h - n) // 2 + n, (w - n) // 2:(w - n) // 2 + n]


def as_unit_float(img, what: str = "swatch") -> np.ndarray:
    """(H, W, C) pixels as float32 0..1, from uint8, uint16 or float data."""
    a = np.asarray(img)
    if a.dtype == np.uint8:
        return a.astype(np.float32) / 255
    if a.dtype == np.uint16:
        return a.astype(np.float32) / 65535
    if not np.issubdtype(a.dtype, np.number):
        raise SwatchError(f"the {what} is not an image (pixels of type {a.dtype}): use a PNG or JPEG photo")
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise SwatchError(f"the {what} has NaN or infinite pixels: save it again as an 8-bit PNG or JPEG")
    return a / 255 if a.max() > 1.5 else a


def _box_down(a: np.ndarray, f: int) -> np.ndarray:
    h, w = (a.shape[0] // f) * f, (a.shape[1] // f) * f
    a = a[:h, :w]
    return a.reshape(h // f, f, w // f, f, *a.shape[2:]).mean((1, 3))


def _smooth_lighting(lum: np.ndarray) -> np.ndarray:
    """Lighting as a smooth field: block means of log luminance, blurred, bilinearly spread to every pixel."""
    h, w = lum.shape
    by = max(h // SHADING_GRID, min(SHADING_BLOCK, h // 2))
    bx = max(w // SHADING_GRID, min(SHADING_BLOCK, w // 2))
    ny, nx = h // by, w // bx
    blocks = np.log(lum[:ny * by, :nx * bx].reshape(ny, by, nx, bx).mean((1, 3)) + 1e-4)
    k = np.array([1, 4, 6, 4, 1], np.float64) / 16  # binomial blur, edges reflected (a photo is not periodic)
    for axis in (0, 1):
        p = np.pad(blocks, [(2, 2) if a == axis else (0, 0) for a in (0, 1)], mode="reflect")
        blocks = sum(k[i] * np.take(p, np.arange(i, i + blocks.shape[axis]), axis=axis) for i in range(5))
    yc = (np.arange(h) + 0.5) / by - 0.5
    xc = (np.arange(w) + 0.5) / bx - 0.5
    y0 = np.clip(np.floor(yc).astype(int), 0, ny - 1)
    x0 = np.clip(np.floor(xc).astype(int), 0, nx - 1)
    y1, x1 = np.minimum(y0 + 1, ny - 1), np.minimum(x0 + 1, nx - 1)
    ty = np.clip(yc - y0, 0, 1)[:, None]
    tx = np.clip(xc - x0, 0, 1)[None, :]
    top = blocks[y0][:, x0] * (1 - tx) + blocks[y0][:, x1] * tx
    bottom = blocks[y1][:, x0] * (1 - tx) + blocks[y1][:, x1] * tx
    return np.exp(top * (1 - ty) + bottom * ty)


def prepare(image, width_cm: float | None = None, roughness=None) -> SwatchPhoto:
    """Check a photo (H, W, 3|4) and make it ready to read. ``width_cm``: the photo's physical width, if known
    (then thread counts are per cm; otherwise per tile of the fabric kind's typical density).
    ``roughness``: an optional roughness map (H, W[, C]) of the same swatch."""
    a = np.asarray(image)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, 2)
    if a.ndim != 3 or a.shape[2] not in (1, 3, 4):
        raise SwatchError(f"the swatch must be an RGB image, not an array of shape {a.shape}: use a PNG or JPEG photo")
    if a.shape[2] == 1:
        a = np.repeat(a, 3, 2)
    h, w = a.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise SwatchError(f"the swatch is {w} x {h} px: a photo needs at least {MIN_SIDE} x {MIN_SIDE} px to show a "
                          "few repeats of the weave; photograph the fabric closer or at a higher resolution")
    rgb = as_unit_float(a[..., :3])
    if width_cm is not None and not (isinstance(width_cm, int | float) and np.isfinite(width_cm) and width_cm > 0):
        raise SwatchError(f"the swatch width {width_cm!r} cm must be a positive number (leave it empty if unknown)")
    f = max(1, -(-min(h, w) // ANALYSIS_SIDE))
    if f > 1:
        rgb = _box_down(rgb, f)
    if float(np.ptp(rgb)) < 1e-3:
        raise SwatchError("the swatch is a single flat colour: it shows no fabric to read. Use a photo of the fabric")
    lin = colour.srgb_to_linear_image(rgb)
    lum = lin @ colour.LUMA
    light = _smooth_lighting(lum)
    gain = (np.exp(np.log(light).mean()) / light).astype(np.float32)
    lin = lin * gain[..., None]
    rough = None
    if roughness is not None:
        r = as_unit_float(roughness, "roughness map")
        r = r.mean(2) if r.ndim == 3 else r
        if r.shape[:2] != (h, w):
            raise SwatchError(f"the roughness map is {r.shape[1]} x {r.shape[0]} px but the photo {w} x {h}: give "
                              "the roughness map of the same swatch")
        rough = _box_down(r, f) if f > 1 else r
    lin = np.clip(lin, 0, 1)
    return SwatchPhoto(
        linear=lin, lum=lin @ colour.LUMA, scale=f,
        width_cm=None if width_cm is None else float(width_cm) * rgb.shape[1] * f / w, roughness=rough,
        shading=float(light.max() / max(light.min(), 1e-6)))
