"""Fabric engine: style parameters -> exactly tileable PBR maps at any size, through the ONNX generator.

    model = FabricModel.load()
    maps = model.generate("denim", "#2b4a6f", threads_per_cm=12, size=1024, seed=3)
    maps.albedo, maps.normal, maps.height, maps.roughness, maps.info

Large sizes are generated in overlapping windows of the (periodic) noise field and stitched
exactly: every window is wider than the generator's receptive field, so the result equals a
single pass while memory stays bounded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import color as colour
from . import onnx_model
from .errors import EngineError

CARD = "fabric_model.json"
MAX_SIZE = 8192
MARGIN = 32  # px of context around each window (> the generator's receptive-field radius)


class FabricInputError(EngineError, ValueError):
    """A request the generator cannot fulfil; the message names the fix."""


@dataclass
class FabricMaps:
    albedo: np.ndarray  # (H, W, 3) float32 sRGB 0..1
    height: np.ndarray  # (H, W) float32 0..1
    roughness: np.ndarray  # (H, W) float32 0..1
    normal: np.ndarray  # (H, W, 3) float32 OpenGL, components in -1..1
    info: dict = field(default_factory=dict)


def style_vector(kinds, kind: str, color, threads_per_cm: float, roughness: float) -> np.ndarray:
    """The generator's condition: one-hot kind, colour in CIE Lab / 100, log2(threads per cm / 12), roughness.

    The single definition of the layout, used by training (models/fabric/conditions.py) and the engine.
    """
    v = np.zeros(len(kinds) + 5, np.float32)
    v[list(kinds).index(kind)] = 1
    v[len(kinds):len(kinds) + 3] = colour.srgb_to_lab(np.array(colour.parse_color(color))) / 100
    v[-2] = np.log2(threads_per_cm / 12.0)
    v[-1] = roughness
    return v


def style_size(kinds) -> int:
    """Length of a style vector for this vocabulary of kinds."""
    return len(kinds) + 5


def kind_of(kinds, style) -> str:
    """The kind a style vector (e.g. an encoded swatch) stands for: its strongest kind entry."""
    return kinds[int(np.argmax(np.asarray(style)[:len(kinds)]))]


def color_of(kinds, style) -> tuple[float, float, float]:
    """The sRGB colour a style vector carries (its Lab entries)."""
    return tuple(float(c) for c in colour.lab_to_srgb(np.asarray(style)[len(kinds):len(kinds) + 3] * 100))


def noise_rows(seed: int, channels: int, size: int, y0: int, rows: int) -> np.ndarray:
    """Rows y0..y0+rows (wrapping) of the seed's periodic noise field (channels, size, size), uniform, unit variance.

    Row y is a fixed stretch of a Philox stream keyed by the seed (counter-based: jump straight to it), so a
    window sees the same noise whichever window asks for it (exact stitching), memory stays at the
    window's rows, and the field is the same on every machine.
    """
    per_row = channels * size  # float32 draws per row; a multiple of 8 = whole Philox counters (size % 4 == 0)
    out = np.empty((rows, channels, size), np.float32)
    done = 0
    while done < rows:
        y = (y0 + done) % size
        n = min(rows - done, size - y)
        gen = np.random.Generator(np.random.Philox(key=int(seed) % 2**64).advance(y * per_row // 8))
        out[done:done + n] = gen.random(n * per_row, dtype=np.float32).reshape(n, channels, size)
        done += n
    out = out.transpose(1, 0, 2)
    return (out * np.float32(2 * 3 ** 0.5) - np.float32(3 ** 0.5)).astype(np.float32)


DRAFT_REPEAT = 8  # weave drafts repeat every 2, 4 or 8 threads: thread counts are multiples of 8


def thread_count(threads_per_cm: float, size: int, px_per_cm: float) -> int:
    """Threads across a ``size`` px tile: a multiple of DRAFT_REPEAT, so thread and draft both tile exactly."""
    return max(DRAFT_REPEAT, DRAFT_REPEAT * int(round(threads_per_cm * size / px_per_cm / DRAFT_REPEAT)))


def periodic_window(threads: int, size: int, y0: int, x0: int, hh: int, ww: int) -> np.ndarray:
    """(8, hh, ww) phase channels of a ``size`` tile with ``threads`` threads, from (y0, x0), wrapping:
    sin/cos of the thread phase and of the draft-repeat phase, across (x) and along (y)."""
    ty, tx = (np.arange(hh) + y0) % size + 0.5, (np.arange(ww) + x0) % size + 0.5
    out = np.empty((8, hh, ww), np.float32)
    for k, cycles in enumerate((threads, threads // DRAFT_REPEAT)):
        px, py = 2 * np.pi * cycles * tx / size, 2 * np.pi * cycles * ty / size
        # 1-D sin/cos (float64, as the training data), broadcast into the channels: no full-size float64 temps.
        out[4 * k + 0] = np.sin(px).astype(np.float32)[None, :]
        out[4 * k + 1] = np.cos(px).astype(np.float32)[None, :]
        out[4 * k + 2] = np.sin(py).astype(np.float32)[:, None]
        out[4 * k + 3] = np.cos(py).astype(np.float32)[:, None]
    return out


def periodic_channels_for(size: int, threads_per_cm: float, px_per_cm: float) -> np.ndarray:
    """The whole tile's phase channels, with the thread count rounded so the tile repeats exactly."""
    return periodic_window(thread_count(threads_per_cm, size, px_per_cm), size, 0, 0, size, size)


