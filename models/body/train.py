"""Train the body CVAE (and the PCA baseline it decodes onto).

    python -m models.body.train --data ../shared/data --latent 4 --steps 8000 --out build/body_vae

Resumable: the run folder keeps ``ckpt.pt`` (model, optimiser, step) and ``log.jsonl``; re-running
the same command continues from the last checkpoint.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from inference import mesh
from models.body import dataset as body_dataset
from models.body import landmark_warp
from models.body.network import CONDITION_NAMES, BodyCVAE
from models.body.pca import PCA, per_vertex_error_mm
from models.body.shape_space import ShapeSpace
from models.run import TrainingRun, gaussian_kl

PCA_K = 64


@dataclass
class BodyData:
    vertices: np.ndarray  # (N, V*3) float32
    cond: np.ndarray  # (N, 7) stature, chest, waist, hips, inseam, weight, sex
    split: np.ndarray  # (N,) 0 train, 1 val, 2 test
    raw: dict

    def part(self, s: int):
        m = self.split == s
        return self.vertices[m], self.cond[m]


def conditions(meas: np.ndarray, names, sex: np.ndarray) -> np.ndarray:
    names = list(names)
    cols = [names.index(n) for n in CONDITION_NAMES[:-1]]
    return np.concatenate([meas[:, cols], sex[:, None]], 1).astype(np.float32)


def load_data(data_root: Path, cache: Path, subjects: int | None = None, log=print) -> BodyData:
    raw = body_dataset.build(data_root, cache, subjects=subjects, n_random=6000 if subjects is None else 256,
                             log=log)
    space = ShapeSpace.load(data_root, mesh.load_template("body").co, cache)
    chunks = np.array_split(np.arange(len(raw["params"])), 16)
    verts = np.concatenate([
        landmark_warp.remap_many(space.bodies(raw["params"][i]), raw["warp_src"][i], raw["warp_dst"][i])
        .reshape(len(i), -1) for i in chunks])
    cond = conditions(raw["measurements"], raw["names"], raw["sex"].astype(np.float32))
    return BodyData(verts.astype(np.float32), cond, raw["split"], raw)


def train(data: BodyData, out: Path, latent: int = 4, steps: int = 8000, beta: float = 0.05, seed: int = 0,
          batch: int = 256, pca: PCA | None = None, log=print) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    x_tr, c_tr = data.part(0)
    x_va, c_va = data.part(1)
    pca = pca or PCA.fit(x_tr, PCA_K)
    vae = BodyCVAE(pca.mean, pca.components, pca.std, c_tr.mean(0), c_tr.std(0) + 1e-6, latent=latent)
    opt = torch.optim.AdamW(vae.parameters(), lr=1e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    w_tr = vae.whiten(torch.as_tensor(x_tr)).detach()
    ct = torch.as_tensor(c_tr)
    std_mm = vae.pca_std * 1000.0
    n_vert = x_tr.shape[1] // 3
    with TrainingRun(out, log, model=vae, opt=opt, sched=sched) as run:
        gen = torch.Generator().manual_seed(seed + run.step)
        while run.step < steps:
            vae.train()
            idx = torch.randint(0, len(w_tr), (batch,), generator=gen)
            w_hat, mu, logvar = vae(w_tr[idx], ct[idx])
            # Squared vertex error in mm^2 per vertex: the PCA basis is orthonormal.
            recon = ((((w_hat - w_tr[idx]) * std_mm) ** 2).sum(1) / n_vert).mean()
            kl = gaussian_kl(mu, logvar).sum(1).mean()
            loss = recon + beta * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            run.step += 1
            if run.step % 500 == 0 or run.step == steps:
                rec = run.record(recon_mm2=recon.item(), kl=kl.item(), val_error_mm=evaluate_recon(vae, x_va, c_va))
                log(json.dumps(rec))
                run.save(latent=latent, beta=beta, steps=steps)
        step, wall = run.step, run.wall
    vae.eval()
    return {"model": vae, "pca": pca, "steps": step, "wall_seconds": wall,
            "val_error_mm": evaluate_recon(vae, x_va, c_va)}


@torch.no_grad()
def evaluate_recon(vae: BodyCVAE, x: np.ndarray, c: np.ndarray) -> float:
    """Held-out per-vertex error (mm): encode to the mean style, decode with the true condition."""
    vae.eval()
    xt, ct = torch.as_tensor(x), torch.as_tensor(c)
    mu, _ = vae.encode_whitened(vae.whiten(xt), ct)
    rec = vae.to_vertices(vae.decode_whitened(mu, ct))
    return per_vertex_error_mm(rec.numpy(), x)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--cache", type=Path, default=Path("build/cache"))
    ap.add_argument("--out", type=Path, default=Path("build/body_vae"))
    ap.add_argument("--latent", type=int, default=4)
    ap.add_argument("--steps", type=int, default=8000)
    ap.add_argument("--beta", type=float, default=0.05)
    ap.add_argument("--subjects", type=int, default=None, help="smoke runs: fit only N ANSUR subjects")
    args = ap.parse_args(argv)
    data = load_data(args.data, args.cache, args.subjects)
    res = train(data, args.out / f"latent{args.latent}", args.latent, args.steps, args.beta)
    print(f"val per-vertex error {res['val_error_mm']:.2f} mm after {res['steps']} steps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
