"""Procedural fabric synthesiser: the engine's exact structure plus hand-made yarn detail.

    python -m models.fabric.synth --sheet docs/images/fabric_contact_sheet.png

The structure (weave draft, knit stitches, wales, pile, grain; yarn colours) is the engine's own
(inference/fabric_structure.py), so a synthesiser sample and a generated tile of the same request
share every thread. On top, procedural detail: yarn twist (diagonal ridges along each yarn), fibre
streaks along the yarn, hairiness, slubs, per-yarn tone, crevice shading, pile and leather pores. This
is the "real" side the detail GAN is trained against (with the real PBR sets), and the reference the
evaluation compares with. Deterministic for a spec; whole tiles are exactly periodic.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.fabric_kinds import PRESETS
from inference.fabric_structure import Structure
from inference.vocabulary import FABRIC_KIND_IDS
from inference.yarn_shading import shade, yarn_gains

KINDS = FABRIC_KIND_IDS  # the engine's vocabulary: training conditions on exactly the kinds users pick
BASE_ROUGHNESS = {k: p.roughness for k, p in PRESETS.items()}
# Yarn character per kind: twist ridge contrast, fibre streaks along the yarn, hairiness (fuzz), sheen of floats.
DETAIL = {
    "cotton": (0.10, 0.10, 0.06, 0.0), "linen": (0.06, 0.16, 0.10, 0.0), "denim": (0.16, 0.10, 0.06, 0.0),
    "satin": (0.02, 0.05, 0.01, 0.25), "silk": (0.01, 0.04, 0.005, 0.3), "dupioni": (0.03, 0.08, 0.02, 0.15),
    "chambray": (0.10, 0.10, 0.06, 0.0), "twill": (0.12, 0.10, 0.05, 0.0), "basket": (0.10, 0.10, 0.06, 0.0),
    "herringbone": (0.12, 0.12, 0.10, 0.0), "houndstooth": (0.12, 0.12, 0.10, 0.0),
    "tweed": (0.08, 0.18, 0.22, 0.0), "stripes": (0.10, 0.10, 0.05, 0.0), "gingham": (0.10, 0.10, 0.05, 0.0),
    "plaid": (0.10, 0.12, 0.10, 0.0), "corduroy": (0.0, 0.05, 0.25, 0.0), "jersey": (0.12, 0.08, 0.06, 0.0),
    "rib": (0.12, 0.08, 0.06, 0.0), "velvet": (0.0, 0.0, 0.35, 0.0), "leather": (0.0, 0.0, 0.08, 0.0),
}
assert tuple(DETAIL) == KINDS


@dataclass(frozen=True)
class FabricSpec:
    kind: str = "cotton"
    color: tuple[float, float, float] = (0.35, 0.45, 0.6)  # sRGB 0..1 (the main yarn colour)
    threads_per_cm: float | None = None  # None: the kind's typical density
    size: int = 256  # tile size in px
    seed: int = 0
    roughness: float | None = None  # None: the kind's typical value
    draft: object = None  # None: the kind's draft (see inference.weave_draft)
    warp: object = None  # None: the kind's colour sequences (see inference.yarn_colors)
    weft: object = None

    def fits(self, size: int) -> bool:
        """Whether one repeat of this fabric's pattern fits a ``size`` px tile."""
        try:
            Structure.build(self.kind, self.color, self.threads_per_cm, size, self.seed, self.draft, self.warp,
                            self.weft)
        except ValueError:
            return False
        return True

    def structure(self) -> Structure:
        return Structure.build(self.kind, self.color, self.threads_per_cm, self.size, self.seed, self.draft,
                               self.warp, self.weft)


def _noise(rng, h, w, sy: float, sx: float) -> np.ndarray:
    """Periodic (h, w) Gaussian-filtered noise with correlation lengths sy, sx px; unit std."""
    white = rng.standard_normal((h, w))
    fy, fx = np.fft.fftfreq(h)[:, None], np.fft.fftfreq(w)[None, :]
    filt = np.exp(-2 * (np.pi ** 2) * ((fy * sy) ** 2 + (fx * sx) ** 2))
    out = np.real(np.fft.ifft2(np.fft.fft2(white) * filt))
    return (out / (out.std() + 1e-12)).astype(np.float32)


