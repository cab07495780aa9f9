"""Export the body CVAE to ONNX (decoder and encoder) with a model card, and check parity.

    python -m models.body.export --run build/body_vae/latent4 --out models/shipped
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from inference.onnx_model import sha256_file as sha256
from models.body.network import CONDITION_NAMES, BodyCVAE, DecoderExport, EncoderExport

OPSET = 17
DECODER_FILE, ENCODER_FILE, CARD_FILE = "body_decoder.onnx", "body_encoder.onnx", "body_model.json"




def load_checkpoint(run: Path) -> BodyCVAE:
    ck = torch.load(Path(run) / "ckpt.pt", weights_only=False)
    sd = ck["model"]
    k, d = sd["pca_components"].shape
    vae = BodyCVAE(np.zeros(d), np.zeros((k, d)), np.ones(k), np.zeros(len(CONDITION_NAMES)),
                   np.ones(len(CONDITION_NAMES)), latent=ck["latent"])
    vae.load_state_dict(sd)
    return vae.eval()


def export_onnx(vae: BodyCVAE, out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    n_cond = len(CONDITION_NAMES)
    cond = vae.cond_mean[None].repeat(2, 1)
    style = torch.zeros(2, vae.latent)
    dec_path, enc_path = out_dir / DECODER_FILE, out_dir / ENCODER_FILE
    torch.onnx.export(
        DecoderExport(vae), (cond, style), dec_path, input_names=["condition", "style"],
        output_names=["vertices"], dynamic_axes={"condition": {0: "n"}, "style": {0: "n"}, "vertices": {0: "n"}},
        opset_version=OPSET, dynamo=False,
    )
    verts = DecoderExport(vae)(cond, style).detach()
    torch.onnx.export(
        EncoderExport(vae), (verts, cond), enc_path, input_names=["vertices", "condition"],
        output_names=["mu", "logvar"],
        dynamic_axes={"vertices": {0: "n"}, "condition": {0: "n"}, "mu": {0: "n"}, "logvar": {0: "n"}},
        opset_version=OPSET, dynamo=False,
    )
    parity = check_parity(vae, dec_path, enc_path)
    n_vertices = vae.pca_mean.shape[0] // 3
    return {
        "decoder": {"file": DECODER_FILE, "sha256": sha256(dec_path),
                    "inputs": {"condition": ["n", n_cond], "style": ["n", vae.latent]},
                    "outputs": {"vertices": ["n", n_vertices, 3]}},
        "encoder": {"file": ENCODER_FILE, "sha256": sha256(enc_path),
                    "inputs": {"vertices": ["n", n_vertices, 3], "condition": ["n", n_cond]},
                    "outputs": {"mu": ["n", vae.latent], "logvar": ["n", vae.latent]}},
        "parity_max_abs": parity,
    }


def check_parity(vae: BodyCVAE, dec_path: Path, enc_path: Path, n: int = 16, seed: int = 0) -> dict:
    """Max |torch - onnxruntime| on random conditions and styles (metres for vertices)."""
    import onnxruntime as ort

    g = torch.Generator().manual_seed(seed)
    cond = vae.cond_mean + vae.cond_std * torch.randn(n, len(CONDITION_NAMES), generator=g)
    cond[:, -1] = (torch.rand(n, generator=g) > 0.5).float()
    style = torch.randn(n, vae.latent, generator=g)
    with torch.no_grad():
        ref_v = DecoderExport(vae)(cond, style).numpy()
        ref_mu, ref_lv = EncoderExport(vae)(torch.as_tensor(ref_v), cond)
    dec = ort.InferenceSession(str(dec_path), providers=["CPUExecutionProvider"])
    enc = ort.InferenceSession(str(enc_path), providers=["CPUExecutionProvider"])
    v = dec.run(None, {"condition": cond.numpy(), "style": style.numpy()})[0]
    mu, lv = enc.run(None, {"vertices": ref_v, "condition": cond.numpy()})
    return {"decoder": float(np.abs(v - ref_v).max()),
            "encoder": float(max(np.abs(mu - ref_mu.numpy()).max(), np.abs(lv - ref_lv.numpy()).max()))}


def write_card(out_dir: Path, card: dict) -> Path:
    path = out_dir / CARD_FILE
    path.write_text(json.dumps(card, indent=2) + "\n")
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, default=Path("build/body_vae/latent4"))
    ap.add_argument("--out", type=Path, default=Path("models/shipped"))
    args = ap.parse_args(argv)
    info = export_onnx(load_checkpoint(args.run), args.out)
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
