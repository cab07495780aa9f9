"""Evaluate the shipped fabric generator through the engine; writes a report folder.

    python -m models.fabric.evaluate --data ../shared/data --report docs/reports/fabric [--baseline DIR]

Per kind: a sample grid (albedo / height / roughness of several seeds), radially averaged power spectra
against the synthesiser's (and, where the kind has one, the real set's) maps, and a table of seam ratio,
HFER ratio, LSD, SWD, Gram distance, diversity ratio and CIEDE2000 to the requested colour. With
``--baseline`` (a folder holding another fabric_model.json, e.g. the VAE-only baseline) it is scored too.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from inference import texture_metrics as tm  # noqa: E402
from inference.fabric import FabricModel  # noqa: E402
from models.fabric import real_data  # noqa: E402
from models.fabric.conditions import PX_PER_CM  # noqa: E402
from models.fabric.synth import KINDS, FabricSpec, synthesize  # noqa: E402

COLOR = (0.25, 0.35, 0.55)
SIZE = 128


def references(kind: str, reals: list, n: int) -> list[np.ndarray]:
    """Height maps to compare with: the real sets of this kind if any, else synthesiser samples."""
    own = [s for s in reals if s.kind == kind]
    if own:
        rng = np.random.default_rng(0)
        return [real_data.random_crops(own[i % len(own)], 1, SIZE, rng)[0, 3] for i in range(n)]
    tile = SIZE / PX_PER_CM
    return [synthesize(FabricSpec(kind=kind, color=COLOR, size=SIZE, tile_cm=tile, seed=100 + i))["height"]
            for i in range(n)]


def score(model: FabricModel, kind: str, refs: list[np.ndarray], n: int) -> tuple[dict, list]:
    maps = [model.generate(kind, COLOR, 12.0, SIZE, seed=i) for i in range(n)]
    heights = [m.height for m in maps]
    hfer_gen = np.mean([tm.hfer(h) for h in heights])
    hfer_ref = np.mean([tm.hfer(h) for h in refs])
    cnn = tm.RandomCNN()
    row = {
        "seam_ratio_max": float(max(max(tm.max_seam_ratio(m.albedo), tm.max_seam_ratio(m.height),
                                        tm.max_seam_ratio(m.roughness)) for m in maps)),
        "hfer_ratio": float(hfer_gen / max(hfer_ref, 1e-12)),
        "lsd": float(np.mean([tm.log_spectral_distance(h, r) for h, r in zip(heights, refs, strict=False)])),
        "swd": tm.sliced_wasserstein(heights, refs, n_patches=1024),
        "gram": float(np.mean([tm.gram_distance(h, r, cnn) for h, r in zip(heights, refs, strict=False)])),
        "diversity_ratio": tm.diversity_ratio(heights, refs, cnn),
        "delta_e00": float(np.mean([tm.mean_color_delta_e(m.albedo, COLOR) for m in maps])),
    }
    return row, maps


def plot_kind(report: Path, kind: str, maps: list, refs: list, baseline_maps: list | None):
    fig, axes = plt.subplots(3, len(maps) + 1, figsize=(2 * (len(maps) + 1), 6))
    for j, m in enumerate(maps):
        for i, img in enumerate((m.albedo, m.height, m.roughness)):
            axes[i, j].imshow(img, cmap=None if img.ndim == 3 else "gray", vmin=0, vmax=1)
    ax = axes[0, -1]
    for imgs, label in ((refs, "reference"), ([m.height for m in maps], "GAN"),
                        ([m.height for m in baseline_maps] if baseline_maps else [], "baseline")):
        if imgs:
            f, p = tm.radial_power_spectrum(imgs[0])
            ax.loglog(f[1:], np.mean([tm.radial_power_spectrum(x)[1][1:] for x in imgs], 0), label=label)
    ax.legend(fontsize=6)
    ax.set_title("height spectrum", fontsize=8)
    axes[1, -1].imshow(np.tile(maps[0].albedo, (2, 2, 1)))
    axes[1, -1].set_title("2x2 tiled", fontsize=8)
    axes[2, -1].imshow(refs[0], cmap="gray")
    axes[2, -1].set_title("reference height", fontsize=8)
    for a in axes.ravel():
        a.set_xticks([])
        a.set_yticks([])
    fig.suptitle(f"{kind}: albedo / height / roughness, seeds 0..{len(maps) - 1}")
    fig.tight_layout()
    fig.savefig(report / f"{kind}.png", dpi=80)
    plt.close(fig)


def evaluate(data_root: Path, report: Path, n: int = 4, baseline_dir: str | None = None) -> dict:
    report.mkdir(parents=True, exist_ok=True)
    model = FabricModel.load()
    baseline = FabricModel.load(baseline_dir) if baseline_dir else None
    reals = real_data.load_all(data_root, 256)
    rows = {}
    for kind in KINDS:
        refs = references(kind, reals, n)
        rows[kind], maps = score(model, kind, refs, n)
        bmaps = None
        if baseline is not None:
            rows[kind]["baseline"], bmaps = score(baseline, kind, refs, n)
        plot_kind(report, kind, maps, refs, bmaps)
    keys = [k for k in next(iter(rows.values())) if k != "baseline"]
    lines = ["# Fabric generator evaluation", "", f"Generator steps: {model.card['training']['steps']}; "
             f"{n} seeds per kind at {SIZE} px, colour {COLOR}, 12 threads/cm; references: the real sets of the "
             "kind, else synthesiser samples.", "", "| kind | " + " | ".join(keys) + " |",
             "|---" * (len(keys) + 1) + "|"]
    for kind, row in rows.items():
        lines.append(f"| {kind} | " + " | ".join(f"{row[k]:.3f}" for k in keys) + " |")
    lines += ["", "Targets: seam ratio <= 1.05, HFER ratio 0.8-1.25, LSD <= 0.3, diversity >= 0.8, "
              "CIEDE2000 <= 3.", ""] + [f"![{k}]({k}.png)" for k in KINDS]
    (report / "report.md").write_text("\n".join(lines) + "\n")
    (report / "metrics.json").write_text(json.dumps(rows, indent=1))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--report", type=Path, default=Path("docs/reports/fabric"))
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--baseline", help="folder with a baseline fabric_model.json to score alongside")
    args = ap.parse_args(argv)
    evaluate(args.data, args.report, args.seeds, args.baseline)
    print((args.report / "report.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
