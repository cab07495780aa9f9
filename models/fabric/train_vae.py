"""VAE-only baseline: the same detail network trained as a VAE decoder (L1 + beta KL), no discriminator.

    python -m models.fabric.train_vae --out build/fabric_vae --steps 3000
    python -m models.fabric.export --run build/fabric_vae --out build/fabric_vae/export

A spatial encoder maps a window's maps (and its structure) to the network's noise input (mu, sigma at
full resolution); sampling replaces it with the engine's unit-variance noise, so the exported decoder has
exactly the GAN generator's interface, gets the same exact structure, and the evaluation scores both the
same way. Pixel losses average over plausible yarn detail: this is the "soft" baseline the GAN's
high-frequency energy is compared against (the brief: a VAE alone is soft). beta is large enough
(0.1 per latent element against a mean L1) that the latent cannot carry per-pixel detail: with a tiny
beta the decoder learns to copy detail out of the posterior and, fed prior noise, makes static instead.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from models.fabric.bank import Bank, crop
from models.fabric.networks import NOISE_CH, STRUCT_CH, DetailGenerator, to_maps
from models.fabric.train_gan import device
from models.run import TrainingRun, gaussian_kl


class SpatialEncoder(nn.Module):
    def __init__(self, ch: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(5 + STRUCT_CH, ch, 3, 1, 1), nn.LeakyReLU(0.2), nn.Conv2d(ch, ch, 3, 1, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(ch, 2 * NOISE_CH, 3, 1, 1),
        )

    def forward(self, maps, structure):
        mu, logvar = self.net(torch.cat([maps * 2 - 1, structure], 1)).chunk(2, 1)
        return mu, logvar.clamp(-10, 4)


def train(out: Path, steps: int, batch: int = 16, n_bank: int = 1200, beta: float = 0.1, seed: int = 0,
          checkpoint_every: int = 250, log=print) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    dev = device()
    G, E = DetailGenerator().to(dev), SpatialEncoder().to(dev)
    opt = torch.optim.Adam([*G.parameters(), *E.parameters()], lr=2e-3)
    with TrainingRun(out, log, G=G, E=E, opt=opt) as run:
        if run.step < steps:
            bank = Bank(n_bank, seed + run.step, log)
            rng = np.random.default_rng(seed + run.step)
            gen = torch.Generator(device=dev).manual_seed(seed + run.step)
        while run.step < steps:
            structure, yarn, real, style = (t.to(dev) for t in bank.batch(batch, rng))
            mu, logvar = E(real, structure)
            z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=gen, device=dev)
            rec = crop(to_maps(G.detail(structure, z, style), yarn))
            l1 = F.l1_loss(rec, crop(real))
            kl = gaussian_kl(mu, logvar).mean()
            loss = l1 + beta * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            run.step += 1
            if run.step % 50 == 0:
                run.record(l1=round(l1.item(), 5), kl=round(kl.item(), 4))
            if run.step % checkpoint_every == 0 or run.step == steps:
                # "G_ema" = the decoder, so models.fabric.export handles both runs alike.
                run.save(G_ema=G.state_dict(), batch=batch, window=structure.shape[-1], kind="vae-baseline")
        step, wall = run.step, run.wall
    return {"G": G.eval().cpu(), "E": E.eval().cpu(), "steps": step, "wall_seconds": wall}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("build/fabric_vae"))
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    res = train(args.out, args.steps)
    print(f"trained {res['steps']} steps in {res['wall_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
