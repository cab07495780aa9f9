"""Evaluate the shipped fabric model through the engine; writes a report folder a person can read.

    python -m models.fabric.evaluate --data ../shared/data --report docs/reports/fabric [--baseline DIR]

Per kind (SEEDS seeds of two colours at SIZE px): recognised-as-itself rate of a structure classifier
fitted on synthesiser renders of held-out seeds (confusion matrix), diversity across seeds against the
synthesiser's, HFER ratio and log-spectral distance against the synthesiser and (where the kind has one)
the real PBR set, CIEDE2000 between every requested yarn colour and the mean of that yarn's pixels, and
the seam ratio at equal weave phase. Sheets: 64 px crops at 3x zoom, generated next to synthesiser and
real. With ``--baseline`` (another model folder, e.g. the VAE-only baseline) it is scored the same way.
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
from models.fabric.structure_classifier import StructureClassifier, confusion, descriptor, maps_descriptor  # noqa: E402
from models.fabric.synth import KINDS, PRESETS, FabricSpec, synthesize  # noqa: E402

COLORS = ((0.18, 0.3, 0.55), (0.62, 0.2, 0.16))  # indigo-ish and brick
SIZE = 256
CROP, ZOOM = 64, 3
# Real sets compared with a kind: its own, else the nearest family (a silk set for every satin weave).
REAL_FOR = {"silk": "satin", "dupioni": "satin", "chambray": "cotton", "rib": "jersey", "corduroy": "velvet"}


def equal_phase_seam(img: np.ndarray, threads: int, repeat: int, reduce=np.mean) -> float:
    """|step across the wrap seam| / |step at interior positions of the same weave phase| (1 = no seam), worst axis.

    The seam is a boundary between two repeats of the pattern; it is compared with the other repeat
    boundaries inside the tile (``reduce`` over them), not with an average neighbour step (which a thread
    edge always exceeds). Per-yarn irregularity makes every boundary a little different, so one seam's
    ratio scatters around 1: the report averages it over seeds."""
    a = np.asarray(img, np.float64)
    a = a.mean(2) if a.ndim == 3 else a
    k = threads // max(repeat, 1)  # repeats per tile
    worst = 0.0
    for m in (a, a.T):
        w = m.shape[1]
        # Repeat boundaries inside the tile that fall (within 0.1 px) where the seam falls in its pixel grid.
        pos = np.arange(1, k) * w / k
        off = np.abs(pos - np.round(pos))
        cuts = np.round(pos[off <= max(0.1, np.sort(off)[min(2, len(off) - 1)] if len(off) else 0)]).astype(int)
        if len(cuts) == 0:
            cuts = np.arange(1, w)
        inner = reduce([np.abs(m[:, c] - m[:, c - 1]).mean() for c in cuts])
        worst = max(worst, float(np.abs(m[:, 0] - m[:, -1]).mean() / max(inner, 1e-12)))
    return worst


def yarn_delta_e(maps) -> float:
    """Largest CIEDE2000 over the yarn colours between the request and the mean of that yarn's pure pixels."""
    yarn = maps.yarn
    pure = np.ones(yarn.shape[:2], bool) if yarn.ndim == 2 else (yarn == yarn[..., :1]).all(-1)
    ids = yarn if yarn.ndim == 2 else yarn[..., 0]
    lin = color.srgb_to_linear(maps.albedo)
    worst = 0.0
    for k, want in enumerate(maps.info["palette"]):
        mask = (ids == k) & pure
        if mask.sum() < 16:
            continue
        got = color.linear_to_srgb(lin[mask].mean(0))
        worst = max(worst, float(color.ciede2000(color.srgb_to_lab(got), color.srgb_to_lab(want))))
    return worst


def luminance(albedo: np.ndarray) -> np.ndarray:
    return color.srgb_to_linear(albedo) @ np.array([0.2126, 0.7152, 0.0722])


def fit_classifier(n_per_kind: int = 20, seed: int = 1000) -> StructureClassifier:
    """Fitted on synthesiser renders with seeds, colours and densities the evaluation never uses."""
    rng = np.random.default_rng(seed)
    x, y = [], []
    for kind in KINDS:
        for i in range(n_per_kind):
            tpc = PRESETS[kind].threads_per_cm * 2 ** rng.uniform(-0.5, 0.5)
            spec = FabricSpec(kind=kind, color=tuple(rng.random(3) ** 1.5), threads_per_cm=tpc, size=SIZE,
                              seed=seed + i)
            m, s = synthesize(spec), spec.structure()
            x.append(descriptor(m["albedo"], m["height"], m["roughness"], s.px_per_thread, SIZE / s.tile_cm))
            y.append(kind)
    return StructureClassifier().fit(np.array(x), y)


