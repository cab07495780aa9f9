"""A swatch photo's yarn colours and how they are laid out: palette by k-means in CIE Lab, warp and weft
colour sequences from the colour profiles across columns and down rows.

    pal = yarn_palette(photo.linear)                    # Palette: colours (sRGB), shares, labels
    warp, weft = colour_sequences(pal, px_x, px_y, threads_per_cm, picks_per_cm)

Shading makes one yarn a spread of lightnesses (the crest of a yarn is lighter than its flanks), so
clusters are kept apart only when they differ as yarns do: CIEDE2000 with lightness weighted down
(k_L = 3) above MIN_DELTA_E, or, differing in lightness alone (a dark and a light yarn of one hue),
lying in stripes (each's share varying across column or row bands); and each at least MIN_SHARE of
the pixels. Otherwise they merge. Each
yarn's colour is its pixels' mean in linear light (the engine's yarn shading keeps a yarn's mean to
its requested colour, so the variation's mean colour follows the photo's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import color as colour

MAX_YARNS = 4
MIN_DELTA_E = 10.0  # CIEDE2000 (k_L = 3) between two yarn colours
MIN_SHARE = 0.10  # of the pixels
SAMPLES = 20000
STRIPED = 0.2  # a colour's share varying this much (std) from thread to thread is a stripe or check
MAX_STEPS = 12  # colour steps in a sequence


@dataclass(frozen=True)
class Palette:
    srgb: np.ndarray  # (K, 3) yarn colours, largest share first
    shares: np.ndarray  # (K,)
    labels: np.ndarray  # (H, W) int index of each pixel's yarn colour
    mean_srgb: np.ndarray  # (3,) mean colour of the whole photo (linear-light mean)


def _de(lab1, lab2) -> np.ndarray:
    """CIEDE2000 with k_L = 3: lightness counts a third (shading), hue and chroma fully."""
    l1, l2 = np.asarray(lab1, np.float64).copy(), np.asarray(lab2, np.float64).copy()
    mid = (l1[..., 0] + l2[..., 0]) / 2
    l1[..., 0] = mid + (l1[..., 0] - mid) / 3
    l2[..., 0] = mid + (l2[..., 0] - mid) / 3
    return colour.ciede2000(l1, l2)


def _kmeans(x: np.ndarray, k: int, rng: np.random.Generator, iters: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Centres and labels of k-means (k-means++ seeding) on rows of x."""
    c = [x[rng.integers(len(x))]]
    for _ in range(1, k):
        d = np.min(((x[:, None] - np.array(c)[None]) ** 2).sum(-1), 1)
        c.append(x[rng.choice(len(x), p=d / max(d.sum(), 1e-12))])
    c = np.array(c)
    for _ in range(iters):
        lab = _nearest(x, c)
        c = np.array([x[lab == j].mean(0) if (lab == j).any() else c[j] for j in range(k)])
    return c, _nearest(x, c)


def _nearest(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.argmin((x * x).sum(1)[:, None] - 2 * x @ c.T + (c * c).sum(1)[None], 1)


def yarn_palette(linear: np.ndarray, seed: int = 0) -> Palette:
    """The yarn colours of a photo (H, W, 3 linear RGB, lighting evened out)."""
    h, w, _ = linear.shape
    flat = linear.reshape(-1, 3)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(flat), min(SAMPLES, len(flat)), replace=False)
    lin = flat[pick].astype(np.float64)
    x = colour.srgb_to_lab(colour.linear_to_srgb(lin))
    centres, lab = x.mean(0, keepdims=True), np.zeros(len(x), int)
    grid = linear[::4, ::4]  # for the stripe test: labels on a coarse grid are enough
    grid_lab = colour.srgb_to_lab(colour.linear_to_srgb(grid.reshape(-1, 3).astype(np.float64)))
    for k in range(MAX_YARNS, 1, -1):
        c, lk = _kmeans(x, k, rng)
        shares = np.bincount(lk, minlength=k) / len(x)
        if shares.min() < MIN_SHARE:
            continue
        banded = None
        ok = True
        for i in range(k):
            for j in range(i + 1, k):
                if _de(c[i], c[j]) >= MIN_DELTA_E:
                    continue
                if colour.ciede2000(c[i], c[j]) < MIN_DELTA_E:
                    ok = False  # as close as shading makes one yarn
                    break
                if banded is None:  # lighter and darker only: two yarns if they lie in stripes, else shading
                    banded = _banding(_nearest(grid_lab, c).reshape(grid.shape[:2]), k)
                if min(banded[i], banded[j]) < STRIPED:
                    ok = False
                    break
            if not ok:
                break
        if ok:
            centres, lab = c, lk
            break
    k = len(centres)
    order = np.argsort(-np.bincount(lab, minlength=k))
    centres = centres[order]
    lab = np.argsort(order)[lab]
    means = np.array([lin[lab == j].mean(0) for j in range(k)])
    if k == 1:
        labels = np.zeros((h, w), int)
    else:  # every pixel's yarn (for the stripe profiles), in chunks to bound memory
        labels = np.concatenate([_nearest(colour.srgb_to_lab(colour.linear_to_srgb(flat[i:i + 65536].astype(
            np.float64))), centres) for i in range(0, len(flat), 65536)]).reshape(h, w)
    return Palette(srgb=colour.linear_to_srgb(means), shares=np.bincount(lab, minlength=k) / len(lab), labels=labels,
                   mean_srgb=colour.linear_to_srgb(flat.mean(0, dtype=np.float64)))


