"""Texture metrics (formulas in DESIGN.md), numpy only: one module for tests, evaluation and the engine.

Images are float arrays (H, W) or (H, W, C) in [0, 1]. No pretrained networks: learned-feature
metrics use a fixed random CNN.
"""

from __future__ import annotations

import numpy as np

from .color import ciede2000, linear_to_srgb, srgb_to_lab, srgb_to_linear

HF_CUTOFF = 0.25  # cycles per pixel (Nyquist = 0.5)


def _gray(img: np.ndarray) -> np.ndarray:
    img = np.asarray(img, np.float64)
    return img.mean(axis=2) if img.ndim == 3 else img


# -- seams ---------------------------------------------------------------------------------------
def seam_gradient_ratio(img: np.ndarray, axis: int = 1) -> float:
    """SGR = mean |I(y,0) - I(y,W-1)| / mean |I(y,x+1) - I(y,x)| along ``axis`` (1 = x, 0 = y).

    Periodic (tileable) content gives ~1.0; a crop of non-periodic content ~1.8 for natural noise.
    """
    a = np.asarray(img, np.float64)
    if axis == 0:
        a = np.swapaxes(a, 0, 1)
    seam = np.abs(a[:, 0] - a[:, -1]).mean()
    inner = np.abs(np.diff(a, axis=1)).mean()
    return float(seam / max(inner, 1e-12))


def max_seam_ratio(img: np.ndarray) -> float:
    return max(seam_gradient_ratio(img, 0), seam_gradient_ratio(img, 1))