def references(kind: str, seeds: int):
    """Synthesiser maps of the evaluation's requests (other seeds than the generated ones)."""
    return [synthesize(FabricSpec(kind=kind, color=c, size=SIZE, seed=500 + i)) for c in COLORS for i in range(seeds)]


def generated(model: FabricModel, kind: str, seeds: int):
    return [model.generate(kind, c, None, SIZE, seed=i) for c in COLORS for i in range(seeds)]


def score(kind: str, maps: list, refs: list, reals: list, clf: StructureClassifier, cnn) -> tuple[dict, list]:
    pred = clf.predict(np.stack([maps_descriptor(m) for m in maps]))
    half = len(maps) // len(COLORS)  # diversity within one request (one colour), seeds differing
    row = {
        "recognised": float(np.mean([p == kind for p in pred])),
        "diversity_ratio": float(np.mean([tm.diversity_ratio([m.albedo for m in maps[j:j + half]],
                                                             [r["albedo"] for r in refs[j:j + half]], cnn)
                                          for j in range(0, len(maps), half)])),
        "hfer_ratio_synth": float(np.mean([tm.hfer(m.height) for m in maps]) /
                                  max(np.mean([tm.hfer(r["height"]) for r in refs]), 1e-12)),
        "lsd_synth": float(np.mean([tm.log_spectral_distance(m.height, r["height"]) for m, r in zip(maps, refs,
                                                                                                     strict=True)])),
        "delta_e00_max": float(np.mean([yarn_delta_e(m) for m in maps])),
        "seam_ratio": float(np.mean([max(equal_phase_seam(img, m.info["threads"], m.info["repeat"])
                                         for img in (m.albedo, m.height, m.roughness)) for m in maps])),
    }
    if reals:
        rh = [r[3] for r in reals]
        row["hfer_ratio_real"] = float(np.mean([tm.hfer(m.height) for m in maps]) /
                                       max(np.mean([tm.hfer(h) for h in rh]), 1e-12))
        row["lsd_real"] = float(np.mean([tm.log_spectral_distance(m.height, rh[i % len(rh)])
                                         for i, m in enumerate(maps)]))
    return row, pred


def real_crops(kind: str, reals: list, n: int, rng) -> list[np.ndarray]:
    own = [s for s in reals if s.kind == REAL_FOR.get(kind, kind)]
    return [real_data.random_crops(own[i % len(own)], 1, SIZE, rng)[0] for i in range(n)] if own else []


def _crop(img: np.ndarray) -> np.ndarray:
    c = img[:CROP, :CROP]
    c = np.repeat(np.repeat(c, ZOOM, 0), ZOOM, 1)
    return c if c.ndim == 3 else np.repeat(c[..., None], 3, 2)


def kind_sheet(report: Path, kind: str, maps: list, refs: list, real: list, base: list | None):
    """Rows: generated (two seeds), baseline, synthesiser, real set; columns: tile (2x2), albedo, height,
    roughness crops at 3x zoom, so threads can be seen."""
    rows = [(f"GAN seed {i}", maps[i].albedo, maps[i].height, maps[i].roughness) for i in range(2)]
    if base:
        rows.append(("VAE baseline", base[0].albedo, base[0].height, base[0].roughness))
    rows.append(("synthesiser", refs[0]["albedo"], refs[0]["height"], refs[0]["roughness"]))
    if real:
        r = real[0]
        rows.append(("real set", r[:3].transpose(1, 2, 0), r[3], r[4]))
    fig, axes = plt.subplots(len(rows), 4, figsize=(10, 2.6 * len(rows)))
    for i, (label, alb, h, ro) in enumerate(rows):
        axes[i, 0].imshow(np.tile(alb, (2, 2, 1)))
        for j, img in enumerate((alb, h, ro), 1):
            axes[i, j].imshow(np.clip(_crop(img), 0, 1), interpolation="nearest")
        axes[i, 0].set_ylabel(label, fontsize=8)
    for j, t in enumerate(("tile, 2x2", f"albedo {CROP} px x{ZOOM}", "height", "roughness")):
        axes[0, j].set_title(t, fontsize=8)
    for a in axes.ravel():
        a.set_xticks([])
        a.set_yticks([])
    info = maps[0].info
    fig.suptitle(f"{kind}: {info['threads_per_cm']:g} threads/cm, tile {info['tile_cm']:.2f} cm, "
                 f"{info['px_per_thread']:.1f} px/thread", fontsize=9)
    fig.tight_layout()
    fig.savefig(report / f"{kind}.png", dpi=80)
    plt.close(fig)


