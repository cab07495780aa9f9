"""Fabric engine: a fabric request -> exactly tileable PBR maps at any size (structure + detail network).

    model = FabricModel.load()
    maps = model.generate("denim", "#2b4a6f", threads_per_cm=12, size=1024, seed=3)
    maps = model.generate("cotton", "#ffffff", draft="twill_2_2", warp="navy 0.4, white 0.4", weft="white")
    maps.albedo, maps.normal, maps.height, maps.roughness, maps.info

Three steps, one ONNX call per window: the exact structure (inference/fabric_structure.py: weave draft
or stitch, yarn colours in centimetres), the detail network (tone, height, roughness and normals from
structure + noise + style), then the yarn colours onto the tone (inference/yarn_shading.py: each yarn's
mean is its requested colour). Every window, the whole tile included, is rendered with the card's
margin of wrapped context (wider than the network's receptive field; the graph pads nothing itself),
so large sizes made window by window equal a single pass.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from . import onnx_model
from .errors import EngineError
from .fabric_structure import CHANNELS, Structure
from .swatch_detail import match_detail
from .swatch_fit import KINDS_OF_FAMILY, refine
from .swatch_photo import SwatchError, prepare
from .swatch_reader import SwatchReading, read_photo
from .yarn_shading import shade, yarn_gains

CARD = "fabric_model.json"
FORMAT = "fabric-structure-detail-2"  # cards of this engine's network interface
MAX_SIZE = 8192
MAX_DETAIL_PX = 12.0  # thread spacings the detail network was trained around (~4-8 px); coarser ones are enlarged


class FabricInputError(EngineError, ValueError):
    """A request the generator cannot fulfil; the message names the fix."""


@dataclass
class FabricMaps:
    albedo: np.ndarray  # (H, W, 3) float32 sRGB 0..1
    height: np.ndarray  # (H, W) float32 0..1
    roughness: np.ndarray  # (H, W) float32 0..1
    normal: np.ndarray  # (H, W, 3) float32 OpenGL, components in -1..1
    info: dict = field(default_factory=dict)
    yarn: np.ndarray | None = None  # (H, W[, S]) palette index of the visible yarn (info["palette"])


def style_vector(kinds, kind: str, roughness: float, px_per_thread: float) -> np.ndarray:
    """The detail network's condition: one-hot kind, roughness, log2(pixels per thread / 6).

    The single definition of the layout, used by training (models/fabric/conditions.py) and the engine.
    Colour and weave are not in it: they are in the structure channels.
    """
    v = np.zeros(len(kinds) + 2, np.float32)
    v[list(kinds).index(kind)] = 1
    v[-2] = roughness
    v[-1] = np.log2(px_per_thread / 6.0)
    return v


def style_size(kinds) -> int:
    """Length of a style vector for this vocabulary of kinds."""
    return len(kinds) + 2


def kind_of(kinds, style) -> str:
    """The kind a style vector (e.g. an encoded swatch) stands for: its strongest kind entry."""
    return kinds[int(np.argmax(np.asarray(style)[:len(kinds)]))]


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


def check_swatch(photo, width_cm: float | None = None) -> None:
    """Raise FabricInputError naming what is wrong with a swatch photo (H, W, 3 sRGB pixels) before any model is
    opened: not an image, too small, one flat colour, NaN pixels, a bad width."""
    try:
        prepare(photo, width_cm)
    except SwatchError as exc:
        raise FabricInputError(str(exc)) from exc


def _whole(card: dict, key: str) -> int:
    value = card[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < 1:
        raise ValueError(f"'{key}' must be a whole number >= 1, found {value!r}")
    return int(value)


def _enlarge_periodic(a: np.ndarray, k: int) -> np.ndarray:
    """(H, W[, C]) -> (kH, kW[, C]) by bilinear interpolation with wrap-around (a tile stays a tile)."""
    h, w = a.shape[:2]
    t = (np.arange(k) + 0.5) / k - 0.5  # sample offsets inside one source pixel
    y = (np.arange(h)[:, None] + t[None]).ravel()
    x = (np.arange(w)[:, None] + t[None]).ravel()
    y0, x0 = np.floor(y).astype(int), np.floor(x).astype(int)
    fy, fx = (y - y0).astype(np.float32), (x - x0).astype(np.float32)
    if a.ndim == 3:
        fy, fx = fy[:, None, None], fx[None, :, None]
    else:
        fy, fx = fy[:, None], fx[None, :]
    rows0, rows1 = a[y0 % h], a[(y0 + 1) % h]
    top = rows0[:, x0 % w] * (1 - fx) + rows0[:, (x0 + 1) % w] * fx
    bottom = rows1[:, x0 % w] * (1 - fx) + rows1[:, (x0 + 1) % w] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def enlarge(maps: FabricMaps, k: int, seconds: float) -> FabricMaps:
    """Maps ``k`` times larger (coarse threads): values interpolated, normals renormalised, yarn ids repeated."""
    normal = _enlarge_periodic(maps.normal, k)
    normal /= np.maximum(np.linalg.norm(normal, axis=2, keepdims=True), 1e-6)
    yarn = None if maps.yarn is None else np.repeat(np.repeat(maps.yarn, k, 0), k, 1)
    info = dict(maps.info, size=maps.info["size"] * k, px_per_thread=round(maps.info["px_per_thread"] * k, 3),
                enlarged=k, seconds=round(seconds, 4))
    return FabricMaps(_enlarge_periodic(maps.albedo, k), _enlarge_periodic(maps.height, k),
                      _enlarge_periodic(maps.roughness, k), normal, info, yarn)


class FabricModel:
    def __init__(self, card: dict, folder, provider: str = "AUTO", threads: int = 0):
        self.card, self.folder = card, folder
        self.provider, self.threads = provider, threads
        try:
            if card.get("format") != FORMAT or list(card["structure_channels"]) != list(CHANNELS):
                raise onnx_model.ModelError(
                    f"{folder}/{CARD} is for another fabric engine (format {card.get('format', 'v1')!r}, this add-on "
                    f"reads {FORMAT!r}): reinstall the add-on or re-export with python -m models.fabric.export")
            self.kinds = tuple(card["style"]["kinds"])
            self.stride, self.noise_ch = _whole(card, "stride"), _whole(card, "noise_channels")
            self.margin = _whole(card, "margin")
            self.tpc_range = tuple(float(v) for v in card["style"]["threads_per_cm_range"])
            self.default_roughness = {k: float(card["style"]["default_roughness"][k]) for k in self.kinds}
            card["files"]["generator"]  # noqa: B018 (must exist)
        except (KeyError, TypeError, ValueError) as exc:
            raise onnx_model.ModelError(f"{folder}/{CARD} is not a valid fabric model card ({type(exc).__name__}: "
                                        f"{exc}): reinstall the add-on or re-export the model with "
                                        "python -m models.fabric.export") from exc
        self._gen = None

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

    # -- requests -----------------------------------------------------------------------------------
    def structure(self, kind: str, color, threads_per_cm: float | None = None, size: int = 1024, seed: int = 0,
                  draft=None, warp=None, weft=None, picks_per_cm: float | None = None,
                  px_per_thread: float | None = None) -> Structure:
        """The request's exact structure (checked: every bad input raises FabricInputError naming the fix)."""
        if kind not in self.kinds:
            raise FabricInputError(f"unknown fabric kind '{kind}': choose one of {', '.join(self.kinds)}")
        size = self.check_size(size)
        lo, hi = self.tpc_range
        for name, value in (("threads", threads_per_cm), ("picks", picks_per_cm)):
            ok = isinstance(value, int | float) and math.isfinite(value) and lo <= value <= hi
            if value is not None and not ok:
                raise FabricInputError(f"{value!r} {name} per cm is outside what this model makes "
                                       f"({lo:g}-{hi:g}): cotton shirting is ~14, denim ~12, silk ~36")
        extra = {} if px_per_thread is None else {"px_per_thread": float(px_per_thread)}
        try:
            return Structure.build(kind, color, threads_per_cm, size, seed, draft, warp, weft,
                                   picks_per_cm=picks_per_cm, **extra)
        except (EngineError, ValueError) as exc:  # structure, draft, colour-sequence and colour errors
            raise FabricInputError(str(exc)) from exc

    def style(self, kind: str, roughness: float | None, px_per_thread: float) -> np.ndarray:
        if roughness is not None and not (math.isfinite(roughness) and 0 <= roughness <= 1):
            raise FabricInputError(f"roughness {roughness:g} must be within 0..1")
        rough = self.default_roughness[kind] if roughness is None else roughness
        return style_vector(self.kinds, kind, rough, px_per_thread)

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
    def generate(self, kind: str, color, threads_per_cm: float | None = None, size: int = 1024, seed: int = 0,
                 roughness: float | None = None, window: int | None = None, progress=None, draft=None, warp=None,
                 weft=None, picks_per_cm: float | None = None, px_per_thread: float | None = None) -> FabricMaps:
        """Tileable PBR maps. ``threads_per_cm`` None: the kind's typical density. ``draft`` (preset name, rows of
        '#'/'.', or a matrix), ``warp``/``weft`` (colour sequences in cm) replace the kind's own; ``picks_per_cm``
        is the weft's density where it differs; ``px_per_thread`` the ends' spacing in pixels (the tile's extent
        in cm follows: threads / threads_per_cm). ``progress(done, total)`` is called per window; it may raise to
        cancel."""
        t0 = time.perf_counter()
        k = self._coarse_factor(size, px_per_thread)
        if k > 1:  # threads coarser than the detail network has seen: made at its scale, enlarged exactly
            small = self.generate(kind, color, threads_per_cm, size // k, seed, roughness, window, progress, draft,
                                  warp, weft, picks_per_cm, px_per_thread / k)
            return enlarge(small, k, time.perf_counter() - t0)
        st = self.structure(kind, color, threads_per_cm, size, seed, draft, warp, weft, picks_per_cm, px_per_thread)
        size = st.size
        style = self.style(kind, roughness, st.px_per_thread)[None]
        tone = np.empty((size, size), np.float32)
        height = np.empty((size, size), np.float32)
        rough = np.empty((size, size), np.float32)
        normal = np.empty((size, size, 3), np.float32)
        yarn = np.empty((size, size) + ((st.supersample ** 2,) if st.supersample > 1 else ()), np.int16)
        if window is None:  # big maps in smaller windows: the network's activations stay small next to the maps
            window = 1024 if size <= 2048 else 512
        window = min(size, max(self.stride * 16, window - window % self.stride))
        starts = list(range(0, size, window))
        total, done = len(starts) ** 2, 0
        for y0 in starts:
            h = min(window, size - y0)
            m = self.margin
            band = noise_rows(seed, self.noise_ch, size, y0 - m, h + 2 * m)  # this row of windows' noise
            for x0 in starts:
                w = min(window, size - x0)
                ch, yw = st.render(y0 - m, x0 - m, h + 2 * m, w + 2 * m)
                xs = (x0 - m + np.arange(w + 2 * m)) % size
                nz = np.ascontiguousarray(band[:, :, xs])[None]
                out = self.generator.run(None, {"structure": ch[None], "noise": nz, "style": style})[0][0]
                out = out[:, m:m + h, m:m + w]  # the window; the margin ring is the graph's scratch
                tone[y0:y0 + h, x0:x0 + w] = out[0]
                height[y0:y0 + h, x0:x0 + w] = out[1]
                rough[y0:y0 + h, x0:x0 + w] = out[2]
                normal[y0:y0 + h, x0:x0 + w] = out[3:6].transpose(1, 2, 0)
                yarn[y0:y0 + h, x0:x0 + w] = yw[m:m + h, m:m + w]
                done += 1
                if progress is not None:
                    progress(done, total)
        albedo = shade(st.palette, tone, yarn, yarn_gains(tone, yarn, st.palette))
        info = {"kind": kind, "color": tuple(float(c) for c in st.palette_srgb[0]), "threads_per_cm": st.threads_per_cm,
                "picks_per_cm": round(st.picks_per_cm, 3), "tile_cm": st.tile_cm, "threads": st.threads,
                "picks": st.picks, "repeat": st.repeat,
                "px_per_thread": round(st.px_per_thread, 3),
                "supersample": st.supersample, "draft": st.draft.text() if st.draft is not None else None,
                "palette": [tuple(float(c) for c in p) for p in st.palette_srgb], "size": size, "seed": seed,
                "provider": self.generator.get_providers()[0], "seconds": round(time.perf_counter() - t0, 4),
                "windows": total}
        return FabricMaps(albedo, height, rough, normal, info, yarn)

    def _coarse_factor(self, size: int, px_per_thread: float | None) -> int:
        """Whole factor to make threads of ``px_per_thread`` at (<= MAX_DETAIL_PX), 1 when they already are."""
        if px_per_thread is None or not math.isfinite(px_per_thread) or px_per_thread <= MAX_DETAIL_PX:
            return 1
        k = int(math.ceil(px_per_thread / MAX_DETAIL_PX))
        while k > 1 and ((size // k) % self.stride or size % k or size // k < 4 * self.stride):
            k -= 1
        return k

    # -- swatches -----------------------------------------------------------------------------------
    def read_swatch(self, photo, width_cm: float | None = None, roughness=None, fit: bool = True) -> SwatchReading:
        """What a swatch photo (H, W, 3 sRGB pixels) is read as: kind, draft, yarn colours and sequences,
        densities and roughness, with their spread (inference/swatch_reader.py), then (``fit``) its yarn
        character or grain chosen by rendering candidates against the photo (inference/swatch_fit.py).
        FabricInputError names a photo that cannot be read."""
        try:
            reading = read_photo(photo, width_cm, roughness)
        except SwatchError as exc:
            raise FabricInputError(str(exc)) from exc
        if any(k not in self.kinds for k in (reading.kind, *KINDS_OF_FAMILY[reading.family])):
            raise FabricInputError(f"the swatch reads as {reading.family}, which this fabric model does not make: "
                                   "reinstall the add-on")
        if fit:
            reading = refine(reading, self._texture_of, list(reading.crops))
        lo, hi = self.tpc_range
        return replace(reading, threads_per_cm=float(np.clip(reading.threads_per_cm, lo, hi)),
                       picks_per_cm=float(np.clip(reading.picks_per_cm, lo, hi)))

    def _texture_of(self, reading: SwatchReading, size: int, seed: int) -> np.ndarray:
        """A small albedo of a reading as variations make it (structure, detail network, band statistics)."""
        maps = self.generate(size=size, seed=seed, **reading.request())
        if reading.detail is None:
            return maps.albedo
        return match_detail(maps.albedo, reading.detail, seed, reading.fibre_px)

    def variations(self, photo, n: int, size: int = 512, seed: int = 0, width_cm: float | None = None,
                   roughness=None, progress=None) -> list[FabricMaps]:
        """``n`` tileable variations of a swatch photo at the photo's pixel scale: the first is the reading's
        mean, the others draws from its posterior, each with its own seed."""
        return self.variations_of(self.read_swatch(photo, width_cm, roughness), n, size, seed, progress)

    def variations_of(self, reading: SwatchReading, n: int, size: int = 512, seed: int = 0,
                      progress=None) -> list[FabricMaps]:
        """``variations`` of a swatch already read."""
        rng = np.random.default_rng(seed)
        out = []
        for i in range(n):
            r = reading if i == 0 else reading.sample(rng)
            maps = self.generate(size=size, seed=seed + i, **r.request())
            if r.detail is not None:  # the photo's own contrast at each scale
                maps.albedo = match_detail(maps.albedo, r.detail, seed + i, r.fibre_px)
            maps.info["swatch"] = {"family": r.family, "draft": r.draft, "notes": list(r.notes)}
            out.append(maps)
            if progress is not None:
                progress(i + 1, n)
        return out
