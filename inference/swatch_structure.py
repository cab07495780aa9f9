"""What a swatch photo is made of: its thread spacing along each axis and its weave draft (or knit, or none).

    periods = thread_periods(lum)             # pixels per thread across (ends) and down (picks), + how sure
    match = match_structure(lum, periods)     # best draft / knit for the photo's autocorrelation

Thread spacing: the strongest peak of the photo's marginal power spectra (the spectrum summed over the
other axis), measured against the local spectral background; a weave has peaks a hundred times its
background or more, leather and felt about one. Draft: the photo's autocorrelation (ACF) sampled at whole
thread lags (dy picks, dx ends) is the draft's own "which crossings look alike" pattern; it is compared
with each candidate draft's circular ACF on its thread grid (mirrored and turned too: a twill's
direction, a photo taken sideways). A spectral peak may sit at a whole repeat or a harmonic rather than
at one thread, so halves of the spacing are tried along each axis; ties go to the coarser spacing (a
plain weave at p and a 2x2 basket at p / 2 share their fundamental).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .weave_draft import DRAFTS

PERIODIC = 12.0  # spectral peak / local background from which a photo shows a thread structure
SOME_PERIOD = 3.0  # ... and below which it shows none at all (leather, felt); between: loops (knit), hairy
MIN_PERIOD, MAX_PERIOD = 2.2, 64.0  # thread spacings (px) the spectrum is searched over
AXIS_CONE = 0.35  # spectral peaks within ~20 degrees of an axis count for that axis's thread spacing
LAGS = 8  # thread lags compared each way
COARSER = 0.15  # a spacing half as fine must beat the coarser one by this much correlation


@dataclass(frozen=True)
class Periods:
    x: float  # pixels per end (across): the strongest peak near the frequency axis
    y: float  # pixels per pick (down)
    peak_x: float  # spectral peak / local background along each axis (whole spectrum)
    peak_y: float
    loop_x: float  # the strongest peak of the whole spectrum's marginal (a knit's stitch spacing)
    loop_y: float
    across: float = 1.0  # spectral energy near the x axis over that near the y axis (a cord's wales: >> 1)

    @property
    def periodic(self) -> bool:
        return max(self.peak_x, self.peak_y) >= PERIODIC


@dataclass(frozen=True)
class DraftMatch:
    draft: str  # a name in DRAFTS
    up: np.ndarray  # the draft as a matrix, oriented as in the photo (picks, ends)
    px_x: float  # thread spacing it was matched at
    px_y: float
    score: float  # correlation of thread-lag ACFs (1 = identical)
    scores: dict  # best correlation per draft name (the report; softmax = how sure)
    per_draft: dict = None  # name -> that draft's own best DraftMatch


def log_lum(lum: np.ndarray) -> np.ndarray:
    return np.log(lum.astype(np.float32) + 1e-3)


def orientation(d: np.ndarray) -> np.ndarray:
    """Which way the yarn runs under each pixel: > 0 where brightness changes across x (a vertical yarn, a warp
    end on top), < 0 where it changes down y (a weft pick on top). Its thread-lag ACF is the draft's."""
    gx = np.roll(d, -1, 1) - np.roll(d, 1, 1)
    gy = np.roll(d, -1, 0) - np.roll(d, 1, 0)
    return gx * gx - gy * gy


def spectrum(d: np.ndarray) -> np.ndarray:
    """Power spectrum (rfft2 layout) of a windowed square map (log luminance or its orientation), coarse
    mottling removed."""
    d = d - d.mean()
    n0, n1 = d.shape
    win = (np.hanning(n0)[:, None] * np.hanning(n1)[None, :]).astype(np.float32)
    p = np.abs(np.fft.rfft2(d * win)) ** 2
    f0, f1 = np.fft.fftfreq(n0)[:, None], np.fft.rfftfreq(n1)[None, :]
    p *= np.hypot(f0, f1) >= 1 / (2 * MAX_PERIOD)  # nothing coarser than two of the largest threads
    return p


