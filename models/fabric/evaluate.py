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

from inference import color  # noqa: E402
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


def swatch_variations(model: FabricModel, reals: list, report: Path, n: int = 3) -> list[dict]:
    """Each real set's albedo as a 'photo' -> encoded style -> n tileable variations; colour and kind kept?"""
    rows, panels = [], []
    for s in reals:
        photo = s.albedo[:256, :256]
        vs = model.variations(photo, n, size=SIZE, seed=0)
        lin = color.srgb_to_linear(photo.reshape(-1, 3)).mean(0)
        target = tuple(float(c) for c in color.linear_to_srgb(lin))
        rows.append({"set": s.name, "kind": s.kind, "predicted_kind": vs[0].info["kind"],
                     "delta_e00": float(np.mean([tm.mean_color_delta_e(v.albedo, target) for v in vs])),
                     "seam_ratio_max": float(max(tm.max_seam_ratio(v.albedo) for v in vs))})
        panels.append((s.name, photo, [v.albedo for v in vs]))
    fig, axes = plt.subplots(len(panels), n + 1, figsize=(1.6 * (n + 1), 1.6 * len(panels)))
    for i, (name, photo, outs) in enumerate(panels):
        axes[i, 0].imshow(photo[:SIZE, :SIZE])
        axes[i, 0].set_ylabel(name, fontsize=6)
        for j, a in enumerate(outs, 1):
            axes[i, j].imshow(a)
    for a in axes.ravel():
        a.set_xticks([])
        a.set_yticks([])
    axes[0, 0].set_title("swatch", fontsize=8)
    for j in range(1, n + 1):
        axes[0, j].set_title(f"variation {j}", fontsize=8)
    fig.tight_layout()
    fig.savefig(report / "swatch_variations.png", dpi=80)
    plt.close(fig)
    return rows