def height_to_normal(height: np.ndarray, strength: float, band: int = 256) -> np.ndarray:
    """OpenGL normals from height by the same fixed wrap-padded central difference as training.

    Computed in bands of rows so the temporaries stay small next to the (H, W, 3) result.
    """
    h, w = height.shape
    out = np.empty((h, w, 3), np.float32)
    half = np.float32(0.5 * strength)
    for y0 in range(0, h, band):
        y1 = min(h, y0 + band)
        rows = height[y0:y1]
        above = height[np.arange(y0 - 1, y1 - 1) % h]  # the row above each row (wrapping)
        below = height[np.arange(y0 + 1, y1 + 1) % h]
        n = out[y0:y1]
        n[..., 0] = (np.roll(rows, 1, 1) - np.roll(rows, -1, 1)) * half  # -dx
        n[..., 1] = (below - above) * half  # -dy (image rows run downwards)
        n[..., 2] = 1.0
        n /= np.sqrt((n * n).sum(-1, keepdims=True))
    return out


def _whole(card: dict, key: str) -> int:
    value = card[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < 1:
        raise ValueError(f"'{key}' must be a whole number >= 1, found {value!r}")
    return int(value)


class FabricModel:
    def __init__(self, card: dict, folder, provider: str = "AUTO", threads: int = 0):
        self.card, self.folder = card, folder
        self.provider, self.threads = provider, threads
        try:
            self.kinds = tuple(card["style"]["kinds"])
            self.px_per_cm = float(card["style"]["px_per_cm"])
            self.stride, self.noise_ch = _whole(card, "stride"), _whole(card, "noise_channels")
            card["style"]["threads_per_cm_range"], card["style"]["default_roughness"]  # noqa: B018 (must exist)
            card["files"]["generator"]
        except (KeyError, TypeError, ValueError) as exc:
            raise onnx_model.ModelError(f"{folder}/{CARD} is not a valid fabric model card ({type(exc).__name__}: "
                                        f"{exc}): reinstall the add-on or re-export the model with "
                                        "python -m models.fabric.export") from exc
        if int(card.get("noise_stride", 0)) != 1:
            raise onnx_model.ModelError(f"{folder}/{CARD} is from an older generator (noise at 1/"
                                        f"{card.get('noise_stride', card['stride'])} resolution): re-export it with "
                                        "python -m models.fabric.export")
        self._gen = self._enc = None

    @classmethod
    def load(cls, user_dir=None, provider: str = "AUTO", threads: int = 0) -> FabricModel:
        card, folder = onnx_model.load_card(CARD, user_dir)
        return cls(card, folder, provider, threads)

    @property
    def generator(self):
        if self._gen is None:
            self._gen = onnx_model.open_session(self.folder, self.card["files"]["generator"], self.provider,
                                                self.threads)
        return self._gen

    @property
    def encoder(self):
        if "encoder" not in self.card["files"]:
            raise onnx_model.ModelError("this fabric model has no swatch encoder: train and export one with "
                                        "python -m models.fabric.train_encoder --export <model folder>")
        if self._enc is None:
            self._enc = onnx_model.open_session(self.folder, self.card["files"]["encoder"], self.provider,
                                                self.threads)
        return self._enc

    # -- conditions ---------------------------------------------------------------------------------
    def style(self, kind: str, color, threads_per_cm: float, roughness: float | None) -> np.ndarray:
        if kind not in self.kinds:
            raise FabricInputError(f"unknown fabric kind '{kind}': choose one of {', '.join(self.kinds)}")
        lo, hi = self.card["style"]["threads_per_cm_range"]
        if not lo <= threads_per_cm <= hi:
            raise FabricInputError(f"scale {threads_per_cm:g} threads/cm is outside the trained range {lo:g}-{hi:g}")
        if roughness is not None and not 0 <= roughness <= 1:
            raise FabricInputError(f"roughness {roughness:g} must be within 0..1")
        try:
            rgb = colour.parse_color(color)
        except colour.ColorError as exc:
            raise FabricInputError(str(exc)) from exc
        default = self.card["style"]["default_roughness"][kind]
        return style_vector(self.kinds, kind, rgb, threads_per_cm, default if roughness is None else roughness)

    def check_size(self, size: int) -> int:
        size = int(size)
        if size < 4 * self.stride or size % self.stride:
            raise FabricInputError(f"size {size} must be a multiple of {self.stride} and at least {4 * self.stride} "
                                   f"(e.g. 512, 1024, 2048)")
        if size > MAX_SIZE:
            raise FabricInputError(f"size {size} is larger than {MAX_SIZE}: the maps would need "
                                   f"{size * size * 44 / 2**30:.1f} GiB; choose {MAX_SIZE} or less")
        return size

    # -- generation ---------------------------------------------------------------------------------
    def generate(self, kind: str, color, threads_per_cm: float = 12.0, size: int = 1024, seed: int = 0,
                 roughness: float | None = None, window: int = 1024, progress=None, style=None) -> FabricMaps:
        """Tileable PBR maps. ``progress(done, total)`` is called per window; it may raise to cancel."""
        size = self.check_size(size)
        t0 = time.perf_counter()
        if style is None:
            style = self.style(kind, color, threads_per_cm, roughness)
        threads = thread_count(threads_per_cm, size, self.px_per_cm)  # whole threads and drafts per tile
        albedo = np.empty((size, size, 3), np.float32)
        height = np.empty((size, size), np.float32)
        rough = np.empty((size, size), np.float32)
        window = min(size, max(self.stride * 16, window - window % self.stride))
        starts = list(range(0, size, window))
        total, done = len(starts) ** 2, 0
        for y0 in starts:
            h = min(window, size - y0)
            m = MARGIN if window < size else 0
            band = noise_rows(seed, self.noise_ch, size, y0 - m, h + 2 * m)  # this row of windows' noise
            for x0 in starts:
                w = min(window, size - x0)
                maps = self._window(band, style, threads, size, y0, x0, h, w, m)
                albedo[y0:y0 + h, x0:x0 + w] = maps[:3].transpose(1, 2, 0)
                height[y0:y0 + h, x0:x0 + w] = maps[3]
                rough[y0:y0 + h, x0:x0 + w] = maps[4]
                done += 1
                if progress is not None:
                    progress(done, total)
        strength = float(self.card.get("normal_strength", 4.0))
        info = {"kind": kind, "color": colour.parse_color(color) if kind else None, "threads_per_cm": threads / size *
                self.px_per_cm, "size": size, "seed": seed, "provider": self.generator.get_providers()[0],
                "seconds": round(time.perf_counter() - t0, 4), "windows": total}
        return FabricMaps(albedo, height, rough, height_to_normal(height, strength), info)

    def _window(self, band, style, threads, size, y0, x0, h, w, m):
        """Output rows y0..y0+h, cols x0..x0+w from ``band`` (the noise rows y0-m..y0+h+m, full width)."""
        hh, ww = h + 2 * m, w + 2 * m
        xs = (x0 - m + np.arange(ww)) % size
        nz = np.ascontiguousarray(band[:, :, xs] if m else band)[None]
        per = periodic_window(threads, size, y0 - m, x0 - m, hh, ww)[None]
        maps = self.generator.run(None, {"noise": nz, "periodic": per, "style": style[None]})[0][0]
        return maps[:, m:m + h, m:m + w]

    def encode_swatch(self, swatch: FabricMaps | np.ndarray) -> np.ndarray:
        """Style vector (mean of the encoder's posterior) of a swatch: PBR maps, or an sRGB photo (H, W, 3)."""
        if isinstance(swatch, FabricMaps):
            stack = np.concatenate([swatch.albedo.transpose(2, 0, 1), swatch.height[None], swatch.roughness[None]])
        else:
            img = np.asarray(swatch, np.float32)
            if img.ndim != 3 or img.shape[2] < 3 or min(img.shape[:2]) < 32:
                raise FabricInputError("the swatch must be an RGB image of at least 32 x 32 pixels")
            rgb = img[..., :3] / (255.0 if img.max() > 1.5 else 1.0)
            lum = rgb @ np.array([0.2126, 0.7152, 0.0722], np.float32)
            h = (lum - lum.min()) / max(float(np.ptp(lum)), 1e-6)  # photo: luminance as pseudo-height
            stack = np.concatenate([rgb.transpose(2, 0, 1), h[None], np.full_like(h, 0.8)[None]])
        mu, _ = self.encoder.run(None, {"maps": stack[None].astype(np.float32)})
        return mu[0]

    def variations(self, swatch, n: int, size: int = 512, seed: int = 0, threads_per_cm: float | None = None):
        """``n`` tileable variations of a swatch: its encoded style decoded with fresh noise."""
        style = self.encode_swatch(swatch)
        kind = kind_of(self.kinds, style)
        tpc = threads_per_cm or float(12.0 * 2 ** style[-2])
        lo, hi = self.card["style"]["threads_per_cm_range"]
        tpc = float(np.clip(tpc, lo, hi))
        color = color_of(self.kinds, style)
        return [self.generate(kind, color, tpc, size, seed + i, style=style) for i in range(n)]
