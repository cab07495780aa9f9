"""Procedural fabric synthesiser: consistent, exactly tileable albedo / height / roughness maps.

    python -m models.fabric.synth --sheet docs/images/fabric_contact_sheet.png

Every kind is rendered on a torus: thread counts, stitch counts and noise frequencies are integers
per tile, so the maps repeat seamlessly. Woven kinds come from a weave draft (which thread is on
top at each crossing), knits from stitch geometry, velvet and leather from periodic noise fields.
Yarn irregularity (per-thread thickness and tone), slubs along threads and fibre noise are added
on top. Deterministic for (kind, colour, scale, seed, size).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.color import parse_color
from inference.vocabulary import FABRIC_KIND_IDS

KINDS = FABRIC_KIND_IDS  # the engine's vocabulary: training conditions on exactly the kinds users pick
# Kind -> (weave draft or generator, base roughness, default tile size in cm)
BASE_ROUGHNESS = {"cotton": 0.8, "linen": 0.85, "denim": 0.75, "satin": 0.3, "basket": 0.8, "herringbone": 0.8,
                  "tweed": 0.9, "jersey": 0.8, "rib": 0.8, "velvet": 0.95, "leather": 0.55, "stripes": 0.8,
                  "plaid": 0.8}


@dataclass(frozen=True)
class FabricSpec:
    kind: str = "cotton"
    color: tuple[float, float, float] = (0.35, 0.45, 0.6)  # sRGB 0..1
    threads_per_cm: float = 12.0
    tile_cm: float = 4.0
    roughness: float | None = None  # None: the kind's typical value
    seed: int = 0
    size: int = 256

    @property
    def threads(self) -> int:
        """Threads (or stitches) across the tile: an integer, so the tile repeats exactly."""
        n = max(4, int(round(self.threads_per_cm * self.tile_cm)))
        return n + (-n) % 8  # drafts repeat every 2, 4, 5 or 8 threads: keep multiples of 8 (and 5 below)


def hex_to_rgb(text: str) -> tuple[float, float, float]:
    """#rrggbb -> sRGB 0..1 (the engine's parser, so training and generation read colours alike)."""
    return parse_color(text)


def periodic_noise(rng: np.random.Generator, shape, cutoff: float, power: float = 2.0) -> np.ndarray:
    """Tileable noise: white noise filtered in Fourier space (periodic by construction), zero mean, unit std."""
    h, w = shape
    white = rng.standard_normal(shape)
    fy, fx = np.fft.fftfreq(h)[:, None] * h, np.fft.fftfreq(w)[None, :] * w  # cycles per tile
    f = np.sqrt(fx**2 + fy**2)
    filt = 1.0 / (1.0 + (f / cutoff) ** power)
    filt[0, 0] = 0.0
    out = np.real(np.fft.ifft2(np.fft.fft2(white) * filt))
    return out / (out.std() + 1e-12)


def thread_noise(rng: np.random.Generator, n: int, length: int, cutoff: float) -> np.ndarray:
    """Per-thread 1D periodic noise (n threads x length samples): slubs and thickness changes."""
    white = rng.standard_normal((n, length))
    f = np.abs(np.fft.fftfreq(length) * length)
    out = np.real(np.fft.ifft(np.fft.fft(white, axis=1) / (1 + (f / cutoff) ** 2), axis=1))
    return out / (out.std() + 1e-12)


