"""Train the fabric GAN on synthetic + real PBR crops; resumable, logged, checkpointed.

    python -m models.fabric.train_gan --data ../shared/data --out build/fabric_gan --steps 20000

Hinge loss, lazy R1 on reals, DiffAugment (wrap translation, flips, 90-degree turns, cutout; no
colour jitter: colour is a condition), fakes also shown tiled 2x2 and re-cropped so seams are
judged, EMA of the generator, a colour/roughness consistency term so requests are honoured, and a
mode-seeking term (MSGAN) so different noise gives different fabric of the same style, and an L1
reconstruction of phase-aligned synthetic targets (as in pix2pix) that teaches drafts and colour fast.
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from inference import fabric as fabric_engine
from inference.color import linear_to_srgb, srgb_to_linear
from models.fabric import real_data
from models.fabric.conditions import PX_PER_CM, SCALE_RANGE, periodic_channels, style_vector
from models.fabric.networks import Generator, MultiScaleD, sample_noise
from models.fabric.synth import KINDS, FabricSpec, synthesize
from models.run import TrainingRun, ema_update


def estimate_threads_per_cm(height: np.ndarray) -> float:
    """Dominant weave frequency of a height map (spectral peak), in threads per cm at PX_PER_CM."""
    g = height - height.mean()
    p = np.abs(np.fft.fft2(g)) ** 2
    f = np.sqrt(np.fft.fftfreq(g.shape[0])[:, None] ** 2 + np.fft.fftfreq(g.shape[1])[None] ** 2)
    p[f < 0.02] = 0
    return float(np.clip(f.ravel()[p.argmax()] * PX_PER_CM, *SCALE_RANGE))


class Bank:
    """Training examples: a bank of synthetic samples and the real sets, each with its style vector."""

    def __init__(self, data_root: Path | None, crop: int, n_synth: int, seed: int, log=print):
        self.crop = crop
        rng = np.random.default_rng(seed)
        maps, styles, threads = [], [], []
        t0 = time.time()
        tile_cm = crop / PX_PER_CM
        for i in range(n_synth):
            kind = KINDS[i % len(KINDS)]
            color = rng.random(3) ** 1.5
            spec = FabricSpec(kind=kind, color=tuple(color), threads_per_cm=float(rng.uniform(8, 24)),
                              tile_cm=tile_cm, seed=int(rng.integers(1 << 30)), size=crop,
                              roughness=None if rng.random() < 0.5 else float(rng.uniform(0.3, 0.95)))
            m = synthesize(spec)
            tpc = spec.threads / tile_cm  # the count actually rendered (integer per tile)
            maps.append(np.concatenate([m["albedo"].transpose(2, 0, 1), m["height"][None], m["roughness"][None]]))
            styles.append(style_vector(kind, spec.color, tpc, float(m["roughness"].mean())))
            threads.append(tpc)
        self.synth = np.stack(maps).astype(np.float32)
        self.synth_style = np.stack(styles)
        self.synth_threads = np.array(threads, np.float32)
        log(f"synthetic bank: {n_synth} samples in {time.time() - t0:.0f} s")
        self.real = real_data.load_all(data_root, 512) if data_root else []
        self.real_style, self.real_threads = [], []
        for s in self.real:
            lin = srgb_to_linear(s.albedo.reshape(-1, 3)).mean(0)
            tpc = estimate_threads_per_cm(s.height)
            self.real_style.append(style_vector(s.kind, linear_to_srgb(lin), tpc, float(s.roughness.mean())))
            self.real_threads.append(tpc)

    def n_real(self, n: int, real_fraction: float = 0.25) -> int:
        return int(round(n * real_fraction)) if self.real else 0

    def batch(self, n: int, rng: np.random.Generator, real_fraction: float = 0.25):
        """n examples: synthetic first (phase-aligned), then real crops; with their styles and thread counts."""
        n_real = self.n_real(n, real_fraction)
        idx = rng.integers(0, len(self.synth), n - n_real)
        # Synthetic samples keep their thread phase (no random shift): it is the phase of the periodic
        # channels the generator gets, so the reconstruction term below can teach the weave layout.
        maps = [self.synth[i] for i in idx]
        styles = [self.synth_style[i] for i in idx]
        threads = [self.synth_threads[i] for i in idx]
        for _ in range(n_real):
            j = int(rng.integers(len(self.real)))
            maps.append(real_data.random_crops(self.real[j], 1, self.crop, rng)[0])
            styles.append(self.real_style[j])
            threads.append(self.real_threads[j])
        return (torch.as_tensor(np.stack(maps)), torch.as_tensor(np.stack(styles)),
                np.array(threads, np.float32))


def generator_inputs(style: torch.Tensor, threads_per_cm, size: int, gen: torch.Generator):
    n = style.shape[0]
    noise = sample_noise(n, size, gen)
    per = np.concatenate([periodic_channels(1, size, float(t))[0] for t in threads_per_cm])
    return noise, torch.as_tensor(per)


def diff_augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Same random wrap shift, flip, 90-degree turn and cutout for the whole batch (keeps seams honest)."""
    s = int(torch.randint(0, x.shape[-1], (1,), generator=gen))
    t = int(torch.randint(0, x.shape[-2], (1,), generator=gen))
    x = torch.roll(x, (t, s), (2, 3))
    if torch.rand(1, generator=gen) < 0.5:
        x = x.flip(3)
    x = torch.rot90(x, int(torch.randint(0, 4, (1,), generator=gen)), (2, 3))
    if torch.rand(1, generator=gen) < 0.3:
        h = x.shape[-1] // 4
        y0, x0 = (int(v) for v in torch.randint(0, x.shape[-1] - h, (2,), generator=gen))
        x = x.clone()
        x[:, :, y0:y0 + h, x0:x0 + h] = 0.5
    return x


