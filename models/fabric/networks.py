"""Detail generator, discriminator, swatch encoder and the VAE-only baseline's encoder.

The generator does not place threads: the engine's structure channels (inference/fabric_structure.py)
already say which yarn shows where. It turns them, per-pixel noise and the style into the yarn detail:
a luminance tone (twist, fibres, hairiness, slubs, crevice shade), height and roughness; normals follow
from height inside the same graph. Two paths, both wrap-padded (exactly periodic on a whole tile):

* a context path at 1/4 resolution (FiLM-conditioned 3x3 convolutions) for what spans a few threads;
* a per-pixel path at full resolution: a 5x5 convolution of the noise (fibre streaks) and a small
  FiLM-conditioned 1x1 network over structure + noise + context.

About 1.5 k multiply-adds per pixel (1.6 G at 1024^2), the budget DESIGN.md sets for 150 ms on 2 cores.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import spectral_norm

from inference.fabric_structure import CHANNELS
from models.fabric.conditions import STYLE_DIM

STRUCT_CH = len(CHANNELS)
NOISE_CH = 2
STRIDE = 4  # tile sizes (and window offsets) are multiples of this: the context path pools by 4
MARGIN = 32  # px of wrapped context the exported graph takes on every side (> its receptive field, a multiple of 4)
OUT_CH = 3  # tone, height, roughness
# Height 0..1 spans about half a yarn's diameter and a thread is ~6 px wide, so a unit height step per px is a
# slope of ~2: the tangent-space normal's strength (a property of the graph; scale-free at ~6 px per thread).
NORMAL_STRENGTH = 2.0
MAX_LOG_TONE = 1.0  # tone = exp(MAX_LOG_TONE * tanh(.)): crevices can be e^-1 darker, highlights e^1 brighter


class WrapConv(nn.Module):
    def __init__(self, cin: int, cout: int, k: int = 3, sn: bool = False, bias: bool = True):
        super().__init__()
        conv = nn.Conv2d(cin, cout, k, padding=0, bias=bias)
        self.conv = spectral_norm(conv) if sn else conv
        self.pad = k // 2

    def forward(self, x):
        if self.pad:
            x = F.pad(x, (self.pad,) * 4, mode="circular")
        return self.conv(x)


class FiLM(nn.Module):
    """Feature-wise affine from the style vector's embedding, then LeakyReLU."""

    def __init__(self, ch: int, wdim: int):
        super().__init__()
        self.affine = nn.Linear(wdim, 2 * ch)
        nn.init.zeros_(self.affine.weight)
        nn.init.zeros_(self.affine.bias)

    def forward(self, x, w):
        gamma, beta = self.affine(w).chunk(2, 1)
        return F.leaky_relu(x * (1 + gamma[..., None, None]) + beta[..., None, None], 0.2)

    def conv(self, conv: nn.Conv2d, x, w, pad: int = 0):
        """conv then this FiLM. For one style (the engine's call) the affine is folded into the convolution's
        weights, (Wx + b)(1 + g) + beta = (W(1 + g))x + b(1 + g) + beta: one pass over the pixels instead of
        three. The same function either way; the exported graph is traced with one style."""
        if pad:
            x = F.pad(x, (pad,) * 4, mode="circular")
        if x.shape[0] != 1:
            return self(conv(x), w)
        gamma, beta = self.affine(w).chunk(2, 1)
        scale = 1 + gamma[0]
        return F.leaky_relu(F.conv2d(x, conv.weight * scale[:, None, None, None], conv.bias * scale + beta[0]), 0.2)


def wrap_upsample(x: torch.Tensor, factor: int) -> torch.Tensor:
    """Bilinear upsampling of a periodic map: pad by wrapping, resize, crop (stays exactly periodic)."""
    x = F.interpolate(F.pad(x, (1, 1, 1, 1), mode="circular"), scale_factor=float(factor), mode="bilinear",
                      align_corners=False)
    return x[:, :, factor:-factor, factor:-factor]


