"""Train the fabric detail GAN on synthesiser windows; resumable, logged, checkpointed; CUDA when present.

    python -m models.fabric.train_gan --out build/fabric_gan --steps 20000

Generator: structure channels + noise + style -> tone, height, roughness (networks.DetailGenerator).
Discriminator: multi-scale spectral-norm patch D on maps + normals + the structure they were made for,
projection on the style, minibatch-std; hinge loss, lazy R1 on the real side, DiffAugment (the same
wrap shift and 90-degree turn for maps and structure; no colour jitter: colour is the request), EMA
generator. A low-pass L1 term (4x4 means against the synthesiser's maps of the same window) anchors what
the structure determines (shade, tone, mean roughness) so the adversarial term works on the detail.
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from models.fabric.bank import Bank, crop
from models.fabric.networks import DetailGenerator, MultiScaleD, sample_noise, to_maps
from models.run import TrainingRun, ema_update


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def augment(tensors, gen: torch.Generator):
    """One wrap shift and quarter turn for all of ``tensors`` (maps and their structure move together)."""
    size = tensors[0].shape[-1]
    s, t = (int(v) for v in torch.randint(0, size, (2,), generator=gen))
    k = int(torch.randint(0, 2, (1,), generator=gen)) * 2  # 0 or 180 degrees: keeps warp vertical
    return [torch.rot90(torch.roll(x, (t, s), (2, 3)), k, (2, 3)) for x in tensors]


def train(out: Path, steps: int, batch: int = 16, n_bank: int = 2400, seed: int = 0, r1_every: int = 8,
          r1_gamma: float = 1.0, ema_decay: float = 0.998, rec_weight: float = 10.0, refresh_every: int = 1000,
          checkpoint_every: int = 250, log=print) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    dev = device()
    G, D = DetailGenerator().to(dev), MultiScaleD().to(dev)
    G_ema = copy.deepcopy(G).eval()
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-3 if dev.type == "cpu" else 1e-3, betas=(0.0, 0.99))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3 if dev.type == "cpu" else 5e-4, betas=(0.0, 0.99))
    run = TrainingRun(out, log, G=G, D=D, G_ema=G_ema, opt_g=opt_g, opt_d=opt_d)
    if run.step >= steps:
        return {"G_ema": G_ema.cpu(), "steps": run.step, "wall_seconds": run.wall}
    bank = Bank(n_bank, seed + run.step, log)
    rng = np.random.default_rng(seed + run.step)
    gen = torch.Generator().manual_seed(seed + run.step)
    while run.step < steps:
        step = run.step
        structure, yarn, real, style = (t.to(dev) for t in bank.batch(batch, rng))
        noise = sample_noise(batch, structure.shape[-1], gen).to(dev)
        s_crop = crop(structure)
        # --- discriminator ---
        with torch.no_grad():
            fake = crop(to_maps(G.detail(structure, noise, style), yarn))
        real_c = crop(real)
        real_a, s_real = augment([real_c, s_crop], gen)
        fake_a, s_fake = augment([fake, s_crop], gen)
        real_a.requires_grad_(step % r1_every == 0)
        d_real, d_fake = D(real_a, s_real, style), D(fake_a, s_fake, style)
        loss_d = sum(F.relu(1 - r).mean() + F.relu(1 + f).mean() for r, f in zip(d_real, d_fake, strict=True))
        if step % r1_every == 0:
            # Per sample, the mean patch logit of each scale: the penalty does not grow with the number of patches.
            grad = torch.autograd.grad(sum(r.mean((1, 2, 3)).sum() for r in d_real), real_a, create_graph=True)[0]
            loss_d = loss_d + r1_gamma * r1_every * 0.5 * grad.pow(2).sum((1, 2, 3)).mean()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        # --- generator ---
        fake = crop(to_maps(G.detail(structure, noise, style), yarn))
        fake_a, s_fake = augment([fake, s_crop], gen)
        loss_adv = -sum(f.mean() for f in D(fake_a, s_fake, style))
        loss_rec = rec_weight * (F.avg_pool2d(fake, 4) - F.avg_pool2d(real_c, 4)).abs().mean()
        loss_g = loss_adv + loss_rec
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        ema_update(G_ema, G, ema_decay)
        run.step += 1
        if run.step % 50 == 0:
            rec = run.record(loss_d=round(loss_d.item(), 4), loss_adv=round(loss_adv.item(), 4),
                             loss_rec=round(loss_rec.item(), 4))
            if run.step % 250 == 0:
                log(json.dumps(rec))
        if run.step % refresh_every == 0:
            bank.refresh(0.25)
        if run.step % checkpoint_every == 0 or run.step == steps:
            run.save(batch=batch, window=structure.shape[-1])
    run.close()
    return {"G_ema": G_ema.cpu(), "steps": run.step, "wall_seconds": run.wall}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("build/fabric_gan"))
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--bank", type=int, default=2400, help="synthesiser windows held in memory")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    res = train(args.out, args.steps, args.batch, args.bank)
    print(f"trained {res['steps']} steps in {res['wall_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
