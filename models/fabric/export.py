"""Export the fabric detail generator (EMA weights) to ONNX with its model card, checking parity with torch.

    python -m models.fabric.export --run build/fabric_gan --out models/shipped
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from inference.fabric import FORMAT
from inference.fabric_structure import CHANNELS
from inference.onnx_model import sha256_file as sha256
from models.fabric.conditions import SCALE_RANGE, STYLE_DIM
from models.fabric.networks import (
    MARGIN,
    NOISE_CH,
    NORMAL_STRENGTH,
    STRIDE,
    STRUCT_CH,
    DetailGenerator,
    PaddedGraph,
    sample_noise,
)
from models.fabric.synth import BASE_ROUGHNESS, KINDS

OPSET = 17
GENERATOR_FILE, CARD_FILE = "fabric_generator.onnx", "fabric_model.json"


def load_generator(run: Path) -> tuple[DetailGenerator, dict]:
    ck = torch.load(Path(run) / "ckpt.pt", weights_only=False, map_location="cpu")
    g = DetailGenerator()
    g.load_state_dict(ck["G_ema"])
    return g.eval(), ck


def export_generator(g: DetailGenerator, out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / GENERATOR_FILE
    args = (torch.rand(1, STRUCT_CH, 128, 128), sample_noise(1, 128), torch.randn(1, STYLE_DIM))
    torch.onnx.export(
        PaddedGraph(g), args, path, input_names=["structure", "noise", "style"], output_names=["maps"],
        # One request per call (the engine's use): the style's FiLM is folded into the convolutions.
        dynamic_axes={"structure": {2: "H", 3: "W"}, "noise": {2: "H", 3: "W"}, "maps": {2: "H", 3: "W"}},
        opset_version=OPSET, dynamo=False,
    )
    return {"file": GENERATOR_FILE, "sha256": sha256(path),
            "inputs": {"structure": [1, STRUCT_CH, "H", "W"], "noise": [1, NOISE_CH, "H", "W"],
                       "style": [1, STYLE_DIM]},
            "outputs": {"maps": [1, 6, "H", "W"]}, "margin": MARGIN, "parity_max_abs": parity(g, path)}


def wrap(t: torch.Tensor) -> torch.Tensor:
    return F.pad(t, (MARGIN,) * 4, mode="circular")


def parity(g: DetailGenerator, path: Path, seed: int = 0) -> float:
    """ONNX on wrap-padded inputs against torch's wrapping forward on the tile (and the batched FiLM path)."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    gen = torch.Generator().manual_seed(seed)
    worst = 0.0
    for size in (64, 96, 256):
        args = (torch.rand(1, STRUCT_CH, size, size, generator=gen), sample_noise(1, size, gen),
                torch.randn(1, STYLE_DIM, generator=gen))
        with torch.no_grad():
            ref = g(*args).numpy()
            batched = g(*(torch.cat([a, a]) for a in args))[:1].numpy()  # the training path (FiLM after the conv)
        worst = max(worst, float(np.abs(batched - ref).max()))
        feed = {"structure": wrap(args[0]).numpy(), "noise": wrap(args[1]).numpy(), "style": args[2].numpy()}
        got = sess.run(None, feed)[0][:, :, MARGIN:-MARGIN, MARGIN:-MARGIN]
        worst = max(worst, float(np.abs(got - ref).max()))
    return worst


def card(files: dict, ck: dict, command: str) -> dict:
    return {
        "name": "fabric_detail_gan", "version": "2.0.0", "format": FORMAT,
        "description": "Wrap-padded conditional detail generator: exact structure channels + noise + style -> "
                       "tone, height, roughness and normals (tileable at any size that is a multiple of the stride).",
        "files": files, "stride": STRIDE, "margin": MARGIN, "noise_channels": NOISE_CH,
        "structure_channels": list(CHANNELS),
        "noise": "uniform, unit variance, counter-based per row (inference.fabric.noise_rows)",
        "normal_strength": NORMAL_STRENGTH,
        "style": {"kinds": list(KINDS), "threads_per_cm_range": list(SCALE_RANGE), "default_roughness": BASE_ROUGHNESS,
                  "layout": "one-hot kind, roughness, log2(pixels per thread / 6)"},
        "training": {"command": command, "steps": ck["step"], "wall_seconds": round(ck["wall"], 1),
                     "batch": ck.get("batch"), "window": ck.get("window"),
                     "data": ["procedural synthesiser on the engine's structure (models/fabric/synth.py)"]},
        "metrics": {},
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, default=Path("build/fabric_gan"))
    ap.add_argument("--out", type=Path, default=Path("models/shipped"))
    args = ap.parse_args(argv)
    g, ck = load_generator(args.run)
    files = {"generator": export_generator(g, args.out)}
    command = ("python -m models.fabric.train_vae --out build/fabric_vae" if ck.get("kind") == "vae-baseline" else
               "python -m models.fabric.train_gan --out build/fabric_gan")
    command += f" --steps {ck['step']} --batch {ck.get('batch')}"
    c = card(files, ck, command)
    if ck.get("kind") == "vae-baseline":
        c["name"], c["description"] = "fabric_vae_baseline", "VAE-only baseline: " + c["description"]
    (args.out / CARD_FILE).write_text(json.dumps(c, indent=2) + "\n")
    print(json.dumps(files, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
