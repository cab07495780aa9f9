"""Conditional VAE over whitened PCA coefficients of body shapes.

condition = slider measurements (cm / kg, normalised inside the model) + sex; the latent z is the
residual "body style". The decoder's last layer is linear onto the (fixed) PCA basis, so the
exported decoder maps (condition, style) straight to template vertices.
"""

from __future__ import annotations

import torch
from torch import nn

from inference.vocabulary import SLIDERS

CONDITION_NAMES = (*SLIDERS, "sex")


def mlp(n_in: int, n_out: int, width: int, depth: int) -> nn.Sequential:
    layers, d = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.SiLU()]
        d = width
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


class BodyCVAE(nn.Module):
    def __init__(self, pca_mean, pca_components, pca_std, cond_mean, cond_std, latent: int = 4,
                 width: int = 256, depth: int = 3):
        super().__init__()
        self.latent = latent
        k = pca_components.shape[0]
        self.register_buffer("pca_mean", torch.as_tensor(pca_mean, dtype=torch.float32))
        self.register_buffer("pca_components", torch.as_tensor(pca_components, dtype=torch.float32))
        self.register_buffer("pca_std", torch.as_tensor(pca_std, dtype=torch.float32))
        self.register_buffer("cond_mean", torch.as_tensor(cond_mean, dtype=torch.float32))
        self.register_buffer("cond_std", torch.as_tensor(cond_std, dtype=torch.float32))
        n_cond = len(CONDITION_NAMES)
        self.encoder = mlp(k + n_cond, 2 * latent, width, depth)
        self.decoder = mlp(latent + n_cond, k, width, depth)

    def norm_cond(self, cond: torch.Tensor) -> torch.Tensor:
        return (cond - self.cond_mean) / self.cond_std

    def whiten(self, vertices_flat: torch.Tensor) -> torch.Tensor:
        return ((vertices_flat - self.pca_mean) @ self.pca_components.T) / self.pca_std

    def encode_whitened(self, w: torch.Tensor, cond: torch.Tensor):
        h = self.encoder(torch.cat([w, self.norm_cond(cond)], 1))
        mu, logvar = h.chunk(2, dim=1)
        return mu, logvar.clamp(-12, 6)

    def decode_whitened(self, z: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self.decoder(torch.cat([z, self.norm_cond(cond)], 1))

    def to_vertices(self, w: torch.Tensor) -> torch.Tensor:
        """Whitened coefficients -> flattened vertices: the linear layer onto the PCA basis."""
        return (w * self.pca_std) @ self.pca_components + self.pca_mean

    def forward(self, w: torch.Tensor, cond: torch.Tensor):
        mu, logvar = self.encode_whitened(w, cond)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)  # reparameterisation
        return self.decode_whitened(z, cond), mu, logvar


class DecoderExport(nn.Module):
    """(condition, style) -> vertices (N, V, 3): what the engine runs."""

    def __init__(self, vae: BodyCVAE):
        super().__init__()
        self.vae = vae

    def forward(self, condition: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        flat = self.vae.to_vertices(self.vae.decode_whitened(style, condition))
        return flat.reshape(flat.shape[0], -1, 3)


class EncoderExport(nn.Module):
    """(vertices (N, V, 3), condition) -> (mu, logvar) of the style."""

    def __init__(self, vae: BodyCVAE):
        super().__init__()
        self.vae = vae

    def forward(self, vertices: torch.Tensor, condition: torch.Tensor):
        w = self.vae.whiten(vertices.reshape(vertices.shape[0], -1))
        return self.vae.encode_whitened(w, condition)