def draft(kind: str, n: int) -> np.ndarray:
    """Weave draft (n x n booleans, True = warp on top) for woven kinds; n is a multiple of 8."""
    i, j = np.meshgrid(np.arange(n), np.arange(n))  # i: warp (column), j: weft (row)
    if kind in ("cotton", "linen", "stripes", "plaid"):
        return (i + j) % 2 == 0
    if kind == "basket":
        return (i // 2 + j // 2) % 2 == 0
    if kind == "denim":
        return (i - j) % 4 != 3  # 3/1 twill: warp-faced, diagonal wale
    if kind == "satin":
        return (2 * i + j) % 5 != 0 if n % 5 == 0 else (3 * i + j) % 8 != 0  # long warp floats
    if kind in ("herringbone", "tweed"):
        direction = np.where((i // 8) % 2 == 0, 1, -1)  # reverse the twill every 8 warps
        return (i * direction - j) % 4 < 2
    raise ValueError(f"{kind} is not a woven kind")


def _woven(spec: FabricSpec, rng: np.random.Generator):
    n, s = spec.threads, spec.size
    d = draft(spec.kind, n)
    x = (np.arange(s) + 0.5) / s * n
    u, v = np.meshgrid(x, x)  # thread coordinates: u across warps, v across wefts
    iu, iv = np.floor(u).astype(int) % n, np.floor(v).astype(int) % n
    fu, fv = u - np.floor(u), v - np.floor(v)
    # Yarn irregularity: per-thread width and slubs along each thread (periodic along the tile).
    warp_slub = thread_noise(rng, n, s, cutoff=6)[iu, np.arange(s)[:, None].repeat(s, 1)]
    weft_slub = thread_noise(rng, n, s, cutoff=6)[iv, np.arange(s)[None, :].repeat(s, 0)]
    warp_w = 0.8 + 0.1 * rng.standard_normal(n)[iu] + 0.08 * np.maximum(warp_slub, 0)
    weft_w = 0.8 + 0.1 * rng.standard_normal(n)[iv] + 0.08 * np.maximum(weft_slub, 0)
    warp_prof = np.sqrt(np.clip(1 - ((2 * fu - 1) / np.clip(warp_w, 0.3, 1.0)) ** 2, 0, 1))
    weft_prof = np.sqrt(np.clip(1 - ((2 * fv - 1) / np.clip(weft_w, 0.3, 1.0)) ** 2, 0, 1))
    on_top = d[iv, iu]
    # A yarn dips where it passes under: undulation along its length between crossings.
    warp_h = warp_prof * (0.55 + 0.45 * np.where(on_top, np.sin(np.pi * fv), -0.3))
    weft_h = weft_prof * (0.55 + 0.45 * np.where(~on_top, np.sin(np.pi * fu), -0.3))
    height = np.where(on_top, np.maximum(warp_h, weft_h * 0.6), np.maximum(weft_h, warp_h * 0.6))
    base = np.array(spec.color)
    warp_col = np.tile(base, (n, 1))
    weft_col = np.tile(base, (n, 1))
    if spec.kind == "denim":
        weft_col[:] = (0.86, 0.84, 0.78)  # undyed weft under indigo warp
    if spec.kind == "stripes":
        band = (np.arange(n) // max(2, n // 8)) % 2 == 1
        warp_col[band] = 0.9 - 0.2 * base
        weft_col[:] = warp_col[0]
    if spec.kind == "plaid":
        band = (np.arange(n) // max(2, n // 8)) % 2 == 1
        warp_col[band] = np.clip(base * 0.35, 0, 1)
        weft_col[band] = np.clip(base * 0.35, 0, 1)
        warp_col[~band] = weft_col[~band] = 0.92
    if spec.kind == "tweed":
        fleck = rng.random((n, 3)) * 0.5 + 0.5 * base
        warp_col = np.where(rng.random((n, 1)) < 0.25, fleck, warp_col)
    tone_warp = 1 + 0.06 * rng.standard_normal(n)[iu] + 0.04 * warp_slub
    tone_weft = 1 + 0.06 * rng.standard_normal(n)[iv] + 0.04 * weft_slub
    col = np.where(on_top[..., None], warp_col[iu] * tone_warp[..., None], weft_col[iv] * tone_weft[..., None])
    gap = np.clip(height, 0, 1)
    albedo = col * (0.55 + 0.45 * gap[..., None])  # crevices between yarns are darker
    sheen_dir = on_top if spec.kind == "satin" else np.zeros_like(on_top)
    return albedo, height, sheen_dir.astype(float)


def _knit(spec: FabricSpec, rng: np.random.Generator):
    n, s = spec.threads, spec.size
    cols, rows = n, n  # stitches per tile (wale columns x course rows)
    x = (np.arange(s) + 0.5) / s
    u, v = np.meshgrid(x * cols, x * rows)
    fu, fv = u - np.floor(u), v - np.floor(v)
    iu = np.floor(u).astype(int) % cols
    # A knit stitch seen from the face is a V: two slanted legs meeting at the bottom.
    leg = np.abs(np.abs(fu - 0.5) - 0.25 - 0.15 * (fv - 0.5))
    height = np.clip(1 - leg / 0.22, 0, 1) ** 0.7
    if spec.kind == "rib":
        purl = (iu % 4) >= 2  # 2x2 rib: purl columns recede
        height = np.where(purl, 0.35 * np.clip(1 - np.abs(fv - 0.5) / 0.45, 0, 1), height)
    slub = thread_noise(rng, rows, s, cutoff=5)[np.floor(v).astype(int) % rows, np.arange(s)[None, :].repeat(s, 0)]
    height = height * (0.9 + 0.08 * slub)
    tone = 1 + 0.05 * rng.standard_normal(rows)[np.floor(v).astype(int) % rows]
    albedo = np.array(spec.color) * (tone * (0.6 + 0.4 * height))[..., None]
    return albedo, height, np.zeros_like(height)


def _velvet(spec: FabricSpec, rng: np.random.Generator):
    s = spec.size
    pile = periodic_noise(rng, (s, s), cutoff=s / 3, power=1.5)
    crush = periodic_noise(rng, (s, s), cutoff=3)
    height = 0.5 + 0.15 * pile + 0.25 * crush
    albedo = np.array(spec.color) * (0.75 + 0.25 * np.tanh(crush))[..., None]
    return albedo, height, np.clip(0.5 + 0.5 * np.tanh(crush), 0, 1)


def _leather(spec: FabricSpec, rng: np.random.Generator):
    s, n = spec.size, max(8, spec.threads)
    # Grain: periodic Worley noise (distance to the nearest of n*n jittered cell points, wrapped).
    pts = (np.stack(np.meshgrid(np.arange(n), np.arange(n)), -1).reshape(-1, 2) + rng.random((n * n, 2))) / n
    x = (np.arange(s) + 0.5) / s
    grid = np.stack(np.meshgrid(x, x), -1).reshape(-1, 1, 2)
    best = np.full(s * s, np.inf)
    for c in range(0, len(pts), 64):
        d = np.abs(grid - pts[None, c:c + 64])
        d = np.minimum(d, 1 - d)  # wrap-around distance on the torus
        best = np.minimum(best, np.sqrt((d**2).sum(-1)).min(1))
    cells = (best * n).reshape(s, s)
    creases = periodic_noise(rng, (s, s), cutoff=4)
    height = np.clip(cells, 0, 1) ** 0.5 * 0.7 + 0.3 * (0.5 + 0.3 * creases)
    albedo = np.array(spec.color) * (0.7 + 0.3 * height)[..., None]
    return albedo, height, np.zeros_like(height)


def synthesize(spec: FabricSpec) -> dict[str, np.ndarray]:
    """Albedo (H, W, 3) sRGB, height (H, W) and roughness (H, W), all in [0, 1], exactly tileable."""
    if spec.kind not in KINDS:
        raise ValueError(f"unknown fabric kind '{spec.kind}': choose one of {', '.join(KINDS)}")
    if spec.size < 16 or spec.size % 8:
        raise ValueError(f"size {spec.size} must be a multiple of 8 and at least 16")
    rng = np.random.default_rng([spec.seed, KINDS.index(spec.kind)])
    if spec.kind in ("jersey", "rib"):
        albedo, height, sheen = _knit(spec, rng)
    elif spec.kind == "velvet":
        albedo, height, sheen = _velvet(spec, rng)
    elif spec.kind == "leather":
        albedo, height, sheen = _leather(spec, rng)
    else:
        albedo, height, sheen = _woven(spec, rng)
    fibre = periodic_noise(rng, height.shape, cutoff=spec.size / 4, power=1.0)  # fibre fuzz
    height = height + 0.04 * fibre
    albedo = albedo * (1 + 0.03 * fibre[..., None])
    lo, hi = np.percentile(height, [0.5, 99.5])
    height = np.clip((height - lo) / max(hi - lo, 1e-6), 0, 1)
    base_r = BASE_ROUGHNESS[spec.kind] if spec.roughness is None else spec.roughness
    rough = np.clip(base_r + 0.08 * (0.5 - height) - 0.25 * sheen + 0.03 * fibre, 0.02, 1)
    return {"albedo": np.clip(albedo, 0, 1).astype(np.float32), "height": height.astype(np.float32),
            "roughness": rough.astype(np.float32)}


def contact_sheet(path: Path, size: int = 192, seed: int = 0):
    from PIL import Image

    tiles = []
    for kind in KINDS:
        m = synthesize(FabricSpec(kind=kind, color=(0.18, 0.3, 0.55), size=size, seed=seed, tile_cm=2.0))
        rows = [m["albedo"], np.repeat(m["height"][..., None], 3, 2), np.repeat(m["roughness"][..., None], 3, 2)]
        tiles.append(np.concatenate(rows, 0))
    sheet = (np.concatenate(tiles, 1) * 255).round().astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).save(path)
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sheet", type=Path, default=Path("docs/images/fabric_contact_sheet.png"))
    ap.add_argument("--size", type=int, default=192)
    args = ap.parse_args(argv)
    print(contact_sheet(args.sheet, args.size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