def spectra(report: Path, spectra_rows: dict):
    n = len(spectra_rows)
    cols = 5
    fig, axes = plt.subplots((n + cols - 1) // cols, cols, figsize=(3 * cols, 2.4 * ((n + cols - 1) // cols)))
    for ax, (kind, sets) in zip(axes.ravel(), spectra_rows.items(), strict=False):
        for label, imgs in sets.items():
            if imgs:
                f, _ = tm.radial_power_spectrum(imgs[0])
                ax.loglog(f[1:], np.mean([tm.radial_power_spectrum(x)[1][1:] for x in imgs], 0), label=label, lw=1)
        ax.set_title(kind, fontsize=8)
        ax.tick_params(labelsize=6)
    axes.ravel()[0].legend(fontsize=6)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.suptitle("height power spectra (radial mean)", fontsize=9)
    fig.tight_layout()
    fig.savefig(report / "spectra.png", dpi=80)
    plt.close(fig)


def confusion_plot(report: Path, mat: np.ndarray, title: str, name: str):
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(mat, cmap="Blues")
    ax.set_xticks(range(len(KINDS)), KINDS, rotation=90, fontsize=7)
    ax.set_yticks(range(len(KINDS)), KINDS, fontsize=7)
    for i in range(len(KINDS)):
        for j in range(len(KINDS)):
            if mat[i, j]:
                ax.text(j, i, str(mat[i, j]), ha="center", va="center", fontsize=6,
                        color="white" if mat[i, j] > mat.max() / 2 else "black")
    ax.set_xlabel("classified as")
    ax.set_ylabel("requested kind")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(report / name, dpi=80)
    plt.close(fig)


def sample_grid(report: Path, grid: list):
    """Every kind: two seeds, albedo crop at 3x next to the 2x2-tiled tile (seams would show as lines)."""
    rows = 2 * ((len(grid) + 4) // 5)
    fig, axes = plt.subplots(rows, 5, figsize=(12, 2.6 * rows))
    axes = axes.reshape(-1, 5)
    for i, (kind, maps) in enumerate(grid):
        r, c = 2 * (i // 5), i % 5
        axes[r, c].imshow(np.clip(_crop(maps[0].albedo), 0, 1), interpolation="nearest")
        axes[r, c].set_title(kind, fontsize=8)
        axes[r + 1, c].imshow(np.tile(maps[1].albedo, (2, 2, 1)))
    for a in axes.ravel():
        a.set_xticks([])
        a.set_yticks([])
    fig.tight_layout()
    fig.savefig(report / "sample_grid.png", dpi=80)
    plt.close(fig)


def training_curves(run: Path, report: Path) -> bool:
    log = run / "log.jsonl"
    if not log.is_file():
        return False
    recs = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    keys = [k for k in ("loss_d", "loss_adv", "loss_rec") if any(k in r for r in recs)]
    fig, axes = plt.subplots(1, len(keys), figsize=(3 * len(keys), 2.6))
    for ax, k in zip(np.atleast_1d(axes), keys, strict=True):
        pts = [(r["step"], r[k]) for r in recs if k in r]
        ax.plot(*zip(*pts, strict=True), lw=0.6)
        ax.set_title(k, fontsize=8)
        ax.set_xlabel("step", fontsize=7)
    fig.tight_layout()
    fig.savefig(report / "training_curves.png", dpi=80)
    plt.close(fig)
    return True


def _table(title: str, rows: dict) -> list[str]:
    keys = list(dict.fromkeys(k for r in rows.values() for k in r))  # first-seen order
    out = [f"### {title}", "", "| kind | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for kind, row in rows.items():
        out.append(f"| {kind} | " + " | ".join(f"{row[k]:.3f}" if k in row else "" for k in keys) + " |")
    return out + [""]


def summarise(rows: dict) -> dict:
    keys = {k for r in rows.values() for k in r}
    return {k: float(np.median([r[k] for r in rows.values() if k in r])) for k in sorted(keys)} | {
        "recognised_overall": float(np.mean([r["recognised"] for r in rows.values()])),
        "delta_e00_worst_kind": float(max(r["delta_e00_max"] for r in rows.values())),
        "diversity_ratio_min": float(min(r["diversity_ratio"] for r in rows.values()))}


def evaluate(data_root: Path, report: Path, seeds: int = 3, baseline_dir: str | None = None,
             run: Path | None = None, model_dir: str | None = None) -> dict:
    report.mkdir(parents=True, exist_ok=True)
    model = FabricModel.load(model_dir)
    baseline = FabricModel.load(baseline_dir) if baseline_dir else None
    reals = real_data.load_all(data_root, SIZE) if data_root else []
    clf, cnn, rng = fit_classifier(), tm.RandomCNN(), np.random.default_rng(0)
    rows, base_rows, grid, spec_rows = {}, {}, [], {}
    true, pred, base_pred = [], [], []
    for kind in KINDS:
        refs, maps = references(kind, seeds), generated(model, kind, seeds)
        real = real_crops(kind, reals, 2, rng)
        rows[kind], p = score(kind, maps, refs, real, clf, cnn)
        true += [kind] * len(p)
        pred += p
        bmaps = None
        if baseline is not None:
            bmaps = generated(baseline, kind, seeds)
            base_rows[kind], bp = score(kind, bmaps, refs, real, clf, cnn)
            base_pred += bp
        grid.append((kind, maps[:2]))
        spec_rows[kind] = {"GAN": [m.height for m in maps], "synthesiser": [r["height"] for r in refs],
                           "VAE baseline": [m.height for m in bmaps] if bmaps else [],
                           "real": [r[3] for r in real]}
        kind_sheet(report, kind, maps, refs, real, bmaps)
    classes = list(KINDS)
    mat = confusion(true, pred, classes)
    confusion_plot(report, mat, f"GAN: structure classifier on generated maps ({np.trace(mat)}/{mat.sum()} "
                                "recognised)", "confusion.png")
    if base_pred:
        bmat = confusion(true, base_pred, classes)
        confusion_plot(report, bmat, f"VAE baseline ({np.trace(bmat)}/{bmat.sum()} recognised)",
                       "confusion_baseline.png")
    sample_grid(report, grid)
    spectra(report, spec_rows)
    curves = training_curves(run, report) if run else False
    summary = summarise(rows)
    tr = model.card["training"]
    lines = ["# Fabric model evaluation", "",
             f"Detail generator: {tr['steps']} steps ({tr['wall_seconds']:.0f} s of training). {seeds} seeds x "
             f"{len(COLORS)} colours per kind at {SIZE} px, each kind at its typical density. References: the "
             "synthesiser (same requests, other seeds) and, where one exists, a real PBR set of the kind's family.",
             "", "Targets: recognised >= 0.95 per kind; diversity ratio >= 0.8; HFER ratio 0.8-1.25 and LSD <= 0.5 "
             "against real sets; the VAE-only baseline's HFER ratio < 0.5; CIEDE2000 <= 2 for every yarn colour; "
             "seam ratio at equal weave phase ~1.", "",
             "![sample grid](sample_grid.png)", "", "![confusion](confusion.png)", ""]
    lines += _table("GAN (detail generator)", rows)
    lines += ["Summary: " + ", ".join(f"{k} {v:.3f}" for k, v in summary.items()), ""]
    if base_rows:
        lines += _table("VAE-only baseline (same network and structure, L1 + KL, no discriminator)", base_rows)
        lines += ["![confusion baseline](confusion_baseline.png)", ""]
    lines += ["Swatch photo -> fabric is measured in docs/reports/swatch (models.fabric.evaluate_swatch).", ""]
    lines += ["![spectra](spectra.png)", ""]
    if curves:
        lines += ["![training curves](training_curves.png)", ""]
    lines += [f"![{k}]({k}.png)" for k in KINDS]
    (report / "report.md").write_text("\n".join(lines) + "\n")
    result = {"kinds": rows, "baseline": base_rows, "median": summary,
              "baseline_median": summarise(base_rows) if base_rows else None,
              "confusion": {"classes": classes, "matrix": mat.tolist()}}
    (report / "metrics.json").write_text(json.dumps(result, indent=1))
    return result


def update_card(card_path: Path, result: dict, report: Path) -> None:
    card = json.loads(card_path.read_text())
    card["metrics"] = {"summary": result["median"], "per_kind": result["kinds"],
                       "baseline_summary": result["baseline_median"], "report": str(report / "report.md")}
    card_path.write_text(json.dumps(card, indent=2) + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--report", type=Path, default=Path("docs/reports/fabric"))
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--model-dir", help="folder with the fabric_model.json to evaluate (default: the shipped one)")
    ap.add_argument("--baseline", help="folder with a baseline fabric_model.json to score alongside")
    ap.add_argument("--run", type=Path, default=Path("build/fabric_gan"), help="training run (for loss curves)")
    ap.add_argument("--update-card", action="store_true", help="write the metrics into the model card")
    args = ap.parse_args(argv)
    result = evaluate(args.data, args.report, args.seeds, args.baseline, args.run, args.model_dir)
    if args.update_card:
        from inference import artifacts

        update_card(Path(args.model_dir) / "fabric_model.json" if args.model_dir else
                    artifacts.find("fabric_model.json"), result, args.report)
    print((args.report / "report.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
