"""The exact structure of a fabric tile, rendered per pixel: which yarn shows, where on it, in what colour.

    s = Structure.build("denim", "#2b4a6f", threads_per_cm=12, size=1024, seed=0)
    channels, yarn = s.render(0, 0, 1024, 1024)

Structure is computed, not learned: a weave draft (or knit stitch, corduroy wale, pile, leather grain)
is laid out at the fabric's density with a whole number of draft and colour repeats per tile, so the
tile is exactly periodic at any size, and any window of it can be rendered on its own (large maps are
made window by window). The detail network (inference/fabric.py) turns these channels into albedo,
height and roughness. Per-yarn randomness (tone, thickness, slubs) comes from the seed here, because it
must stay constant along a whole yarn, far beyond any convolution's reach.

A tile holds ``threads`` ends and ``picks`` picks (as many, unless the weft density differs); it is
``threads / threads_per_cm`` cm square. Threads
get about DEFAULT_PX_PER_THREAD pixels; where a repeat forces finer threads than MIN_PX_SHARP, the
structure is supersampled and box-filtered (no moire).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import color as colour
from . import parallel
from .errors import EngineError
from .fabric_kinds import CORD_WALE_THREADS, PRESETS, KindPreset, sequence
from .weave_draft import Draft, as_draft
from .yarn_colors import ColorSequence

CHANNELS = ("warp_on_top", "across", "along", "float_length", "base_height", "yarn_tone", "slub")
# ^ the detail network's structure input, in this order; the visible yarn's colour comes after the network
#   (inference/yarn_shading.py), from the palette index that render() returns next to the channels.
DEFAULT_PX_PER_THREAD = 6.0
MIN_PX_SHARP = 4.0  # below this a thread is supersampled
MIN_PX_PER_THREAD = 1.0  # below this the weave cannot be shown at all
MAX_SUPERSAMPLE = 4
SLUB_SAMPLES = 256  # along-yarn resolution of slub noise per tile length (slubs are centimetres long)
FIELD_SIZE = 64  # resolution of the periodic low-frequency field (pile crush, leather creases)
MAX_THREADS_PER_CM = 200.0


class StructureError(EngineError, ValueError):
    """A fabric structure that cannot be built; the message names the fix."""


def _smooth_periodic(rng, rows: int, n: int, cycles: float) -> np.ndarray:
    """(rows, n) periodic noise with about ``cycles`` bumps per period, unit std."""
    white = rng.standard_normal((rows, n))
    f = np.abs(np.fft.rfftfreq(n) * n)
    out = np.fft.irfft(np.fft.rfft(white, axis=1) / (1 + (f / max(cycles, 0.5)) ** 4), n, axis=1)
    return (out / (out.std() + 1e-12)).astype(np.float32)


def _field(rng, cycles: float) -> np.ndarray:
    """(FIELD_SIZE, FIELD_SIZE) periodic 2-D noise with about ``cycles`` bumps per tile, unit std."""
    white = rng.standard_normal((FIELD_SIZE, FIELD_SIZE))
    fy, fx = np.fft.fftfreq(FIELD_SIZE)[:, None] * FIELD_SIZE, np.fft.fftfreq(FIELD_SIZE)[None] * FIELD_SIZE
    filt = 1 / (1 + (np.hypot(fx, fy) / max(cycles, 0.5)) ** 3)
    filt[0, 0] = 0
    out = np.real(np.fft.ifft2(np.fft.fft2(white) * filt))
    return (out / (out.std() + 1e-12)).astype(np.float32)


def _lerp_rows(table: np.ndarray, rows: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """table[rows, pos] with ``pos`` in table samples, linear and wrapping along the second axis."""
    n = table.shape[1]
    i0 = np.floor(pos).astype(np.int64)
    t = (pos - i0).astype(np.float32)
    i0 %= n
    return table[rows, i0] * (1 - t) + table[rows, (i0 + 1) % n] * t


def _sample_field(field: np.ndarray, py: np.ndarray, px: np.ndarray) -> np.ndarray:
    """Bilinear periodic lookup of ``field`` at positions in tile fractions (py rows, px columns; 1-D)."""
    n = field.shape[0]
    y, x = py * n - 0.5, px * n - 0.5
    y0, x0 = np.floor(y).astype(np.int64), np.floor(x).astype(np.int64)
    ty, tx = (y - y0).astype(np.float32)[:, None], (x - x0).astype(np.float32)[None]
    y0, x0 = y0 % n, x0 % n
    y1, x1 = (y0 + 1) % n, (x0 + 1) % n
    top = field[y0][:, x0] * (1 - tx) + field[y0][:, x1] * tx
    bot = field[y1][:, x0] * (1 - tx) + field[y1][:, x1] * tx
    return top * (1 - ty) + bot * ty


def _box_mean(a: np.ndarray) -> np.ndarray:
    """Mean over axes 2 and 4 of (C, h, ss, w, ss): sums of strided slices (numpy's mean over two
    non-contiguous axes is ~10x slower)."""
    ss = a.shape[2]
    out = np.zeros((a.shape[0], a.shape[1], a.shape[3]), np.float32)
    for i in range(ss):
        for j in range(ss):
            out += a[:, :, i, :, j]
    out *= np.float32(1 / (ss * ss))
    return out


def profile(frac: np.ndarray, width) -> np.ndarray:
    """Round-yarn cross-section: 1 at the yarn's centre, 0 at its edge (``width`` of the thread spacing)."""
    r = (2 * frac - 1) / np.clip(width, 0.2, 1.0)
    return np.sqrt(np.clip(1 - r * r, 0, 1))