def _banding(labels: np.ndarray, k: int, bands: int = 48) -> np.ndarray:
    """How much each label's share varies between column bands or row bands (std, the larger): stripes."""
    out = np.zeros(k)
    h, w = labels.shape
    for j in range(k):
        m = (labels == j).astype(np.float64)
        cols = [c.mean() for c in np.array_split(m, min(bands, w), axis=1)]
        rows = [r.mean() for r in np.array_split(m, min(bands, h), axis=0)]
        out[j] = max(np.std(cols), np.std(rows))
    return out


def _one_repeat(seq: np.ndarray, agree: float = 0.9) -> np.ndarray:
    """The shortest stretch whose repetition is the sequence (90 % of threads agreeing: a few mislabelled
    ones), started at a colour change; the whole sequence if it holds no repeat twice."""
    n = len(seq)
    for p in range(2, n // 2 + 1):
        if np.mean(seq[:n - p] == seq[p:]) >= agree:
            change = np.flatnonzero(seq[1:p + 1] != seq[:p])
            start = int(change[0]) + 1 if len(change) else 0
            return np.roll(seq, -start)[:p]
    return seq


def _profile_sequence(share: np.ndarray, srgb: np.ndarray, per_cm: float, px: float):
    """A colour sequence ((sRGB, cm), ...) from each colour's share along one axis, one value per thread;
    None where no colour's share varies from thread to thread as a stripe does."""
    n = int(len(share[0]) // px)
    if n < 2:
        return None
    edges = (np.arange(n + 1) * px).astype(int)
    per_thread = np.stack([np.add.reduceat(s, edges[:-1])[:n] / np.diff(edges) for s in share])
    if per_thread.std(1).max() < STRIPED:
        return None
    dominant = _one_repeat(np.argmax(per_thread, 0))
    steps = []
    for j in dominant:
        if steps and steps[-1][0] == j:
            steps[-1][1] += 1
        else:
            steps.append([int(j), 1])
    if len(steps) > 1 and steps[0][0] == steps[-1][0]:  # the photo's edge cuts one stripe in two
        steps[0][1] += steps.pop()[1]
    steps = steps[:MAX_STEPS]
    return tuple((tuple(float(v) for v in srgb[j]), round(count / per_cm, 3)) for j, count in steps)


def colour_sequences(pal: Palette, px_x: float, px_y: float, threads_per_cm: float, picks_per_cm: float):
    """(warp, weft) colour sequences in cm, or None for either that is the palette's main colour alone."""
    k = len(pal.srgb)
    if k == 1:
        return None, None
    onehot = [(pal.labels == j) for j in range(k)]
    warp = _profile_sequence([o.mean(0) for o in onehot], pal.srgb, threads_per_cm, px_x)  # across columns
    weft = _profile_sequence([o.mean(1) for o in onehot], pal.srgb, picks_per_cm, px_y)  # down rows
    if warp is None and weft is None:  # no stripes: two yarn colours cross (denim, chambray, shot silk)
        return ((tuple(float(v) for v in pal.srgb[0]), 1.0),), ((tuple(float(v) for v in pal.srgb[1]), 1.0),)
    return warp, weft
