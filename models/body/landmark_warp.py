"""Put a body's ANSUR landmarks at a real person's heights with a smooth vertical remap z -> f(z).

MakeHuman's parameters set girths and lengths but not where on the trunk the levels sit (its
armpits are low, its bust and buttock levels differ from ANSUR's), so a body fitted to a subject's
girths still has them at the wrong heights. A monotone remap of z alone moves each landmark to the
subject's ANSUR height and keeps every horizontal section (so every girth at a landmark) as it was:
horizontal planes map to horizontal planes. Knots: the floor, then ``KNOTS`` bottom to top; a
target that would fold the order (ANSUR has a few subjects whose axilla is below the chest point)
or stretch a segment beyond ``MAX_STRETCH`` is moved to the nearest allowed height, so the remap
stays monotone, smooth and plausible.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import PchipInterpolator

# Bottom to top; names as in inference.measure.ANSUR_HEIGHTS.
KNOTS = ("crotch", "buttock", "navel", "bust_l", "axilla", "crown")
MIN_GAP_CM = 0.5  # source landmarks closer than this to the previous knot are not knots
MAX_STRETCH = 2.0  # a segment may grow or shrink by at most this factor (MakeHuman's buttock
# level sits 7-10 cm above its crotch, ANSUR's 4-5 cm: that segment is squeezed up to 2x)


def knots(src: dict[str, float], dst: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(K,) source and target heights (cm) of the knots, floor first; NaN targets are skipped."""
    s_out, d_out = [0.0], [0.0]
    for name in KNOTS:
        s, d = float(src[name]), float(dst.get(name, np.nan))
        ds = s - s_out[-1]
        if not np.isfinite(d) or ds < MIN_GAP_CM:
            continue
        d = float(np.clip(d, d_out[-1] + ds / MAX_STRETCH, d_out[-1] + ds * MAX_STRETCH))
        s_out.append(s)
        d_out.append(d)
    return np.array(s_out), np.array(d_out)


def remap(co: np.ndarray, src_cm: np.ndarray, dst_cm: np.ndarray) -> np.ndarray:
    """Body (V, 3), floor at its lowest point, with z remapped through the knots; floor stays at 0.

    Above the top knot the last segment's scale continues (the crown is the top knot normally)."""
    co = np.array(co, np.float64)
    floor = co[:, 2].min()
    z = (co[:, 2] - floor) * 100.0
    if len(src_cm) < 2:
        co[:, 2] = z / 100.0
        return co
    f = PchipInterpolator(src_cm, dst_cm, extrapolate=False)
    out = f(z)
    top = z > src_cm[-1]
    scale = (dst_cm[-1] - dst_cm[-2]) / (src_cm[-1] - src_cm[-2])
    out[top] = dst_cm[-1] + (z[top] - src_cm[-1]) * scale
    co[:, 2] = out / 100.0
    return co


def to_heights(co: np.ndarray, measurer, dst: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The body with its landmarks at ``dst`` (cm); returns (vertices, source knots, target knots)."""
    src_cm, dst_cm = knots(measurer.landmark_heights(co), dst)
    return remap(co, src_cm, dst_cm), src_cm, dst_cm


def knot_arrays(pairs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Ragged knot lists -> two (N, 1 + len(KNOTS)) arrays padded with NaN, for the dataset file."""
    n = 1 + len(KNOTS)
    s = np.full((len(pairs), n), np.nan)
    d = np.full((len(pairs), n), np.nan)
    for i, (a, b) in enumerate(pairs):
        s[i, : len(a)], d[i, : len(b)] = a, b
    return s, d


def remap_many(bodies: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """(N, V, 3) bodies remapped by padded knot arrays (NaN = no knot)."""
    out = np.empty(bodies.shape, np.float32)
    for i, co in enumerate(bodies):
        keep = np.isfinite(src[i])
        out[i] = remap(co, src[i][keep], dst[i][keep])
    return out
