"""The photo's fine texture statistics, fitted onto a generated tile (Heeger & Bergen's band histograms).

    stats = detail_stats(photo_lum)            # per band: quantiles of the photo's log-luminance band
    maps = match_detail(maps, stats)           # the tile's bands remapped to them; still exactly tileable

The structure renderer and the detail network make the right weave at the right scale, but how much
contrast sits at each scale (a nearly flat leather, a felt's deep fibre shadows, the noise of a photo)
is the photo's own. The tile's log luminance is split into octave bands (slices of its Fourier
spectrum, each band at its own resolution: periodic, so the tile stays a tile), each band's values are
mapped onto the photo's band quantiles, and the albedo is rescaled by the change; its mean colour is
kept. The photo's bands are taken the same way on its central square (a border left out: a photo is
not periodic and its wrap-around edge rings).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import color as colour

LEVELS = 7  # octave bands, finest first: periods 2-4 px, 4-8 px, ... 128-256 px
QUANTILES = 65
SAMPLES = 65536
MAX_GAIN = 4.0  # a band's spread is raised at most this much (a photo band of pure noise must not explode); it
# may be lowered without limit (a nearly flat photo must not keep the tile's mottling)


@dataclass(frozen=True)
class DetailStats:
    quantiles: np.ndarray  # (bands, QUANTILES) of the photo's log-luminance bands, finest first


def _sub(n: int, m: int):
    """Row and column indices, in an (n, n // 2 + 1) rfft2 spectrum, of the lowest (m, m // 2 + 1) block."""
    rows = np.r_[0:m // 2, n - m // 2:n]
    return rows[:, None], np.arange(m // 2 + 1)[None, :]


def _annulus(m: int) -> np.ndarray:
    """Mask of an (m, m // 2 + 1) spectrum's top octave: max(|fx|, |fy|) in (1/4, 1/2] cycles/px."""
    f = np.maximum(np.abs(np.fft.fftfreq(m))[:, None], np.fft.rfftfreq(m)[None, :])
    return f > 0.25


def _level_sizes(n: int) -> list[int]:
    return [n >> k for k in range(LEVELS) if (n >> k) >= 8 and (n >> k) % 2 == 0]


def _bands(d: np.ndarray) -> list[np.ndarray]:
    """Octave bands of a square periodic map, each at its own resolution (ideal, exactly periodic filters:
    slices of one spectrum), finest first."""
    n = d.shape[0]
    spec = np.fft.rfft2(d)
    out = []
    for m in _level_sizes(n):
        sub = spec[_sub(n, m)] * _annulus(m)
        out.append(np.fft.irfft2(sub, (m, m)) * (m * m) / (n * n))
    return out


def _quantiles(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    flat = a.ravel()
    if flat.size > SAMPLES:
        flat = flat[rng.choice(flat.size, SAMPLES, replace=False)]
    return np.quantile(flat, np.linspace(0, 1, QUANTILES))


def detail_stats(lum: np.ndarray, seed: int = 0) -> DetailStats:
    """Band statistics of a photo's (square, lighting evened) linear luminance. The photo is not periodic: its
    wrap-around edge rings in every band, so a border of each band is left out."""
    d = np.log(lum.astype(np.float64) + 1e-3)
    rng = np.random.default_rng(seed)
    q = []
    for b in _bands(d - d.mean()):
        m = b.shape[0]
        e = max(1, m // 8)
        q.append(_quantiles(b[e:m - e, e:m - e], rng))
    return DetailStats(np.stack(q))


def _remap(band: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Histogram-match a band to target quantiles, its spread raised at most MAX_GAIN times."""
    src = _quantiles(band, rng)
    spread_src = max(float(src[-6] - src[5]), 1e-9)
    spread_dst = float(target[-6] - target[5])
    gain = spread_dst / spread_src
    dst = target
    if gain > MAX_GAIN:  # keep the photo's shape, limit its scale
        mid = float(np.median(target))
        dst = mid + (target - mid) * MAX_GAIN / gain
    src = np.maximum.accumulate(src + np.linspace(0, 1e-9, len(src)))  # strictly increasing for interp
    return np.interp(band, src, dst)


def match_detail(albedo: np.ndarray, stats: DetailStats, seed: int = 0, fibre_px: float = 0.0) -> np.ndarray:
    """An sRGB albedo tile (N, N, 3) with its luminance bands remapped onto the photo's; tileable, same mean.
    Bands of periods under ``fibre_px`` (finer than a yarn: fibres, hairiness, which the detail network
    leaves smooth) where the photo varies more than the tile get the shortfall as band-limited noise first;
    coarser bands only remap what the structure drew (noise there would bury the weave)."""
    lin = colour.srgb_to_linear_image(albedo)
    lum = lin @ colour.LUMA
    d = np.log(lum + 1e-3)
    n = d.shape[0]
    rng = np.random.default_rng(seed)
    spec = np.fft.rfft2(d)
    delta = np.zeros_like(spec)
    for level, (m, q) in enumerate(zip(_level_sizes(n), stats.quantiles, strict=False)):
        idx = _sub(n, m)
        mask = _annulus(m)
        band = np.fft.irfft2(spec[idx] * mask, (m, m)) * (m * m) / (n * n)
        target = band
        missing = float(np.std(q)) ** 2 - float(band.var())
        if 2 ** (level + 2) <= fibre_px and missing > 0:  # the band's longest period: 4, 8, 16 px ...
            noise = np.fft.irfft2(np.fft.rfft2(rng.standard_normal((m, m))) * mask, (m, m))
            target = band + noise * np.float32(np.sqrt(missing / max(float(noise.var()), 1e-12)))
        change = np.fft.rfft2(_remap(target, q, rng) - band) * mask * (n * n) / (m * m)
        delta[idx] += change
    out = lin * np.exp(np.fft.irfft2(delta, (n, n)).astype(np.float32))[..., None]
    out *= lin.reshape(-1, 3).mean(0) / np.maximum(out.reshape(-1, 3).mean(0), 1e-9)  # the mean colour kept
    return colour.linear_to_srgb_image(out)
