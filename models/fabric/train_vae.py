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
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from models import checkpoint
from models.fabric.networks import NOISE_CH, OUT_CH, Generator
from models.fabric.train_gan import Bank, generator_inputs


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
    step, wall = 0, 0.0
    ckpt = out / "ckpt.pt"
    ck = checkpoint.restore(ckpt, G=G, E=E, opt=opt)
    if ck is not None:
        step, wall = ck["step"], ck["wall"]
    if step < steps:
        bank = Bank(data_root, crop, n_synth, seed, log)
        rng = np.random.default_rng(seed + step)
        gen = torch.Generator().manual_seed(seed + step)
        t0 = time.time()
        with open(out / "log.jsonl", "a") as logf:
            while step < steps:
                real, style, threads = bank.batch(batch, rng)
                _, per = generator_inputs(style, threads, crop, gen)
                mu, logvar = E(real)
                z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=gen)
                rec = G(z, per, style)
                l1 = F.l1_loss(rec, real)
                kl = (0.5 * (mu**2 + logvar.exp() - 1 - logvar)).mean()
                loss = l1 + beta * kl
                opt.zero_grad()
                loss.backward()
                opt.step()
                step += 1
                if step % 50 == 0:
                    logf.write(json.dumps({"step": step, "l1": l1.item(), "kl": kl.item(),
                                           "wall": round(wall + time.time() - t0, 1)}) + "\n")
                    logf.flush()
                if step % checkpoint_every == 0 or step == steps:
                    # "G_ema" = the decoder, so models.fabric.export handles both runs alike.
                    checkpoint.save(ckpt, {"G": G.state_dict(), "G_ema": G.state_dict(), "E": E.state_dict(),
                                "opt": opt.state_dict(), "step": step, "wall": wall + time.time() - t0,
                                           "batch": batch, "crop": crop, "kind": "vae-baseline"})
        wall += time.time() - t0
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
