"""Swatch encoder ("fabric from a swatch"): PBR maps or a photo -> posterior over the request it shows.

    python -m models.fabric.train_encoder --out build/fabric_encoder --steps 3000 --export models/shipped

The target of every training tile is the request the synthesiser made it from, in the engine's swatch
layout (inference.fabric.swatch_vector: kind, main yarn colour in Lab, log2 threads per cm, roughness),
so what the encoder says is something the generator can make. Fitted by the Gaussian negative log
likelihood of that target under its (mu, sigma) plus a small KL to the unit prior (the VAE-GAN encoder's
regulariser; mu and sigma by the reparameterisation-ready head). Photos arrive without height and
roughness: half of the time those channels are replaced by the luminance pseudo-height the engine uses.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch

from inference.fabric import swatch_vector
from models.fabric.bank import random_spec
from models.fabric.networks import SwatchEncoder
from models.fabric.synth import KINDS, PRESETS, synthesize
from models.run import TrainingRun, gaussian_kl

ENCODER_FILE = "fabric_encoder.onnx"
SWATCH_DIM = len(KINDS) + 5  # the swatch layout (inference.fabric.swatch_vector)
MAPS_CH = 5  # albedo, height, roughness in
TILE = 128


def photo_like(maps: torch.Tensor) -> torch.Tensor:
    """What the engine feeds for a plain photo: luminance as height, constant roughness."""
    lum = (maps[:, :3] * torch.tensor([0.2126, 0.7152, 0.0722])[:, None, None]).sum(1, keepdim=True)
    lo = lum.amin((2, 3), keepdim=True)
    hi = lum.amax((2, 3), keepdim=True)
    return torch.cat([maps[:, :3], (lum - lo) / (hi - lo + 1e-6), torch.full_like(lum, 0.8)], 1)


def swatch_bank(n: int, seed: int, log=print) -> tuple[torch.Tensor, torch.Tensor]:
    """n synthesiser tiles (whole tiles: a swatch is periodic fabric) and their requests."""
    rng = np.random.default_rng(seed)
    t0 = time.time()
    maps, targets = [], []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        spec = random_spec(rng, kind)
        # A whole tile when one repeat of the pattern fits TILE px, else the corner of a larger tile (a crop of
        # fabric is still that fabric: the encoder sees size-independent statistics).
        size = TILE if spec.fits(TILE) else 4 * TILE
        spec = dataclasses.replace(spec, size=size)
        m = synthesize(spec)
        maps.append(np.concatenate([m["albedo"].transpose(2, 0, 1), m["height"][None],
                                    m["roughness"][None]])[:, :TILE, :TILE])
        rough = PRESETS[kind].roughness if spec.roughness is None else spec.roughness
        targets.append(swatch_vector(KINDS, kind, spec.color, spec.threads_per_cm, rough))
    log(f"swatch bank: {n} tiles in {time.time() - t0:.0f} s")
    return torch.as_tensor(np.stack(maps)), torch.as_tensor(np.stack(targets))


def train(out: Path, steps: int, batch: int = 32, n_bank: int = 2000, seed: int = 0, log=print) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    enc = SwatchEncoder(SWATCH_DIM)
    opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
    with TrainingRun(out, log, E=enc, opt=opt) as run:
        if run.step < steps:
            maps_all, target_all = swatch_bank(n_bank, seed, log)
            gen = torch.Generator().manual_seed(seed + run.step)
        while run.step < steps:
            idx = torch.randint(0, len(maps_all), (batch,), generator=gen)
            maps, target = maps_all[idx], target_all[idx]
            shift = [int(v) for v in torch.randint(0, TILE, (2,), generator=gen)]
            maps = torch.roll(maps, shift, (2, 3))  # any crop of a tile is the same swatch
            photo = torch.rand(batch, generator=gen) < 0.5
            maps = torch.where(photo[:, None, None, None], photo_like(maps), maps)
            mu, logvar = enc(maps)
            nll = (0.5 * ((target - mu) ** 2 / logvar.exp() + logvar)).sum(1).mean()
            kl = gaussian_kl(mu, logvar).sum(1).mean()
            loss = nll + 1e-3 * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            run.step += 1
            if run.step % 50 == 0:
                k = len(KINDS)  # the swatch layout's kind entries come first (inference.fabric.swatch_vector)
                kind_acc = (mu[:, :k].argmax(1) == target[:, :k].argmax(1)).float().mean().item()
                run.record(nll=round(nll.item(), 4), kind_accuracy=kind_acc)
            if run.step % 250 == 0 or run.step == steps:
                run.save()
        step, wall = run.step, run.wall
    return {"E": enc.eval(), "steps": step, "wall_seconds": wall}


def export_encoder(enc: SwatchEncoder, out_dir: Path) -> dict:
    import onnxruntime as ort

    from inference.onnx_model import sha256_file as sha256

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ENCODER_FILE
    x = torch.rand(1, MAPS_CH, 64, 64)
    torch.onnx.export(enc, (x,), path, input_names=["maps"], output_names=["mu", "logvar"],
                      dynamic_axes={"maps": {0: "n", 2: "H", 3: "W"}, "mu": {0: "n"}, "logvar": {0: "n"}},
                      opset_version=17, dynamo=False)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for size in (64, 200):
        x = torch.rand(2, MAPS_CH, size, size)
        with torch.no_grad():
            ref = enc(x)[0].numpy()
        worst = max(worst, float(np.abs(sess.run(None, {"maps": x.numpy()})[0] - ref).max()))
    return {"file": ENCODER_FILE, "sha256": sha256(path), "inputs": {"maps": ["n", MAPS_CH, "H", "W"]},
            "outputs": {"mu": ["n", SWATCH_DIM], "logvar": ["n", SWATCH_DIM]}, "parity_max_abs": worst}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("build/fabric_encoder"))
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--bank", type=int, default=2000, help="synthesiser tiles in the training bank")
    ap.add_argument("--export", type=Path, help="also export to this folder and add it to its fabric card")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    res = train(args.out, args.steps, n_bank=args.bank)
    print(f"trained {res['steps']} steps in {res['wall_seconds']:.0f} s")
    if args.export:
        info = export_encoder(res["E"], args.export)
        card_path = args.export / "fabric_model.json"
        card = json.loads(card_path.read_text())
        card["files"]["encoder"] = info
        card["encoder_training"] = {"command": f"python -m models.fabric.train_encoder --steps {args.steps} --bank "
                                               f"{args.bank}", "steps": res["steps"],
                                    "wall_seconds": round(res["wall_seconds"], 1),
                                    "data": "synthesiser tiles with their requests (inference.fabric.swatch_vector)"}
        card_path.write_text(json.dumps(card, indent=2) + "\n")
        print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
