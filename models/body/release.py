"""The whole body-model pipeline in one resumable command: data, training, export, card, evaluation.

    python -m models.body.release --data ../shared/data

Writes models/shipped/body_{decoder,encoder}.onnx + body_model.json and docs/reports/body/.
Each stage is cached or resumable (dataset cache, training checkpoints), so re-running continues.
"""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from inference.vocabulary import SLIDERS
from models.body import ansur
from models.body.export import CARD_FILE, export_onnx, load_checkpoint, write_card
from models.body.network import CONDITION_NAMES
from models.body.pca import PCA
from models.body.train import PCA_K, load_data, train

RANGE_MARGIN = 0.1  # of the population's span, added at both ends of each plausible range


def population_extent(raw) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest value of each slider measurement over every ANSUR II subject, as ANSUR measured
    them (what users type), not our fitted bodies' labels."""
    cols = [list(raw["fit_names"]).index(s) for s in SLIDERS]
    everyone = raw["ansur"][:, cols].astype(np.float64)
    return everyone.min(0), everyone.max(0)


def condition_stats(data) -> tuple[dict, dict]:
    """Per-sex mean/covariance of the slider measurements (train split), and plausible ranges that hold the
    whole ANSUR population of both sexes with margin (a tall woman is within the men's heights), so every
    real person's request is honoured without a warning."""
    stats, ranges = {}, {}
    _, c_tr = data.part(0)
    lo, hi = population_extent(data.raw)
    pad = RANGE_MARGIN * (hi - lo)
    for sex, flag in (("female", 0.0), ("male", 1.0)):
        c = c_tr[c_tr[:, -1] == flag][:, :-1].astype(np.float64)
        stats[sex] = {"mean": c.mean(0).round(4).tolist(), "cov": np.cov(c.T).round(5).tolist()}
        ranges[sex] = {s: [float(np.floor(a)), float(np.ceil(b))]
                       for s, a, b in zip(SLIDERS, lo - pad, hi + pad, strict=True)}
    return stats, ranges


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--cache", type=Path, default=Path("build/cache"))
    ap.add_argument("--runs", type=Path, default=Path("build/body_vae"))
    ap.add_argument("--out", type=Path, default=Path("models/shipped"))
    ap.add_argument("--report", type=Path, default=Path("docs/reports/body"))
    ap.add_argument("--latents", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    ap.add_argument("--ship", type=int, default=4, help="latent size of the shipped model")
    ap.add_argument("--steps", type=int, default=8000)
    ap.add_argument("--beta", type=float, default=0.05)
    ap.add_argument("--subjects", type=int, default=None, help="smoke runs only")
    ap.add_argument("--skip-eval", action="store_true")
    args = ap.parse_args(argv)
    command = "python -m models.body.release " + shlex.join(sys.argv[1:] if argv is None else argv)

    t0 = time.time()
    data = load_data(args.data, args.cache, args.subjects)
    results = {}
    pca = PCA.fit(data.part(0)[0], PCA_K)  # one basis shared by every latent size
    for k in sorted(set(args.latents) | {args.ship}):
        results[k] = train(data, args.runs / f"latent{k}", k, args.steps, args.beta, pca=pca)
        print(f"latent {k}: val {results[k]['val_error_mm']:.2f} mm ({results[k]['wall_seconds']:.0f} s)")
    ship = results[args.ship]
    files = export_onnx(load_checkpoint(args.runs / f"latent{args.ship}"), args.out)
    stats, ranges = condition_stats(data)
    raw = data.raw
    fit_err = np.abs(raw["measurements"][:, [list(raw["names"]).index(n) for n in ansur.FIT_NAMES]] - raw["ansur"])
    card = {
        "name": "body_cvae",
        "version": "0.1.0",
        "description": "Conditional VAE over MakeHuman body shapes anchored to ANSUR II; decoder maps slider "
                       "measurements + sex + body style to template vertices (metres, Z up).",
        "files": {"decoder": files["decoder"], "encoder": files["encoder"]},
        "parity_max_abs": files["parity_max_abs"],
        "template": {"file": "template_avatar.npz", "vertices": int(data.vertices.shape[1] // 3)},
        "condition_names": list(CONDITION_NAMES),
        "condition_units": ["cm", "cm", "cm", "cm", "cm", "kg", "0 female / 1 male"],
        "latent": args.ship,
        "condition_stats": stats,
        "plausible_range": ranges,
        "training": {
            "command": command,
            "data": ["../shared/data/bodies/mpfb2 (CC0 MakeHuman base mesh and targets)",
                     "../shared/data/bodies/ansur2 (ANSUR II, public domain)"],
            "subjects": {"train": int((raw["split"] == 0).sum()), "val": int((raw["split"] == 1).sum()),
                         "test": int((raw["split"] == 2).sum())},
            "dataset_settings": json.loads(str(raw["settings"])),
            "dataset_build_seconds": float(raw["build_seconds"]),
            "ansur_fit_mae": {n: round(float(v), 3) for n, v in zip(ansur.FIT_NAMES, fit_err.mean(0), strict=True)},
            "ansur_landmark_height_mae_cm": {
                n: round(float(v), 3) for n, v in zip(
                    [str(x) for x in raw["height_names"]], np.abs(raw["heights"] - raw["ansur_heights"]).mean(0),
                    strict=True)},
            "steps": ship["steps"], "beta": args.beta, "wall_seconds": round(ship["wall_seconds"], 1),
            "total_pipeline_seconds": None,
            "machine": f"{platform.machine()} {platform.processor() or ''} CPU, torch",
        },
        "metrics": {"val_per_vertex_error_mm": round(ship["val_error_mm"], 3)},
    }
    write_card(args.out, card)
    if not args.skip_eval:
        from models.body.evaluate import evaluate, update_card

        m = evaluate(data, args.runs, args.report, model_dir=str(args.out))
        card = update_card(args.out / CARD_FILE, m, args.report)
    card["training"]["total_pipeline_seconds"] = round(time.time() - t0, 1)
    path = write_card(args.out, card)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