def height_to_normal(height: torch.Tensor, strength: float) -> torch.Tensor:
    """OpenGL normals (N, 3, H, W) from height (N, 1, H, W): wrap-padded central differences."""
    h = F.pad(height, (1, 1, 1, 1), mode="circular")
    dx = (h[:, :, 1:-1, 2:] - h[:, :, 1:-1, :-2]) * 0.5 * strength
    dy_up = (h[:, :, :-2, 1:-1] - h[:, :, 2:, 1:-1]) * 0.5 * strength
    n = torch.cat([-dx, -dy_up, torch.ones_like(dx)], 1)
    return n / n.norm(dim=1, keepdim=True)


class DetailGenerator(nn.Module):
    def __init__(self, wdim: int = 64, ctx: int = 24, ctx_out: int = 8, fibre: int = 6, hidden: int = 16,
                 normal_strength: float = NORMAL_STRENGTH):
        super().__init__()
        self.normal_strength = normal_strength
        self.mapping = nn.Sequential(nn.Linear(STYLE_DIM, wdim), nn.LeakyReLU(0.2), nn.Linear(wdim, wdim),
                                     nn.LeakyReLU(0.2))
        cin = STRUCT_CH + NOISE_CH
        self.c0, self.f0 = WrapConv(cin, ctx), FiLM(ctx, wdim)
        self.c1, self.f1 = WrapConv(ctx, ctx), FiLM(ctx, wdim)
        self.c2 = nn.Conv2d(ctx, ctx_out, 1)
        self.fibre = WrapConv(NOISE_CH, fibre, k=5)
        self.p0, self.g0 = nn.Conv2d(cin + fibre + ctx_out, hidden, 1), FiLM(hidden, wdim)
        self.p1, self.g1 = nn.Conv2d(hidden, hidden, 1), FiLM(hidden, wdim)
        self.out = nn.Conv2d(hidden, OUT_CH, 1)

    def detail(self, structure, noise, style):
        """tone, height, roughness (N, 3, H, W): tone > 0 (multiplies the yarn colour), the others in 0..1."""
        w = self.mapping(style)
        x = torch.cat([structure, noise], 1)
        c = F.avg_pool2d(x, 4)
        c = self.f0.conv(self.c0.conv, c, w, pad=1)
        c = self.f1.conv(self.c1.conv, c, w, pad=1)
        c = wrap_upsample(self.c2(c), 4)
        h = torch.cat([x, F.leaky_relu(self.fibre(noise), 0.2), c], 1)
        h = self.g0.conv(self.p0, h, w)
        h = self.g1.conv(self.p1, h, w)
        o = self.out(h)
        tone = torch.exp(MAX_LOG_TONE * torch.tanh(o[:, :1]))
        return torch.cat([tone, torch.sigmoid(o[:, 1:])], 1)

    def forward(self, structure, noise, style):
        """tone, height, roughness and the OpenGL normal (N, 6, H, W) of a whole (wrapping) tile."""
        d = self.detail(structure, noise, style)
        return torch.cat([d, height_to_normal(d[:, 1:2], self.normal_strength)], 1)

    def padded(self, structure, noise, style, margin: int = MARGIN):
        """The same maps for inputs that arrive already wrapped by ``margin`` px on every side (the engine renders
        structure and noise for any window, so wrapping costs it nothing), as (N, 6, H + 2 margin, W + 2 margin):
        only the inner H x W is the tile's (equal to ``forward`` on the unpadded tile, export checks it); the
        margin ring is scratch the caller drops. Inside, convolutions zero-pad natively, so the graph has no
        slice-and-concatenate padding at full resolution."""
        w = self.mapping(style)
        x = torch.cat([structure, noise], 1)
        c = F.avg_pool2d(x, 4)  # margin is a multiple of 4: the pooling grid is the tile's
        c = self.f0.conv(self.c0.conv, F.pad(c, (1, 1, 1, 1)), w)  # zero pad: only the scratch ring sees it
        c = self.f1.conv(self.c1.conv, F.pad(c, (1, 1, 1, 1)), w)
        up = F.interpolate(self.c2(c), scale_factor=4.0, mode="bilinear", align_corners=False)
        h = torch.cat([x, F.leaky_relu(F.conv2d(noise, self.fibre.conv.weight, self.fibre.conv.bias, padding=2),
                                       0.2), up], 1)
        h = self.g0.conv(self.p0, h, w)
        h = self.g1.conv(self.p1, h, w)
        o = self.out(h)
        height = torch.sigmoid(o[:, 1:2])
        # Central differences as one fixed 3x3 convolution: (-dx, -dy_up) * strength / 2 in two channels.
        k = torch.zeros(2, 1, 3, 3, dtype=height.dtype)
        k[0, 0, 1, 0], k[0, 0, 1, 2] = 0.5 * self.normal_strength, -0.5 * self.normal_strength
        k[1, 0, 2, 1], k[1, 0, 0, 1] = 0.5 * self.normal_strength, -0.5 * self.normal_strength
        nrm = torch.cat([F.conv2d(height, k, padding=1), torch.ones_like(height)], 1)
        tone = torch.exp(MAX_LOG_TONE * torch.tanh(o[:, :1]))
        return torch.cat([tone, height, torch.sigmoid(o[:, 2:3]), nrm / nrm.norm(dim=1, keepdim=True)], 1)


