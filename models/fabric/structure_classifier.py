"""Which kind a fabric map shows, judged from its structure: the evaluation's recognisability metric.

Descriptors (all from the maps, none from the request except the pixel scale it was made at):
autocorrelation of height and luminance sampled at whole-thread lags (the weave: plain, twill, satin,
basket, herringbone, knit), autocorrelation of luminance and colour-opponent channels at centimetre
lags (stripes, checks, plaid repeats), and first-order statistics (relief, tone spread, roughness,
how much of the luminance variance runs along rows or columns). A regularised linear discriminant
(shared covariance + shrinkage) is fitted on synthesiser renders of held-out seeds; generated maps
are then classified and the confusion matrix reported.
"""

from __future__ import annotations

import numpy as np

THREAD_LAGS = np.arange(-4, 5)  # lags in threads
CM_LAGS = np.linspace(0.1, 1.6, 16)  # lags in cm


def _acf(img: np.ndarray) -> np.ndarray:
    """Cyclic autocorrelation (the maps are tiles), normalised to 1 at lag 0."""
    g = img - img.mean()
    f = np.fft.fft2(g)
    a = np.real(np.fft.ifft2(f * np.conj(f)))
    return a / max(a[0, 0], 1e-12)


def _sample(acf: np.ndarray, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """Bilinear lookup of a cyclic ACF at real-valued lags (pixels)."""
    h, w = acf.shape
    y0, x0 = np.floor(dy).astype(int), np.floor(dx).astype(int)
    ty, tx = dy - y0, dx - x0
    at = lambda y, x: acf[y % h, x % w]  # noqa: E731
    return ((1 - ty) * (1 - tx) * at(y0, x0) + (1 - ty) * tx * at(y0, x0 + 1) + ty * (1 - tx) * at(y0 + 1, x0)
            + ty * tx * at(y0 + 1, x0 + 1))


def descriptor(albedo: np.ndarray, height: np.ndarray, roughness: np.ndarray, px_per_thread: float,
               px_per_cm: float) -> np.ndarray:
    lin = np.where(albedo <= 0.04045, albedo / 12.92, ((albedo + 0.055) / 1.055) ** 2.4)
    lum = lin @ np.array([0.2126, 0.7152, 0.0722])
    opp = [lin[..., 0] - lin[..., 1], lin[..., 2] - 0.5 * (lin[..., 0] + lin[..., 1])]
    ty, tx = np.meshgrid(THREAD_LAGS * px_per_thread, THREAD_LAGS * px_per_thread, indexing="ij")
    feats = [_sample(_acf(height), ty, tx).ravel(), _sample(_acf(lum), ty, tx).ravel()]
    cm = CM_LAGS * px_per_cm
    zero = np.zeros_like(cm)
    for ch in (lum, *opp):
        a = _acf(ch) if ch.std() > 1e-4 else np.zeros(ch.shape)
        feats += [_sample(a, zero, cm), _sample(a, cm, zero)]
    var = max(lum.var(), 1e-12)
    stats = [height.std(), lum.std() / max(lum.mean(), 1e-6), roughness.mean(), roughness.std(),
             *(np.percentile(lum, [5, 25, 75, 95]) / max(lum.mean(), 1e-6)), opp[0].std(), opp[1].std(),
             lum.mean(1).var() / var, lum.mean(0).var() / var]
    return np.concatenate([*feats, np.array(stats)]).astype(np.float64)


def maps_descriptor(maps) -> np.ndarray:
    """Descriptor of engine maps (FabricMaps): the scale comes from its info."""
    info = maps.info
    return descriptor(maps.albedo, maps.height, maps.roughness, info["px_per_thread"],
                      info["size"] / info["tile_cm"])


class StructureClassifier:
    """Regularised LDA: class means, a pooled covariance shrunk towards its diagonal."""

    def __init__(self, shrink: float = 0.3):
        self.shrink = shrink

    def fit(self, x: np.ndarray, labels: list[str]) -> StructureClassifier:
        self.classes = sorted(set(labels), key=labels.index)
        y = np.array([self.classes.index(v) for v in labels])
        self.mu, self.sd = x.mean(0), x.std(0) + 1e-6
        z = (x - self.mu) / self.sd
        self.means = np.stack([z[y == k].mean(0) for k in range(len(self.classes))])
        resid = z - self.means[y]
        cov = resid.T @ resid / max(len(z) - len(self.classes), 1)
        cov = (1 - self.shrink) * cov + self.shrink * np.diag(np.diag(cov)) + 1e-3 * np.eye(len(cov))
        self.prec = np.linalg.inv(cov)
        return self

    def predict(self, x: np.ndarray) -> list[str]:
        z = (np.atleast_2d(x) - self.mu) / self.sd
        d = z[:, None, :] - self.means[None]
        score = np.einsum("nkd,de,nke->nk", d, self.prec, d)
        return [self.classes[i] for i in score.argmin(1)]


def confusion(true: list[str], pred: list[str], classes: list[str]) -> np.ndarray:
    m = np.zeros((len(classes), len(classes)), int)
    for t, p in zip(true, pred, strict=True):
        m[classes.index(t), classes.index(p)] += 1
    return m