def tiled_crops(fake: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Tile generator outputs 2x2 and crop at a random offset so every crop straddles a seam."""
    n, c, h, w = fake.shape
    big = fake.repeat(1, 1, 2, 2)
    y0 = int(torch.randint(h // 4, 3 * h // 4, (1,), generator=gen))
    x0 = int(torch.randint(w // 4, 3 * w // 4, (1,), generator=gen))
    return big[:, :, y0:y0 + h, x0:x0 + w]


def linear_mean(albedo: torch.Tensor) -> torch.Tensor:
    lin = torch.where(albedo <= 0.04045, albedo / 12.92, ((albedo + 0.055) / 1.055) ** 2.4)
    return lin.mean((2, 3))


def train(data_root: Path | None, out: Path, steps: int, batch: int = 16, crop: int = 64, n_synth: int = 4000,
          seed: int = 0, r1_every: int = 4, r1_gamma: float = 1.0, ema_decay: float = 0.999, ms_weight: float = 0.005,
          rec_weight: float = 20.0,
          checkpoint_every: int = 250, log=print) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    G, D = Generator(), MultiScaleD()
    G_ema = copy.deepcopy(G).eval()
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.0, 0.99))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.0, 0.99))
    run = TrainingRun(out, log, G=G, D=D, G_ema=G_ema, opt_g=opt_g, opt_d=opt_d)
    if run.step >= steps:
        return {"G_ema": G_ema, "steps": run.step, "wall_seconds": run.wall}
    bank = Bank(data_root, crop, n_synth, seed, log)
    rng = np.random.default_rng(seed + run.step)
    gen = torch.Generator().manual_seed(seed + run.step)
    while run.step < steps:
        step = run.step
        real, style, threads = bank.batch(batch, rng)
        is_real = np.arange(batch) >= batch - bank.n_real(batch)
        # Fakes come in pairs: one style, two noises (the mode-seeking term needs both); the first of
        # each pair is judged as is, the second tiled 2x2 across its seams.
        half = batch // 2
        f_style, f_threads = torch.cat([style[:half], style[:half]]), np.concatenate([threads[:half]] * 2)
        noise, per = generator_inputs(f_style, f_threads, crop, gen)
        # --- discriminator ---
        with torch.no_grad():
            fake = G(noise, per, f_style)
        fake_in = torch.cat([fake[:half], tiled_crops(fake[half:], gen)])
        real_aug = diff_augment(real, gen).requires_grad_(step % r1_every == 0)
        d_real = D(real_aug, style)
        d_fake = D(diff_augment(fake_in, gen), f_style)
        loss_d = sum(F.relu(1 - r).mean() + F.relu(1 + f).mean() for r, f in zip(d_real, d_fake, strict=True))
        if step % r1_every == 0:
            grad = torch.autograd.grad(sum(r.sum() for r in d_real), real_aug, create_graph=True)[0]
            loss_d = loss_d + r1_gamma * r1_every * 0.5 * grad.pow(2).sum((1, 2, 3)).mean()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        # --- generator ---
        fake = G(noise, per, f_style)
        fake_in = torch.cat([fake[:half], tiled_crops(fake[half:], gen)])
        loss_adv = -sum(f.mean() for f in D(diff_augment(fake_in, gen), f_style))
        # Requests are honoured: mean colour (linear light) and mean roughness match the style.
        want = torch.as_tensor(np.stack([srgb_to_linear(fabric_engine.color_of(KINDS, s.numpy())) for s in f_style]),
                               dtype=torch.float32)
        loss_cons = (linear_mean(fake[:, :3]) - want).abs().mean() * 10 + (
            fake[:, 4].mean((1, 2)) - f_style[:, -1]).abs().mean() * 2
        # Mode seeking (MSGAN): two noises with one style must give different maps, else noise is ignored.
        # Compared at 1/8 resolution: differences in structure (slubs, irregular yarns) count, copying
        # per-pixel noise into the maps does not.
        coarse = F.avg_pool2d(fake, 8)
        ratio = ((coarse[:half] - coarse[half:]).abs().mean((1, 2, 3)) /
                 (noise[:half] - noise[half:]).abs().mean((1, 2, 3))).mean()
        loss_ms = ms_weight / (ratio + 0.02)
        # pix2pix-style reconstruction of the phase-aligned synthetic targets (first of each pair only, so
        # the second stays free to differ): a dense signal for drafts and colour that the CPU budget needs.
        n_aligned = min(half, int((~is_real).sum()))
        loss_rec = rec_weight * (fake[:n_aligned] - real[:n_aligned]).abs().mean() if n_aligned else fake.sum() * 0
        loss_g = loss_adv + loss_cons + loss_ms + loss_rec
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        ema_update(G_ema, G, ema_decay)
        run.step += 1
        if run.step % 50 == 0:
            rec = run.record(loss_d=loss_d.item(), loss_adv=loss_adv.item(), loss_cons=loss_cons.item(),
                             ms_ratio=round(ratio.item(), 4), loss_rec=round(float(loss_rec.detach()), 4))
            if run.step % 250 == 0:
                log(json.dumps(rec))
        if run.step % checkpoint_every == 0 or run.step == steps:
            run.save(batch=batch, crop=crop)
    run.close()
    return {"G_ema": G_ema, "steps": run.step, "wall_seconds": run.wall}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("build/fabric_gan"))
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--synth", type=int, default=4000)
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    res = train(args.data, args.out, args.steps, args.batch, n_synth=args.synth)
    print(f"trained {res['steps']} steps in {res['wall_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