def detail(kind: str, structure: Structure, ch: np.ndarray, yarn: np.ndarray, y0: int, x0: int, rng,
           roughness: float | None = None):
    """Albedo (H, W, 3) sRGB, height and roughness (H, W) from structure channels ``ch`` and visible-yarn ids
    ``yarn`` of the window at y0, x0; each yarn's mean linear albedo is its colour (inference/yarn_shading)."""
    twist, fibre, fuzz, sheen = DETAIL[kind]
    preset = PRESETS[kind]
    _, h, w = ch.shape
    warp_seen = ch[0] > 0.5
    across, along, length, base, tone, slub = ch[1], ch[2], ch[3], ch[4], ch[5], ch[6]
    p = structure.px_per_thread
    yy, xx = np.mgrid[y0:y0 + h, x0:x0 + w].astype(np.float32)
    along_px, across_px = np.where(warp_seen, yy, xx), np.where(warp_seen, xx, yy)
    # Z-twist: ridges slanted across the yarn, one per thread spacing along it (whole periods per tile).
    ridge = np.sin(2 * np.pi * (along_px + across_px) / p)
    streak = np.where(warp_seen, _noise(rng, h, w, 0.5 * p, 0.12 * p), _noise(rng, h, w, 0.12 * p, 0.5 * p))
    hair = _noise(rng, h, w, 0.35, 0.35)
    height = base * (1 + twist * ridge * across + fibre * 0.5 * streak) + 0.03 * slub * preset.slub
    height = height + fuzz * 0.25 * hair * (0.4 + 0.6 * across)
    crevice = 0.5 + 0.5 * np.clip(base, 0, 1)  # crevices between yarns are darker
    lum = crevice * (1 + preset.tone * tone + 0.08 * preset.slub * slub + twist * 0.6 * ridge * across +
                   fibre * 0.4 * streak + fuzz * 0.3 * hair)
    if kind == "leather":  # pores: a sparse set of small dark pits
        pores = np.clip(_noise(rng, h, w, 0.6, 0.6) - 2.0, 0, None)
        height, lum = height - 0.5 * pores, lum * (1 - 0.3 * np.clip(pores, 0, 1))
    lum = np.clip(lum, 0.05, 2).astype(np.float32)
    albedo = shade(structure.palette, lum, yarn, yarn_gains(lum, yarn, structure.palette))
    lo, hi = np.percentile(height, [0.5, 99.5])
    height = np.clip((height - lo) / max(hi - lo, 1e-6), 0, 1).astype(np.float32)
    base_r = preset.roughness if roughness is None else roughness
    rough = base_r + 0.08 * (0.5 - height) - sheen * np.clip(length * 4, 0, 1) * along + 0.04 * fuzz * hair
    return albedo, height, np.clip(rough, 0.02, 1).astype(np.float32)


def synthesize(spec: FabricSpec, window: tuple[int, int, int, int] | None = None) -> dict[str, np.ndarray]:
    """Albedo (H, W, 3) sRGB, height and roughness in [0, 1] (exactly tileable for the whole tile), plus the
    structure channels and visible-yarn ids the engine gives its detail network for the same window."""
    if spec.kind not in KINDS:
        raise ValueError(f"unknown fabric kind '{spec.kind}': choose one of {', '.join(KINDS)}")
    s = spec.structure()
    y0, x0, h, w = window or (0, 0, spec.size, spec.size)
    ch, yarn = s.render(y0, x0, h, w)
    rng = np.random.default_rng([spec.seed, KINDS.index(spec.kind), y0, x0])
    albedo, height, rough = detail(spec.kind, s, ch, yarn, y0, x0, rng, spec.roughness)
    return {"albedo": albedo, "height": height, "roughness": rough, "structure": ch, "yarn": yarn,
            "yarn_rgb": s.yarn_rgb(yarn).astype(np.float32), "px_per_thread": s.px_per_thread,
            "palette_srgb": s.palette_srgb}


def contact_sheet(path: Path, size: int = 256, seed: int = 0, crop: int = 96, zoom: int = 2):
    from PIL import Image

    tiles = []
    for kind in KINDS:
        m = synthesize(FabricSpec(kind=kind, color=(0.18, 0.3, 0.55), size=size, seed=seed))
        rows = [m["albedo"], np.repeat(m["height"][..., None], 3, 2), np.repeat(m["roughness"][..., None], 3, 2)]
        tiles.append(np.concatenate([r[:crop, :crop].repeat(zoom, 0).repeat(zoom, 1) for r in rows], 0))
    half = (len(tiles) + 1) // 2
    sheet = np.concatenate([np.concatenate(tiles[:half], 1), np.concatenate(tiles[half:], 1)], 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((sheet * 255).round().astype(np.uint8)).save(path)
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sheet", type=Path, default=Path("docs/images/fabric_contact_sheet.png"))
    ap.add_argument("--size", type=int, default=256)
    args = ap.parse_args(argv)
    print(contact_sheet(args.sheet, args.size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