def sample_grid(report: Path, grid: list) -> None:
    """All kinds in one figure: albedo and height of the first seeds, side by side (2x2 tiled to show seams)."""
    cols = max(len(m) for _, m in grid) * 2
    fig, axes = plt.subplots(len(grid), cols, figsize=(1.3 * cols, 1.3 * len(grid)))
    for i, (kind, maps) in enumerate(grid):
        for j, m in enumerate(maps):
            axes[i, 2 * j].imshow(np.tile(m.albedo, (2, 2, 1)))
            axes[i, 2 * j + 1].imshow(np.tile(m.height, (2, 2)), cmap="gray", vmin=0, vmax=1)
        axes[i, 0].set_ylabel(kind, fontsize=7)
    for a in axes.ravel():
        a.set_xticks([])
        a.set_yticks([])
    for j in range(cols // 2):
        axes[0, 2 * j].set_title(f"seed {j} albedo", fontsize=7)
        axes[0, 2 * j + 1].set_title("height", fontsize=7)
    fig.tight_layout()
    fig.savefig(report / "sample_grid.png", dpi=90)
    plt.close(fig)


def training_curves(run: Path, report: Path) -> bool:
    """Loss curves from a training run's log.jsonl (if the run folder is here)."""
    log = run / "log.jsonl"
    if not log.is_file():
        return False
    recs = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    keys = [k for k in ("loss_d", "loss_adv", "loss_cons", "loss_rec", "ms_ratio") if any(k in r for r in recs)]
    fig, axes = plt.subplots(1, len(keys), figsize=(3 * len(keys), 2.6))
    for ax, k in zip(np.atleast_1d(axes), keys, strict=True):
        pts = [(r["step"], r[k]) for r in recs if k in r]
        ax.plot(*zip(*pts, strict=True), lw=0.8)
        ax.set_title(k, fontsize=8)
        ax.set_xlabel("step", fontsize=7)
    fig.tight_layout()
    fig.savefig(report / "training_curves.png", dpi=80)
    plt.close(fig)
    return True


def _table(title: str, rows: dict, keys: list[str]) -> list[str]:
    out = [f"### {title}", "", "| kind | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for kind, row in rows.items():
        out.append(f"| {kind} | " + " | ".join(f"{row[k]:.3f}" for k in keys) + " |")
    return out + [""]


def evaluate(data_root: Path, report: Path, n: int = 4, baseline_dir: str | None = None,
             run: Path | None = None) -> dict:
    report.mkdir(parents=True, exist_ok=True)
    model = FabricModel.load()
    baseline = FabricModel.load(baseline_dir) if baseline_dir else None
    reals = real_data.load_all(data_root, 256)
    rows, base_rows, grid = {}, {}, []
    for kind in KINDS:
        refs = references(kind, reals, n)
        rows[kind], maps = score(model, kind, refs, n)
        grid.append((kind, maps[:3]))
        bmaps = None
        if baseline is not None:
            base_rows[kind], bmaps = score(baseline, kind, refs, n)
        plot_kind(report, kind, maps, refs, bmaps)
    keys = list(next(iter(rows.values())))
    sample_grid(report, grid)
    swatches = swatch_variations(model, reals, report) if "encoder" in model.card["files"] else []
    curves = training_curves(run, report) if run else False
    summary = {k: float(np.median([r[k] for r in rows.values()])) for k in keys}
    lines = ["# Fabric generator evaluation", "",
             f"Generator steps: {model.card['training']['steps']} ({model.card['training']['wall_seconds']:.0f} s of "
             f"training); {n} seeds per kind at {SIZE} px, colour {COLOR}, 12 threads/cm; references: the real sets "
             "of the kind, else synthesiser samples.", "",
             "Targets: seam ratio <= 1.05 on every map, HFER ratio 0.8-1.25, LSD <= 0.3, diversity >= 0.8, "
             "CIEDE2000 <= 3; the VAE-only baseline visibly softer (HFER ratio < 0.5).", ""]
    lines += ["![sample grid](sample_grid.png)", ""]
    lines += _table("GAN generator", rows, keys)
    lines += ["Median over kinds: " + ", ".join(f"{k} {v:.3f}" for k, v in summary.items()), ""]
    if base_rows:
        lines += _table("VAE-only baseline (same decoder, L1 + KL)", base_rows, keys)
    if swatches:
        lines += ["### Swatch -> variations on the real sets", "", "| set | kind | predicted kind | CIEDE2000 | "
                  "seam ratio |", "|---|---|---|---|---|"]
        lines += [f"| {r['set']} | {r['kind']} | {r['predicted_kind']} | {r['delta_e00']:.2f} | "
                  f"{r['seam_ratio_max']:.3f} |" for r in swatches]
        lines += ["", "![swatch variations](swatch_variations.png)", ""]
    if curves:
        lines += ["![training curves](training_curves.png)", ""]
    lines += [f"![{k}]({k}.png)" for k in KINDS]
    (report / "report.md").write_text("\n".join(lines) + "\n")
    result = {"kinds": rows, "baseline": base_rows, "swatches": swatches, "median": summary}
    (report / "metrics.json").write_text(json.dumps(result, indent=1))
    return result


def update_card(card_path: Path, result: dict, report: Path) -> None:
    """The evaluation's headline numbers into the model card."""
    card = json.loads(card_path.read_text())
    card["metrics"] = {"median_over_kinds": result["median"], "per_kind": result["kinds"],
                       "baseline_median_over_kinds": {k: float(np.median([r[k] for r in result["baseline"].values()]))
                                                      for k in result["median"]} if result["baseline"] else None,
                       "swatch_variations": result["swatches"], "report": str(report / "report.md")}
    card_path.write_text(json.dumps(card, indent=2) + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--report", type=Path, default=Path("docs/reports/fabric"))
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--baseline", help="folder with a baseline fabric_model.json to score alongside")
    ap.add_argument("--run", type=Path, default=Path("build/fabric_gan"), help="training run (for loss curves)")
    ap.add_argument("--update-card", action="store_true", help="write the metrics into the shipped model card")
    args = ap.parse_args(argv)
    result = evaluate(args.data, args.report, args.seeds, args.baseline, args.run)
    if args.update_card:
        from inference import artifacts

        update_card(artifacts.find("fabric_model.json"), result, args.report)
    print((args.report / "report.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