def _peak(m: np.ndarray, f: np.ndarray) -> tuple[float, float]:
    """Strongest peak of a marginal power spectrum over local background (median of +-30 % in frequency)."""
    sel = np.flatnonzero((f >= 1 / MAX_PERIOD) & (f <= 1 / MIN_PERIOD))
    energy = np.convolve(m, np.ones(3) / 3, "same")
    ratios = np.array([energy[i] / max(np.median(m[(f > f[i] * 0.7) & (f < f[i] * 1.3)]), 1e-30) for i in sel])
    i = int(sel[np.argmax(ratios)])
    best = f[i]
    a, b, c = np.log(m[i - 1:i + 2] + 1e-30)  # sub-bin: parabola through the log power around the peak
    den = a - 2 * b + c
    if den < 0:
        best = f[i] + 0.5 * (a - c) / den * (f[1] - f[0])
    return 1.0 / best, float(ratios.max())


def thread_periods(power: np.ndarray) -> Periods:
    """Thread spacing along x (ends) and y (picks) from a square map's spectrum(): the strongest peak near
    each frequency axis (within AXIS_CONE), where the lines between neighbouring yarns put their energy;
    diagonal peaks (twill lines, the checker of a plain weave) are left to the draft match."""
    n = power.shape[0]
    fx = np.fft.rfftfreq(n)[None, :]
    fy = np.abs(np.fft.fftfreq(n))[:, None]
    weight = np.where((fx == 0) | (fx == 0.5), 1.0, 2.0)  # rfft2 holds one of each +-fx pair
    p = power * weight
    iy = np.rint(fy[:, 0] * n).astype(int)
    f = np.arange(n // 2 + 1) / n

    def marginals(keep_x, keep_y):
        mx = (p * keep_x).sum(0)  # by horizontal frequency
        my = np.bincount(iy, weights=(p * keep_y).sum(1), minlength=n // 2 + 1)[:n // 2 + 1]
        return _peak(mx, fx[0]), _peak(my, f)

    (px, _), (py, _) = marginals(fy <= AXIS_CONE * fx, fx <= AXIS_CONE * fy)
    # How periodic: over the whole spectrum (a knit's or twill's peaks lie off the axes too).
    (lx, rx), (ly, ry) = marginals(True, True)
    across = float((p * (fy <= AXIS_CONE * fx)).sum() / max((p * (fx <= AXIS_CONE * fy)).sum(), 1e-30))
    return Periods(float(px), float(py), rx, ry, float(lx), float(ly), across)


def acf(power: np.ndarray, n: int) -> np.ndarray:
    """Normalised autocorrelation (n, n) from a spectrum(), zero lag at [0, 0] (circular lags)."""
    a = np.fft.irfft2(power, (n, n))
    return a / max(float(a[0, 0]), 1e-30)


def _sample(a: np.ndarray, ly: np.ndarray, lx: np.ndarray) -> np.ndarray:
    """Bilinear samples of a circular ACF at fractional lags."""
    n0, n1 = a.shape
    y0, x0 = np.floor(ly).astype(int), np.floor(lx).astype(int)
    ty, tx = ly - y0, lx - x0
    g = lambda y, x: a[y % n0, x % n1]  # noqa: E731
    return ((1 - ty) * ((1 - tx) * g(y0, x0) + tx * g(y0, x0 + 1))
            + ty * ((1 - tx) * g(y0 + 1, x0) + tx * g(y0 + 1, x0 + 1)))


def draft_acf(up: np.ndarray, lags: int = LAGS) -> np.ndarray:
    """A draft's circular ACF on its thread grid, for lags -lags..lags each way ((2 lags + 1)^2)."""
    u = up.astype(np.float64) - up.mean()
    f = np.fft.fft2(u)
    a = np.real(np.fft.ifft2(np.abs(f) ** 2)) / max((u * u).sum(), 1e-30)
    r = np.arange(-lags, lags + 1)
    return a[r[:, None] % up.shape[0], r[None, :] % up.shape[1]]


def _orientations(up: np.ndarray):
    seen = []
    for m in (up, up[:, ::-1], up.T, up.T[:, ::-1]):
        if not any(s.shape == m.shape and (s == m).all() for s in seen):
            seen.append(m)
            yield m


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    keep = np.ones(a.shape, bool)
    keep[a.shape[0] // 2, a.shape[1] // 2] = False  # zero lag: 1 in both
    a, b = a[keep] - a[keep].mean(), b[keep] - b[keep].mean()
    return float((a * b).sum() / max(np.sqrt((a * a).sum() * (b * b).sum()), 1e-12))


def draft_score(a: np.ndarray, up: np.ndarray, px: float, py: float) -> float:
    """Correlation of the photo's thread-lag ACF (``a``: acf() of its orientation) with a draft's."""
    r = np.arange(-LAGS, LAGS + 1, dtype=np.float64)
    return _corr(_sample(a, r[:, None] * py, r[None, :] * px), draft_acf(up))


def match_satin(power: np.ndarray, periods: Periods) -> DraftMatch:
    """A satin's interlacings are all that shows of it, so the spectral spacing is one repeat: the satin (and
    orientation) whose ACF matches best at threads of spacing / ends."""
    a = acf(power, power.shape[0])
    best = {}
    for name in ("satin_5", "satin_8"):
        for m in _orientations(DRAFTS[name].up):
            px, py = periods.x / m.shape[1], periods.y / m.shape[0]
            if min(px, py) < 1.0:
                continue
            s = draft_score(a, m, px, py)
            if name not in best or s > best[name].score:
                best[name] = DraftMatch(name, m, px, py, s, {})
    return candidates(best) if best else None


def _factors(repeat: int, base=(1.0, 0.5, 0.25, 0.125)) -> list[float]:
    """Thread spacing / spectral spacing to try for a draft repeating every ``repeat`` threads: the spectral
    peak may be its k-th harmonic of the repeat (k / repeat), or a whole fraction of it."""
    return sorted(set(base) | {k / repeat for k in range(1, repeat + 1)}, reverse=True)


def match_draft(power: np.ndarray, periods: Periods) -> DraftMatch:
    """The named draft (in any orientation) whose thread-lag ACF best matches the photo's (``power``: the
    spectrum of its orientation()), over thread spacings that put the spectral peak at a harmonic of the
    draft's repeat along each axis; finer spacings pay COARSER per halving."""
    n = power.shape[0]
    a = acf(power, n)
    r = np.arange(-LAGS, LAGS + 1, dtype=np.float64)
    best = {}
    sampled = {}  # the photo's thread-lag ACF per spacing, shared by the drafts that try it
    for name, d in DRAFTS.items():
        for m in _orientations(d.up):
            t = draft_acf(m)
            for fy in _factors(m.shape[0]):
                for fx in _factors(m.shape[1]):
                    px, py = periods.x * fx, periods.y * fy
                    if min(px, py) < 1.0:
                        continue
                    if (fx, fy) not in sampled:
                        sampled[fx, fy] = _sample(a, r[:, None] * py, r[None, :] * px)
                    s = _corr(sampled[fx, fy], t) + COARSER * (np.log2(fx) + np.log2(fy))
                    if name not in best or s > best[name].score:
                        best[name] = DraftMatch(name, m, px, py, s, {})
    return candidates(best)


def candidates(best: dict) -> DraftMatch:
    """The best of per-draft matches, carrying every draft's score and its own best match."""
    top = max(best.values(), key=lambda m: m.score)
    return DraftMatch(top.draft, top.up, top.px_x, top.px_y, top.score, {k: m.score for k, m in best.items()}, best)
