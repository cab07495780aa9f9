"""PCA of body shapes (the baseline, and the basis the VAE decodes onto)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class PCA:
    mean: np.ndarray  # (D,) mean body, flattened metres
    components: np.ndarray  # (K, D) orthonormal rows
    std: np.ndarray  # (K,) standard deviation of each coefficient on the training set

    @classmethod
    def fit(cls, x: np.ndarray, k: int, seed: int = 0) -> PCA:
        x = np.asarray(x, np.float64)
        mean = x.mean(0)
        xc = x - mean
        # Exact PCA through the (N, N) Gram matrix: N bodies << 40k coordinates, and one BLAS-3
        # product plus a small eigendecomposition is much faster than an SVD of the data.
        evals, evecs = np.linalg.eigh(xc @ xc.T)
        order = np.argsort(evals)[::-1]
        s = np.sqrt(np.clip(evals[order], 0, None))
        keep = s > 1e-12
        s, u = s[keep], evecs[:, order][:, keep]
        vt = (u.T @ xc) / s[:, None]
        # Drop directions without real variance (few samples): whitening would divide by ~0.
        k = min(k, int((s > 1e-4 * s[0]).sum()), len(x) - 1)
        return cls(mean.astype(np.float32), vt[:k].astype(np.float32), (s[:k] / np.sqrt(len(x) - 1)).astype(np.float32))

    def project(self, x: np.ndarray, k: int | None = None) -> np.ndarray:
        k = k or len(self.std)
        return (np.asarray(x, np.float32) - self.mean) @ self.components[:k].T

    def reconstruct(self, coeffs: np.ndarray) -> np.ndarray:
        k = coeffs.shape[-1]
        return coeffs @ self.components[:k] + self.mean


def per_vertex_error_mm(a: np.ndarray, b: np.ndarray) -> float:
    """Mean Euclidean per-vertex distance (mm) between flattened (N, V*3) bodies."""
    d = (np.asarray(a) - np.asarray(b)).reshape(len(a), -1, 3)
    return float(np.linalg.norm(d, axis=2).mean() * 1000)


def error_curve(pca: PCA, held_out: np.ndarray, ks) -> dict[int, float]:
    """Held-out reconstruction error (mm) for each number of components k."""
    return {int(k): per_vertex_error_mm(held_out, pca.reconstruct(pca.project(held_out, k))) for k in ks}
