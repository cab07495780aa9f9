"""Export the fabric generator (EMA weights) to ONNX with its model card, checking parity and seams.

    python -m models.fabric.export --run build/fabric_gan --out models/shipped
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from inference.onnx_model import sha256_file as sha256
from models.fabric.conditions import PX_PER_CM, SCALE_RANGE, STYLE_DIM
from models.fabric.networks import NOISE_CH, NOISE_STRIDE, PERIODIC_CH, STRIDE, Generator, sample_noise
from models.fabric.synth import BASE_ROUGHNESS, KINDS

OPSET = 17
GENERATOR_FILE, CARD_FILE = "fabric_generator.onnx", "fabric_model.json"


def load_generator(run: Path) -> tuple[Generator, dict]:
    ck = torch.load(Path(run) / "ckpt.pt", weights_only=False)
    g = Generator()
    g.load_state_dict(ck["G_ema"])
    return g.eval(), ck


def export_generator(g: Generator, out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / GENERATOR_FILE
    noise = sample_noise(1, 64)
    per = torch.randn(1, PERIODIC_CH, 64, 64)
    style = torch.randn(1, STYLE_DIM)
    torch.onnx.export(
        g, (noise, per, style), path, input_names=["noise", "periodic", "style"], output_names=["maps"],
        dynamic_axes={"noise": {0: "n", 2: "h", 3: "w"}, "periodic": {0: "n", 2: "H", 3: "W"}, "style": {0: "n"},
                      "maps": {0: "n", 2: "H", 3: "W"}},
        opset_version=OPSET, dynamo=False,
    )
    return {"file": GENERATOR_FILE, "sha256": sha256(path),
            "inputs": {"noise": ["n", NOISE_CH, "h", "w"], "periodic": ["n", PERIODIC_CH, "H", "W"],
                       "style": ["n", STYLE_DIM]},
            "outputs": {"maps": ["n", 5, "H", "W"]}, "parity_max_abs": parity(g, path)}


def parity(g: Generator, path: Path, seed: int = 0) -> float:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    gen = torch.Generator().manual_seed(seed)
    worst = 0.0
    for size in (64, 96, 256):
        noise = sample_noise(2, size, gen)
        per = torch.randn(2, PERIODIC_CH, size, size, generator=gen)
        style = torch.randn(2, STYLE_DIM, generator=gen)
        with torch.no_grad():
            ref = g(noise, per, style).numpy()
        got = sess.run(None, {"noise": noise.numpy(), "periodic": per.numpy(), "style": style.numpy()})[0]
        worst = max(worst, float(np.abs(got - ref).max()))
    return worst


def card(files: dict, ck: dict, command: str) -> dict:
    return {
        "name": "fabric_gan", "version": "0.1.0",
        "description": "Wrap-padded conditional GAN generator: noise + periodic thread channels + style -> "
                       "albedo, height, roughness (tileable at any size that is a multiple of the stride).",
        "files": files, "stride": STRIDE, "noise_channels": NOISE_CH, "noise_stride": NOISE_STRIDE,
        "noise": "uniform, unit variance, counter-based per row (inference.fabric.noise_rows)", "normal_strength": 4.0,
        "style": {"kinds": list(KINDS), "px_per_cm": PX_PER_CM, "threads_per_cm_range": list(SCALE_RANGE),
                  "default_roughness": BASE_ROUGHNESS,
                  "layout": "one-hot kind, CIE Lab / 100 of the colour, log2(threads per cm / 12), roughness"},
        "training": {"command": command, "steps": ck["step"], "wall_seconds": round(ck["wall"], 1),
                     "batch": ck.get("batch"), "crop": ck.get("crop"),
                     "data": ["procedural synthesiser (models/fabric/synth.py)", "../shared/data/fabrics (10 sets)"]},
        "metrics": {},
    }


def keep_encoder(card_path: Path, new_card: dict) -> None:
    """Re-exporting the generator keeps a swatch encoder already in the folder (it does not depend on it)."""
    if not card_path.is_file():
        return
    old = json.loads(card_path.read_text())
    enc = old.get("files", {}).get("encoder")
    if enc and (card_path.parent / enc["file"]).is_file() and sha256(card_path.parent / enc["file"]) == enc["sha256"]:
        new_card["files"]["encoder"] = enc
        if "encoder_training" in old:
            new_card["encoder_training"] = old["encoder_training"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, default=Path("build/fabric_gan"))
    ap.add_argument("--out", type=Path, default=Path("models/shipped"))
    args = ap.parse_args(argv)
    g, ck = load_generator(args.run)
    files = {"generator": export_generator(g, args.out)}
    command = ("python -m models.fabric.train_vae --data ../shared/data --out build/fabric_vae"
               if ck.get("kind") == "vae-baseline" else
               "python -m models.fabric.train_gan --data ../shared/data --out build/fabric_gan")
    command += f" --steps {ck['step']} --batch {ck.get('batch')}"
    c = card(files, ck, command)
    if ck.get("kind") == "vae-baseline":
        c["name"], c["description"] = "fabric_vae_baseline", "VAE-only baseline: " + c["description"]
    keep_encoder(args.out / CARD_FILE, c)
    (args.out / CARD_FILE).write_text(json.dumps(c, indent=2) + "\n")
    print(json.dumps(files, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