class PaddedGraph(nn.Module):
    """What is exported: ``DetailGenerator.padded`` as the module's forward."""

    def __init__(self, g: DetailGenerator, margin: int = MARGIN):
        super().__init__()
        self.g, self.margin = g, margin

    def forward(self, structure, noise, style):
        return self.g.padded(structure, noise, style, self.margin)


def sample_noise(n: int, size: int, gen: torch.Generator | None = None) -> torch.Tensor:
    """Training noise with the engine's distribution: uniform on [-sqrt 3, sqrt 3] (unit variance)."""
    return (torch.rand(n, NOISE_CH, size, size, generator=gen) * 2 - 1) * 3 ** 0.5


def srgb(lin: torch.Tensor) -> torch.Tensor:
    lin = lin.clamp(1e-6, 1)
    return torch.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)


def to_maps(detail: torch.Tensor, yarn_rgb: torch.Tensor) -> torch.Tensor:
    """(N, 5, H, W) albedo sRGB, height, roughness: the yarn colour (linear, (N, 3, H, W)) times the tone."""
    return torch.cat([srgb(yarn_rgb * detail[:, :1]), detail[:, 1:3]], 1)


class MinibatchStd(nn.Module):
    def forward(self, x):
        std = x.std(0, unbiased=False).mean().reshape(1, 1, 1, 1).expand(x.shape[0], 1, x.shape[2], x.shape[3])
        return torch.cat([x, std], 1)


class PatchD(nn.Module):
    """Spectral-norm patch discriminator with minibatch-std and projection conditioning on the style."""

    def __init__(self, cin: int, ch=(32, 64, 96)):
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
        return self.logit(h) + (h * self.embed(style)[..., None, None]).sum(1, keepdim=True)


class MultiScaleD(nn.Module):
    """Judges maps + their normals together with the structure they were made for (conditional, pix2pix-like),
    at full and half resolution."""

    def __init__(self, strength: float = 4.0):
        super().__init__()
        cin = 5 + 3 + STRUCT_CH
        self.strength = strength
        self.d_full, self.d_half = PatchD(cin), PatchD(cin)

    def forward(self, maps, structure, style):
        x = torch.cat([maps * 2 - 1, height_to_normal(maps[:, 3:4], self.strength), structure], 1)
        return [self.d_full(x, style), self.d_half(F.avg_pool2d(x, 2), style)]
