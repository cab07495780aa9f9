"""Swatch encoder ("fabric from swatch"): PBR maps or a photo -> posterior over the style vector.

    python -m models.fabric.train_encoder --data ../shared/data --out build/fabric_encoder --steps 3000

Every training crop has a known style (synthetic: its parameters; real sets: kind, mean colour,
spectral thread count, mean roughness), so the encoder is fitted by the Gaussian negative log
likelihood of that style under its (mu, sigma), plus a small KL to the unit prior (the VAE-GAN
encoder's regulariser). Photos arrive without height/roughness: during training those channels are
replaced by the luminance pseudo-height the engine uses, half of the time.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from models.fabric.networks import SwatchEncoder
from models.fabric.synth import KINDS
from models.fabric.train_gan import Bank
from models.run import TrainingRun, gaussian_kl

ENCODER_FILE = "fabric_encoder.onnx"


def photo_like(maps: torch.Tensor) -> torch.Tensor:
    """What the engine feeds for a plain photo: luminance as height, constant roughness."""
    lum = (maps[:, :3] * torch.tensor([0.2126, 0.7152, 0.0722])[:, None, None]).sum(1, keepdim=True)
    lo = lum.amin((2, 3), keepdim=True)
    hi = lum.amax((2, 3), keepdim=True)
    return torch.cat([maps[:, :3], (lum - lo) / (hi - lo + 1e-6), torch.full_like(lum, 0.8)], 1)


def train(data_root: Path | None, out: Path, steps: int, batch: int = 32, crop: int = 64, n_synth: int = 4000,
          seed: int = 0, log=print) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    enc = SwatchEncoder()
    opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
    with TrainingRun(out, log, E=enc, opt=opt) as run:
        if run.step < steps:
            bank = Bank(data_root, crop, n_synth, seed, log)
            rng = np.random.default_rng(seed + run.step)
        while run.step < steps:
            maps, style, _ = bank.batch(batch, rng, real_fraction=0.2)
            photo = torch.rand(batch) < 0.5
            maps = torch.where(photo[:, None, None, None], photo_like(maps), maps)
            mu, logvar = enc(maps)
            nll = (0.5 * ((style - mu) ** 2 / logvar.exp() + logvar)).sum(1).mean()
            kl = gaussian_kl(mu, logvar).sum(1).mean()
            loss = nll + 1e-3 * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            run.step += 1
            if run.step % 50 == 0:
                k = len(KINDS)  # the style layout's kind entries come first (inference.fabric.style_vector)
                kind_acc = (mu[:, :k].argmax(1) == style[:, :k].argmax(1)).float().mean().item()
                run.record(nll=nll.item(), kind_accuracy=kind_acc)
            if run.step % 250 == 0 or run.step == steps:
                run.save()
        step, wall = run.step, run.wall
    return {"E": enc.eval(), "steps": step, "wall_seconds": wall}


def export_encoder(enc: SwatchEncoder, out_dir: Path) -> dict:
    import onnxruntime as ort

    from inference.onnx_model import sha256_file as sha256
    from models.fabric.conditions import STYLE_DIM
    from models.fabric.networks import OUT_CH

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ENCODER_FILE
    x = torch.rand(1, OUT_CH, 64, 64)
    torch.onnx.export(enc, (x,), path, input_names=["maps"], output_names=["mu", "logvar"],
                      dynamic_axes={"maps": {0: "n", 2: "H", 3: "W"}, "mu": {0: "n"}, "logvar": {0: "n"}},
                      opset_version=17, dynamo=False)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for size in (64, 200):
        x = torch.rand(2, OUT_CH, size, size)
        with torch.no_grad():
            ref = enc(x)[0].numpy()
        worst = max(worst, float(np.abs(sess.run(None, {"maps": x.numpy()})[0] - ref).max()))
    return {"file": ENCODER_FILE, "sha256": sha256(path), "inputs": {"maps": ["n", OUT_CH, "H", "W"]},
            "outputs": {"mu": ["n", STYLE_DIM], "logvar": ["n", STYLE_DIM]}, "parity_max_abs": worst}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("build/fabric_encoder"))
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--synth", type=int, default=4000, help="synthetic samples in the training bank")
    ap.add_argument("--export", type=Path, help="also export to this folder and add it to its fabric card")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    res = train(args.data, args.out, args.steps, n_synth=args.synth)
    print(f"trained {res['steps']} steps in {res['wall_seconds']:.0f} s")
    if args.export:
        info = export_encoder(res["E"], args.export)
        card_path = args.export / "fabric_model.json"
        card = json.loads(card_path.read_text())
        card["files"]["encoder"] = info
        card["encoder_training"] = {"command": "python -m models.fabric.train_encoder", "steps": res["steps"],
                                    "wall_seconds": round(res["wall_seconds"], 1)}
        card_path.write_text(json.dumps(card, indent=2) + "\n")
        print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