def _along(t: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Rise of a yarn along its float: 0 where it dives under, 1 on top; long floats (satin) lie flat."""
    return np.minimum(np.float32(1), np.sin(np.float32(np.pi) * np.clip(t, 0, 1)) * (0.5 + 0.5 * length))


@dataclass(eq=False)
class Structure:
    kind: str
    preset: KindPreset
    draft: Draft | None
    threads: int  # ends (stitch columns, grain cells) across the tile
    picks: int  # picks (stitch rows) down the tile: ``threads`` unless the weft is denser or sparser
    repeat: int  # threads in one repeat of the weave and colour pattern (the tile holds whole repeats)
    size: int
    supersample: int
    threads_per_cm: float
    palette: np.ndarray  # (K, 3) linear RGB of the yarns: warp colours, then weft colours
    palette_srgb: np.ndarray  # (K, 3) the same, as requested (sRGB)
    warp_yarn: np.ndarray  # (threads,) palette index of each end
    weft_yarn: np.ndarray  # (picks,) palette index of each pick
    warp_tone: np.ndarray  # (threads,) per-yarn N(0, 1)
    weft_tone: np.ndarray  # (picks,)
    warp_slub: np.ndarray  # (threads, SLUB_SAMPLES) along-yarn N(0, 1); weft_slub (picks, SLUB_SAMPLES)
    weft_slub: np.ndarray
    field: np.ndarray  # (FIELD_SIZE, FIELD_SIZE) low-frequency periodic noise
    cell_points: np.ndarray | None  # (threads, threads, 2) leather grain cell centres in cell units (leather only)

    @property
    def tile_cm(self) -> float:
        return self.threads / self.threads_per_cm

    @property
    def picks_per_cm(self) -> float:
        return self.picks / self.tile_cm

    @property
    def px_per_thread(self) -> float:
        """Pixels per thread (the geometric mean of the ends' and the picks' spacing)."""
        return self.size / math.sqrt(self.threads * self.picks)

    @classmethod
    def build(cls, kind: str, color, threads_per_cm: float | None = None, size: int = 1024, seed: int = 0,
              draft=None, warp=None, weft=None, px_per_thread: float = DEFAULT_PX_PER_THREAD,
              picks_per_cm: float | None = None) -> Structure:
        """The structure of a ``size`` px tile. ``draft`` (name, text rows or matrix), ``warp`` and ``weft``
        (colour sequences, see yarn_colors) replace the kind's own; ``color`` is its main colour.
        ``px_per_thread`` is the ends' spacing wanted (rounded to whole repeats per tile).
        ``picks_per_cm`` (None: as ``threads_per_cm``) is the weft's density, for fabrics not square-set; the
        picks are rounded to whole repeats, so the density made is ``picks_per_cm`` of the result."""
        if kind not in PRESETS:
            raise StructureError(f"unknown fabric kind '{kind}': choose one of {', '.join(PRESETS)}")
        preset = PRESETS[kind]
        tpc = preset.threads_per_cm if threads_per_cm is None else float(threads_per_cm)
        if not (math.isfinite(tpc) and 0 < tpc <= MAX_THREADS_PER_CM):
            raise StructureError(f"{threads_per_cm!r} threads per cm is not a fabric density: give a value above 0 "
                                 f"and up to {MAX_THREADS_PER_CM:g} (cotton shirting ~14, denim ~12, silk ~36)")
        ppc = tpc if picks_per_cm is None else float(picks_per_cm)
        if not (math.isfinite(ppc) and 0 < ppc <= MAX_THREADS_PER_CM):
            raise StructureError(f"{picks_per_cm!r} picks per cm is not a weft density: give a value above 0 and up "
                                 f"to {MAX_THREADS_PER_CM:g}, or leave it out for a square-set fabric")
        if not (math.isfinite(px_per_thread) and MIN_PX_PER_THREAD <= px_per_thread <= size / 2):
            raise StructureError(f"{px_per_thread!r} pixels per thread cannot be drawn on a {size} px tile: give "
                                 f"{MIN_PX_PER_THREAD:g}-{size / 2:g}")
        main = colour.parse_color(color)
        if draft is not None and preset.family != "woven":
            raise StructureError(f"'{kind}' is a {preset.family} fabric, not a weave: a draft needs a woven kind "
                                 "(cotton, linen, silk, ...)")
        wd = as_draft(draft if draft is not None else preset.draft) if preset.family == "woven" else None
        warp_seq = ColorSequence.parse(warp) if warp is not None else sequence(preset.warp, main)
        weft_seq = ColorSequence.parse(weft) if weft is not None else sequence(preset.weft, main)
        align = preset.align if draft is None else 1
        repeat = math.lcm(wd.repeat if wd else 1, warp_seq.repeat(tpc, align), weft_seq.repeat(ppc, align),
                          4 if kind == "rib" else CORD_WALE_THREADS if preset.family == "cord" else 1)
        if size / repeat < MIN_PX_PER_THREAD:
            raise StructureError(
                f"one repeat of this pattern is {repeat} threads ({repeat / tpc:.1f} cm), more than the {size} px "
                f"tile can show: choose a larger size (>= {int(math.ceil(repeat * MIN_PX_PER_THREAD))} px), fewer "
                "threads per cm or narrower stripes")
        sharp = int(size // (MIN_PX_SHARP * repeat))
        whole = max(1, int(round(size / (px_per_thread * repeat))))  # repeats across the tile
        if px_per_thread >= MIN_PX_SHARP:  # rounding must not make threads finer than sharp
            whole = max(1, min(whole, sharp)) if sharp else 1
        n = repeat * whole  # (threads asked finer than MIN_PX_SHARP are made so, supersampled)
        picks = n if ppc == tpc else repeat * max(1, int(round(n * ppc / tpc / repeat)))
        if size / picks < MIN_PX_PER_THREAD:
            raise StructureError(f"{picks} picks do not fit on a {size} px tile: choose a larger size or a weft "
                                 "density nearer the warp's")
        supersample = min(MAX_SUPERSAMPLE, max(1, int(math.ceil(MIN_PX_SHARP * max(n, picks) / size))))
        rng = np.random.default_rng([int(seed) % 2**63, 0x5EED])
        tile_cm = n / tpc
        slub_cycles = max(1.0, tile_cm / 1.5)  # slubs about 1.5 cm apart
        k = len(warp_seq.steps)
        srgb = np.concatenate([warp_seq.colors, weft_seq.colors])
        return cls(
            kind=kind, preset=preset, draft=wd, threads=n, picks=picks, repeat=repeat, size=int(size),
            supersample=supersample,
            threads_per_cm=tpc, palette=colour.srgb_to_linear(srgb).astype(np.float32), palette_srgb=srgb,
            warp_yarn=warp_seq.yarn_index(n, tpc, align), weft_yarn=weft_seq.yarn_index(picks, ppc, align) + k,
            warp_tone=rng.standard_normal(n).astype(np.float32),
            weft_tone=rng.standard_normal(picks).astype(np.float32),
            warp_slub=_smooth_periodic(rng, n, SLUB_SAMPLES, slub_cycles),
            weft_slub=_smooth_periodic(rng, picks, SLUB_SAMPLES, slub_cycles),
            field=_field(rng, max(2.0, tile_cm / 3)),
            cell_points=rng.random((n, n, 2)).astype(np.float32) if preset.family == "leather" else None)

    # -- rendering ------------------------------------------------------------------------------------
    def yarn_rgb(self, yarn: np.ndarray) -> np.ndarray:
        """(h, w, 3) linear colour of the visible yarn (sub-samples averaged)."""
        rgb = self.palette[yarn]
        return rgb.mean(2) if yarn.ndim == 3 else rgb

    def render(self, y0: int, x0: int, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
        """Structure channels (len(CHANNELS), h, w) float32 and the palette index of the visible yarn (h, w), or
        (h, w, supersample**2) of each sub-sample, for rows y0.. and columns x0.. of the tile (wrapping: any
        window, any offset)."""
        ss = self.supersample
        # Sample positions in tile fractions; whole pixels wrap first so offsets far outside stay exact.
        py = (((np.arange(h) + y0) % self.size)[:, None] + (np.arange(ss) + 0.5)[None] / ss).ravel() / self.size
        px = (((np.arange(w) + x0) % self.size)[:, None] + (np.arange(ss) + 0.5)[None] / ss).ravel() / self.size
        render = getattr(self, "_" + self.preset.family)

        def band(r0, r1):
            ch, yarn = render(py[r0 * ss:r1 * ss], px)
            if ss > 1:  # filtered in the band's own thread, before anything is stacked
                n = r1 - r0
                ch = _box_mean(ch.reshape(len(CHANNELS), n, ss, w, ss))
                yarn = yarn.reshape(n, ss, w, ss).transpose(0, 2, 1, 3).reshape(n, w, ss * ss)  # every sub-sample
            return ch, yarn

        parts = parallel.in_two_bands(band, h, w * ss * ss)
        ch, yarn = parallel.stack_rows([p[0] for p in parts], 1), parallel.stack_rows([p[1] for p in parts])
        return np.ascontiguousarray(ch, np.float32), yarn

    def _coords(self, p, n: int):
        u = p * n
        i = np.floor(u).astype(np.int64)
        return i % n, (u - i).astype(np.float32)

    def _stack(self, top, across, along, length, base, tone, slub, yarn):
        out = np.empty((len(CHANNELS), *top.shape), np.float32)
        for k, a in enumerate((top, across, along, length, base, tone, slub)):
            out[k] = a
        return out, yarn.astype(np.int16)

    def _slubs(self, py, px, iu, iv):
        sw = _lerp_rows(self.warp_slub, iu[None, :], (py * SLUB_SAMPLES)[:, None])  # along each end (rows)
        sf = _lerp_rows(self.weft_slub, iv[:, None], (px * SLUB_SAMPLES)[None, :])  # along each pick (columns)
        return sw.astype(np.float32, copy=False), sf.astype(np.float32, copy=False)

    def _woven(self, py, px):
        up = self.draft.up
        picks, ends = up.shape
        iu, fu = self._coords(px, self.threads)  # ends: columns
        iv, fv = self._coords(py, self.picks)  # picks: rows
        cell = ((iv % picks) * ends).astype(np.int32)[:, None] + (iu % ends).astype(np.int32)[None, :]
        top = up.ravel()[cell]
        # Warp floats run along rows, weft floats along columns.
        lw, pw, lf, pf = (a.ravel()[cell] for a in self.draft.float_tables)
        sw, sf = self._slubs(py, px, iu, iv)
        width, slub = self.preset.yarn_width, self.preset.slub
        weft_width = width if self.preset.weft_width is None else self.preset.weft_width
        out = np.empty((len(CHANNELS), len(py), len(px)), np.float32)
        across, along, length, base, tone = out[1], out[2], out[3], out[4], out[5]
        prof_w = profile(fu[None, :], width * (1 + 0.35 * slub * sw))
        prof_f = profile(fv[:, None], weft_width * (1 + 0.35 * slub * sf))
        pw += fv[:, None]
        along_w = _along(np.divide(pw, lw, out=pw), lw)
        pf += fu[None, :]
        along_f = _along(np.divide(pf, lf, out=pf), lf)
        h_w = np.where(top, 0.45 + 0.55 * along_w, np.float32(0.25))
        h_w *= prof_w
        h_f = np.where(top, np.float32(0.25), 0.45 + 0.55 * along_f)
        h_f *= prof_f
        warp_seen = h_w >= h_f
        np.maximum(h_w, h_f, out=base)
        out[0] = warp_seen
        np.copyto(across, np.where(warp_seen, prof_w, prof_f))
        shown_top = warp_seen == top  # the visible yarn is the one on top at this crossing (else: under it)
        np.copyto(along, np.where(warp_seen, along_w, along_f))
        along *= shown_top
        np.copyto(length, np.where(warp_seen, lw, lf))
        length *= shown_top
        length *= np.float32(1 / 8)
        np.minimum(length, 1, out=length)
        np.copyto(tone, np.where(warp_seen, self.warp_tone[iu][None, :], self.weft_tone[iv][:, None]))
        np.copyto(out[6], np.where(warp_seen, sw, sf))
        yarn = np.where(warp_seen, self.warp_yarn[iu].astype(np.int16)[None, :],
                        self.weft_yarn[iv].astype(np.int16)[:, None])
        return out, yarn

    def _knit(self, py, px):
        iu, fu = self._coords(px, self.threads)  # wales (stitch columns)
        iv, fv = self._coords(py, self.picks)  # courses (rows): a knit's colour runs along its courses
        fu2, fv2 = fu[None, :], fv[:, None]
        leg = np.abs(np.abs(fu2 - 0.5) - 0.25 - 0.15 * (fv2 - 0.5))  # a stitch seen from the face is a V
        across = np.clip(1 - leg / 0.2, 0, 1)
        along = np.sin(np.pi * np.broadcast_to(fv2, across.shape))
        top = np.broadcast_to(fu2 < 0.5, across.shape).astype(np.float32)  # left or right leg
        base = across ** 0.7 * (0.6 + 0.4 * along)
        if self.kind == "rib":  # 2x2 rib: every other pair of wales is purled and recedes
            purl = (iu % 4 >= 2)[None, :]
            bump = np.clip(1 - np.abs(fv2 - 0.5) / 0.45, 0, 1) * np.ones_like(across)
            across, base = np.where(purl, bump, across), np.where(purl, 0.35 * bump, base)
            top = np.where(purl, 0.5, top)
        _, sf = self._slubs(py, px, iu, iv)
        shape = across.shape
        yarn = np.broadcast_to(self.weft_yarn[iv][:, None], shape)
        tone = np.broadcast_to(self.weft_tone[iv][:, None], shape)
        return self._stack(top, across, along, np.full(shape, 1 / 8), base, tone, sf, yarn)

    def _cord(self, py, px):
        iu, fu = self._coords(px, self.threads)
        iv, _ = self._coords(py, self.picks)
        wale = iu // CORD_WALE_THREADS
        fw = ((iu % CORD_WALE_THREADS) + fu) / CORD_WALE_THREADS
        sw, _ = self._slubs(py, px, wale, iv)
        across = profile(fw[None, :], self.preset.yarn_width * (1 + 0.1 * sw))
        shape = across.shape
        base = across * (0.85 + 0.15 * sw * self.preset.slub)
        yarn = np.broadcast_to(self.warp_yarn[iu][None, :], shape)
        tone = np.broadcast_to(self.warp_tone[wale][None, :], shape)
        return self._stack(np.ones(shape), across, np.full(shape, 0.5), np.ones(shape), base, tone, sw, yarn)

    def _pile(self, py, px):
        crush = _sample_field(self.field, py, px)
        shape = crush.shape
        base = np.clip(0.55 + 0.2 * crush, 0, 1)
        yarn = np.broadcast_to(self.warp_yarn[:1][None, :], shape)
        return self._stack(np.ones(shape), np.ones(shape), np.full(shape, 0.5), np.zeros(shape), base, crush,
                           crush, yarn)

    def _leather(self, py, px):
        n = self.threads
        u, v = px * n, py * n
        iu, iv = np.floor(u).astype(np.int64), np.floor(v).astype(np.int64)
        fu, fv = (u - iu).astype(np.float32)[None, :], (v - iv).astype(np.float32)[:, None]
        best = np.full((len(py), len(px)), np.inf, np.float32)
        for dy in (-1, 0, 1):  # the nearest grain cell centre is in this cell or a neighbour (Worley noise)
            for dx in (-1, 0, 1):
                pts = self.cell_points[((iv + dy) % n)[:, None], ((iu + dx) % n)[None, :]]
                ddx, ddy = pts[..., 0] + dx - fu, pts[..., 1] + dy - fv
                np.minimum(best, ddx * ddx + ddy * ddy, out=best)
        cells = np.sqrt(best)
        crease = _sample_field(self.field, py, px)
        base = np.clip(cells, 0, 1) ** 0.5 * 0.7 + 0.3 * (0.5 + 0.3 * crease)
        shape = cells.shape
        yarn = np.broadcast_to(self.warp_yarn[:1][None, :], shape)
        return self._stack(np.ones(shape), np.clip(cells, 0, 1), np.full(shape, 0.5), np.zeros(shape), base, crease,
                           crease, yarn)
