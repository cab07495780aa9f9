"""VAE-only baseline: the same generator trained as a VAE decoder (L1 + beta KL), no discriminator.

    python -m models.fabric.train_vae --data ../shared/data --out build/fabric_vae --steps 6000
    python -m models.fabric.export --run build/fabric_vae --out build/fabric_vae/export

A spatial encoder maps a crop to the generator's noise tensor (mu, sigma at full resolution);
sampling replaces it with N(0, I), so the exported decoder has exactly the GAN generator's interface
and the evaluation scores both the same way. Pixel losses average over plausible textures: this is
the "soft" baseline the GAN's high-frequency energy is compared against.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from models.fabric.networks import NOISE_CH, OUT_CH, Generator
from models.fabric.train_gan import Bank, generator_inputs
from models.run import TrainingRun, gaussian_kl


class SpatialEncoder(nn.Module):
    def __init__(self, ch: int = 48):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(OUT_CH, ch, 3, 1, 1), nn.LeakyReLU(0.2), nn.Conv2d(ch, ch, 3, 1, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(ch, 2 * NOISE_CH, 3, 1, 1),
        )

    def forward(self, maps):
        mu, logvar = self.net(maps * 2 - 1).chunk(2, 1)
        return mu, logvar.clamp(-10, 4)


def train(data_root: Path | None, out: Path, steps: int, batch: int = 16, crop: int = 64, n_synth: int = 4000,
          beta: float = 1e-3, seed: int = 0, checkpoint_every: int = 250, log=print) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    G, E = Generator(), SpatialEncoder()
    opt = torch.optim.Adam([*G.parameters(), *E.parameters()], lr=5e-4)
    with TrainingRun(out, log, G=G, E=E, opt=opt) as run:
        if run.step < steps:
            bank = Bank(data_root, crop, n_synth, seed, log)
            rng = np.random.default_rng(seed + run.step)
            gen = torch.Generator().manual_seed(seed + run.step)
        while run.step < steps:
            real, style, threads = bank.batch(batch, rng)
            _, per = generator_inputs(style, threads, crop, gen)
            mu, logvar = E(real)
            z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=gen)
            rec = G(z, per, style)
            l1 = F.l1_loss(rec, real)
            kl = gaussian_kl(mu, logvar).mean()
            loss = l1 + beta * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            run.step += 1
            if run.step % 50 == 0:
                run.record(l1=l1.item(), kl=kl.item())
            if run.step % checkpoint_every == 0 or run.step == steps:
                # "G_ema" = the decoder, so models.fabric.export handles both runs alike.
                run.save(G_ema=G.state_dict(), batch=batch, crop=crop, kind="vae-baseline")
        step, wall = run.step, run.wall
    return {"G": G.eval(), "E": E.eval(), "steps": step, "wall_seconds": wall}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("build/fabric_vae"))
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    res = train(args.data, args.out, args.steps)
    print(f"trained {res['steps']} steps in {res['wall_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
