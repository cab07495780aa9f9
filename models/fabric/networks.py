"""Fabric generator, discriminator, swatch encoder and the VAE-only baseline decoder.

Every 3x3 convolution pads circularly (wrap), so any output whose size is a multiple of the
generator's stride is exactly periodic. Upsampling is bilinear on a wrap-padded map (periodic, and no
nearest-neighbour block grid). Noise comes in at full resolution and is injected into every block at
that block's resolution (StyleGAN-style), so fibre-scale detail and slubs both have a source.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import spectral_norm

from models.fabric.conditions import STYLE_DIM

NOISE_CH = 4
NOISE_STRIDE = 1  # noise is given at full resolution: (N, NOISE_CH, H, W), uniform with unit variance
PERIODIC_CH = 8  # sin/cos of thread phase and draft-repeat phase, x and y
STRIDE = 4  # output size must be a multiple of this (two 2x poolings of the noise and periodic channels)
OUT_CH = 5  # albedo (3), height, roughness


class WrapConv(nn.Module):
    def __init__(self, cin: int, cout: int, k: int = 3, sn: bool = False):
        super().__init__()
        conv = nn.Conv2d(cin, cout, k, padding=0)
        self.conv = spectral_norm(conv) if sn else conv
        self.pad = k // 2

    def forward(self, x):
        if self.pad:
            x = F.pad(x, (self.pad,) * 4, mode="circular")
        return self.conv(x)


class FiLMBlock(nn.Module):
    """wrap conv -> + projected noise -> feature-wise affine from the style -> LeakyReLU."""

    def __init__(self, cin: int, cout: int, wdim: int):
        super().__init__()
        self.conv = WrapConv(cin, cout)
        self.noise = nn.Conv2d(NOISE_CH, cout, 1, bias=False)
        nn.init.normal_(self.noise.weight, std=0.01)  # start nearly noise-free; the GAN learns how much it needs
        self.affine = nn.Linear(wdim, 2 * cout)
        nn.init.zeros_(self.affine.weight)
        nn.init.zeros_(self.affine.bias)

    def forward(self, x, w, noise):
        gamma, beta = self.affine(w).chunk(2, 1)
        h = self.conv(x) + self.noise(noise)
        return F.leaky_relu(h * (1 + gamma[..., None, None]) + beta[..., None, None], 0.2)


def wrap_upsample(x: torch.Tensor) -> torch.Tensor:
    """2x bilinear upsampling of a periodic map: pad by wrapping, resize, crop (stays exactly periodic)."""
    x = F.interpolate(F.pad(x, (1, 1, 1, 1), mode="circular"), scale_factor=2.0, mode="bilinear",
                      align_corners=False)
    return x[:, :, 2:-2, 2:-2]


def pool_noise(noise: torch.Tensor, factor: int) -> torch.Tensor:
    """Average-pool noise and rescale so it keeps unit variance at the coarser resolution."""
    return F.avg_pool2d(noise, factor) * factor


class Generator(nn.Module):
    """FiLM blocks at 1/4 and 1/2 resolution, a sub-pixel step to full resolution, then one thin wrap conv
    at full resolution (threads are only 2-5 px wide at 32 px/cm, so drafts and stitches need spatial
    context there) and a per-pixel head. Most of the cost is the 1/2-resolution blocks."""

    def __init__(self, channels=(32, 24), wdim: int = 128, sub: int = 8, full: int = 16):
        super().__init__()
        self.mapping = nn.Sequential(nn.Linear(STYLE_DIM, wdim), nn.LeakyReLU(0.2), nn.Linear(wdim, wdim),
                                     nn.LeakyReLU(0.2))
        c0, c1 = channels
        p = PERIODIC_CH
        self.b0 = nn.ModuleList([FiLMBlock(NOISE_CH + p, c0, wdim), FiLMBlock(c0, c0, wdim)])
        self.b1 = nn.ModuleList([FiLMBlock(c0 + p, c1, wdim), FiLMBlock(c1, c1, wdim)])
        self.to_sub = WrapConv(c1, 4 * sub)  # 2x2 sub-pixels of `sub` channels each
        self.b2 = FiLMBlock(sub + p, full, wdim)  # full resolution, with fibre noise
        self.out = nn.Conv2d(full, OUT_CH, 1)

    def forward(self, noise, periodic, style):
        """noise (N, NOISE_CH, H, W), periodic (N, 8, H, W), style (N, STYLE_DIM) -> maps (N, 5, H, W) in [0, 1]."""
        w = self.mapping(style)
        p2, n2 = F.avg_pool2d(periodic, 2), pool_noise(noise, 2)
        p4, n4 = F.avg_pool2d(p2, 2), pool_noise(noise, 4)
        x = torch.cat([n4, p4], 1)
        for blk in self.b0:
            x = blk(x, w, n4)
        x = torch.cat([wrap_upsample(x), p2], 1)
        for blk in self.b1:
            x = blk(x, w, n2)
        x = torch.cat([F.pixel_shuffle(self.to_sub(x), 2), periodic], 1)
        return torch.sigmoid(self.out(self.b2(x, w, noise)))


def sample_noise(n: int, size: int, gen: torch.Generator | None = None) -> torch.Tensor:
    """Training noise with the engine's distribution: uniform on [-sqrt 3, sqrt 3] (unit variance)."""
    return (torch.rand(n, NOISE_CH, size // NOISE_STRIDE, size // NOISE_STRIDE, generator=gen) * 2 - 1) * 3 ** 0.5


def height_to_normal(height: torch.Tensor, strength: float = 4.0) -> torch.Tensor:
    """OpenGL normals (N, 3, H, W) in [-1, 1] from height (N, 1, H, W) by a fixed wrap-padded central difference."""
    h = F.pad(height, (1, 1, 1, 1), mode="circular")
    dx = (h[:, :, 1:-1, 2:] - h[:, :, 1:-1, :-2]) * 0.5 * strength
    dy_up = (h[:, :, :-2, 1:-1] - h[:, :, 2:, 1:-1]) * 0.5 * strength
    n = torch.cat([-dx, -dy_up, torch.ones_like(dx)], 1)
    return n / n.norm(dim=1, keepdim=True)


class MinibatchStd(nn.Module):
    def forward(self, x):
        std = x.std(0, unbiased=False).mean().reshape(1, 1, 1, 1).expand(x.shape[0], 1, x.shape[2], x.shape[3])
        return torch.cat([x, std], 1)


class PatchD(nn.Module):
    """Spectral-norm patch discriminator with minibatch-std and projection conditioning."""

    def __init__(self, cin: int = OUT_CH + 3, ch=(24, 48, 96)):
        super().__init__()
        layers, c = [], cin
        for co in ch:
            layers += [spectral_norm(nn.Conv2d(c, co, 4, stride=2, padding=1)), nn.LeakyReLU(0.2)]
            c = co
        self.body = nn.Sequential(*layers)
        self.mbstd = MinibatchStd()
        self.head = spectral_norm(nn.Conv2d(c + 1, c, 3, padding=1))
        self.logit = spectral_norm(nn.Conv2d(c, 1, 1))
        self.embed = spectral_norm(nn.Linear(STYLE_DIM, c))

    def forward(self, x, style):
        h = F.leaky_relu(self.head(self.mbstd(self.body(x))), 0.2)
        proj = (h * self.embed(style)[..., None, None]).sum(1, keepdim=True)
        return self.logit(h) + proj  # (N, 1, h, w) patch logits


class MultiScaleD(nn.Module):
    def __init__(self):
        super().__init__()
        self.d_full, self.d_half = PatchD(), PatchD()

    def forward(self, maps, style):
        x = torch.cat([maps * 2 - 1, height_to_normal(maps[:, 3:4])], 1)
        return [self.d_full(x, style), self.d_half(F.avg_pool2d(x, 2), style)]


class SwatchEncoder(nn.Module):
    """Swatch maps (N, 5, H, W) -> mu, logvar of the style vector (fabric from swatch)."""

    def __init__(self, ch=(32, 64, 128)):
        super().__init__()
        layers, c = [], OUT_CH
        for co in ch:
            layers += [nn.Conv2d(c, co, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            c = co
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(2 * c, 2 * STYLE_DIM)

    def forward(self, maps):
        h = self.body(maps * 2 - 1)
        stats = torch.cat([h.mean((2, 3)), h.std((2, 3))], 1)  # size-independent texture statistics
        mu, logvar = self.head(stats).chunk(2, 1)
        return mu, logvar.clamp(-10, 4)