# -- spectra -------------------------------------------------------------------------------------
def radial_power_spectrum(img: np.ndarray, bins: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Radially averaged power spectrum of the (mean-removed, grey) image: (frequencies, power)."""
    g = _gray(img)
    g = g - g.mean()
    p = np.abs(np.fft.fft2(g)) ** 2
    fy = np.fft.fftfreq(g.shape[0])[:, None]
    fx = np.fft.fftfreq(g.shape[1])[None, :]
    f = np.sqrt(fx**2 + fy**2)
    edges = np.linspace(0, 0.5, bins + 1)
    idx = np.clip(np.digitize(f.ravel(), edges) - 1, 0, bins - 1)
    inside = f.ravel() <= 0.5
    power = np.bincount(idx[inside], p.ravel()[inside], bins) / np.maximum(np.bincount(idx[inside], None, bins), 1)
    return (edges[:-1] + edges[1:]) / 2, power


def hfer(img: np.ndarray, cutoff: float = HF_CUTOFF) -> float:
    """High-frequency energy ratio: power above ``cutoff`` cycles/pixel over all power (radial spectrum)."""
    f, p = radial_power_spectrum(img)
    return float(p[f > cutoff].sum() / max(p.sum(), 1e-30))


def log_spectral_distance(a: np.ndarray, b: np.ndarray) -> float:
    """LSD = sqrt(mean_f (log10 P_a(f) - log10 P_b(f))^2) of unit-sum radial spectra."""
    _, pa = radial_power_spectrum(a)
    _, pb = radial_power_spectrum(b)
    pa, pb = pa / max(pa.sum(), 1e-30), pb / max(pb.sum(), 1e-30)
    return float(np.sqrt(np.mean((np.log10(pa + 1e-12) - np.log10(pb + 1e-12)) ** 2)))


# -- sliced Wasserstein on Laplacian-pyramid patches -----------------------------------------------
def _blur_down(img: np.ndarray) -> np.ndarray:
    k = np.array([1, 4, 6, 4, 1], np.float64) / 16
    out = img
    for axis in (0, 1):
        out = sum(w * np.roll(out, s, axis=axis) for w, s in zip(k, range(-2, 3), strict=True))
    return out[::2, ::2]


def laplacian_pyramid(img: np.ndarray, levels: int = 3) -> list[np.ndarray]:
    cur = np.asarray(img, np.float64)
    if cur.ndim == 2:
        cur = cur[..., None]
    out = []
    for _ in range(levels - 1):
        down = _blur_down(cur)
        up = np.repeat(np.repeat(down, 2, 0), 2, 1)[: cur.shape[0], : cur.shape[1]]
        out.append(cur - up)
        cur = down
    out.append(cur)
    return out


def _patches(level: np.ndarray, n: int, rng: np.random.Generator, size: int = 7) -> np.ndarray:
    h, w, c = level.shape
    ys = rng.integers(0, h - size + 1, n)
    xs = rng.integers(0, w - size + 1, n)
    p = np.stack([level[y:y + size, x:x + size] for y, x in zip(ys, xs, strict=True)]).reshape(n, -1)
    return p - p.mean(1, keepdims=True)


def sliced_wasserstein(a_imgs, b_imgs, n_patches: int = 2048, n_proj: int = 64, seed: int = 0) -> float:
    """SWD between 7x7 Laplacian-pyramid patch sets of two image sets, averaged over pyramid levels."""
    rng = np.random.default_rng(seed)
    pa = [laplacian_pyramid(im) for im in a_imgs]
    pb = [laplacian_pyramid(im) for im in b_imgs]
    dists = []
    for lvl in range(len(pa[0])):
        if min(pa[0][lvl].shape[:2] + pb[0][lvl].shape[:2]) < 8:
            continue
        xa = np.concatenate([_patches(p[lvl], n_patches // len(pa) + 1, rng) for p in pa])[:n_patches]
        xb = np.concatenate([_patches(p[lvl], n_patches // len(pb) + 1, rng) for p in pb])[:n_patches]
        std = np.concatenate([xa, xb]).std() + 1e-12
        proj = rng.standard_normal((xa.shape[1], n_proj))
        proj /= np.linalg.norm(proj, axis=0, keepdims=True)
        sa, sb = np.sort(xa @ proj / std, 0), np.sort(xb @ proj / std, 0)
        dists.append(np.abs(sa - sb).mean())
    return float(np.mean(dists))


# -- random CNN features -------------------------------------------------------------------------
class RandomCNN:
    """A fixed, randomly initialised 3-layer CNN (3x3 convs, stride 2, ReLU) for texture statistics."""

    def __init__(self, channels=(3, 32, 64, 96), seed: int = 0):
        rng = np.random.default_rng(seed)
        self.weights = [rng.standard_normal((co, ci, 3, 3)) * np.sqrt(2.0 / (ci * 9))
                        for ci, co in zip(channels[:-1], channels[1:], strict=True)]

    def features(self, img: np.ndarray) -> list[np.ndarray]:
        x = np.asarray(img, np.float64)
        if x.ndim == 2:
            x = np.repeat(x[..., None], 3, 2)
        x = (x - 0.5).transpose(2, 0, 1)
        feats = []
        for w in self.weights:
            cols = np.stack([np.roll(x, (-dy, -dx), (1, 2)) for dy in (-1, 0, 1) for dx in (-1, 0, 1)], 1)
            y = np.einsum("oik,ikhw->ohw", w.reshape(w.shape[0], w.shape[1], 9), cols)[:, ::2, ::2]
            x = np.maximum(y, 0)
            feats.append(x)
        return feats

    def gram(self, img: np.ndarray) -> list[np.ndarray]:
        out = []
        for f in self.features(img):
            flat = f.reshape(f.shape[0], -1)
            out.append(flat @ flat.T / flat.shape[1])
        return out

    def embed(self, img: np.ndarray) -> np.ndarray:
        """Channel means and standard deviations of every layer: a texture descriptor."""
        return np.concatenate([np.concatenate([f.mean((1, 2)), f.std((1, 2))]) for f in self.features(img)])


def gram_distance(a: np.ndarray, b: np.ndarray, cnn: RandomCNN | None = None) -> float:
    """Mean relative Frobenius distance between Gram matrices of the random CNN's layers."""
    cnn = cnn or RandomCNN()
    d = [np.linalg.norm(ga - gb) / (np.linalg.norm(gb) + 1e-12) for ga, gb in zip(cnn.gram(a), cnn.gram(b),
                                                                                   strict=True)]
    return float(np.mean(d))


def _mean_pairwise(emb: np.ndarray) -> float:
    d = np.linalg.norm(emb[:, None] - emb[None], axis=2)
    n = len(emb)
    return float(d.sum() / max(n * (n - 1), 1))


def diversity_ratio(generated, real, cnn: RandomCNN | None = None) -> float:
    """DR = E d(g_i, g_j) / E d(r_i, r_j) on random-CNN embeddings (>= 0.8: no mode collapse)."""
    cnn = cnn or RandomCNN()
    g = np.stack([cnn.embed(x) for x in generated])
    r = np.stack([cnn.embed(x) for x in real])
    return _mean_pairwise(g) / max(_mean_pairwise(r), 1e-12)


def density_coverage(real_emb: np.ndarray, fake_emb: np.ndarray, k: int = 5) -> tuple[float, float]:
    """Density and coverage (Naeem et al. 2020) with k-NN balls around real embeddings."""
    rr = np.linalg.norm(real_emb[:, None] - real_emb[None], axis=2)
    radius = np.sort(rr, axis=1)[:, k]  # k-th neighbour (index 0 is the point itself)
    rf = np.linalg.norm(real_emb[:, None] - fake_emb[None], axis=2)  # (R, F)
    inside = rf <= radius[:, None]
    density = inside.sum() / (k * fake_emb.shape[0])
    coverage = inside.any(axis=1).mean()
    return float(density), float(coverage)


def mean_color_delta_e(albedo: np.ndarray, requested_srgb) -> float:
    """CIEDE2000 between the requested colour and the generated albedo's mean colour.

    The mean is taken in linear light (what the eye integrates over fine weave detail).
    """
    mean_srgb = linear_to_srgb(srgb_to_linear(np.asarray(albedo).reshape(-1, 3)).mean(0))
    return float(ciede2000(srgb_to_lab(mean_srgb), srgb_to_lab(requested_srgb)))
