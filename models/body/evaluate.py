"""Evaluate the shipped body model; writes a report folder (plots + report.md + metrics.json).

    python -m models.body.evaluate --runs build/body_vae --report docs/reports/body

Uses the exported ONNX model through the engine (what users run), held-out subjects only.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from inference.body import SLIDERS, BodyModel  # noqa: E402
from inference.mesh import load_template  # noqa: E402
from models.body import ansur_tape  # noqa: E402
from models.body.pca import PCA, error_curve, per_vertex_error_mm  # noqa: E402

ISO_20685_MM = {"stature": 4, "chest": 9, "waist": 9, "hips": 9, "inseam": 5, "weight": None}
PCA_KS = (2, 4, 8, 16, 32, 64)
ANSUR_READ = ("stature", "chest", "waist", "hips", "inseam")  # what ansur_tape reads, as slider ids


def latent_curve(data, runs: Path) -> dict:
    """Held-out per-vertex error (mm) of PCA with k components and of each trained VAE latent size."""
    from models.body.export import load_checkpoint
    from models.body.train import evaluate_recon

    x_tr, _ = data.part(0)
    x_te, c_te = data.part(2)
    pca = PCA.fit(x_tr, 64)
    curve = {"pca": error_curve(pca, x_te, [k for k in PCA_KS if k <= len(pca.std)]), "vae": {}}
    for run in sorted(runs.glob("latent*"), key=lambda p: int(p.name[6:])):
        if (run / "ckpt.pt").is_file():
            curve["vae"][int(run.name[6:])] = evaluate_recon(load_checkpoint(run), x_te, c_te)
    return curve


def measurement_accuracy(model: BodyModel, data, n: int, seed: int = 0) -> dict:
    """Request held-out ANSUR subjects' slider measurements; compare what the body measures, by our tape
    and as ANSUR measured the subject (``ansur_tape``: girths at the subject's own landmark heights)."""
    raw = data.raw
    test = np.where(raw["split"] == 2)[0]
    pick = np.random.default_rng(seed).choice(test, min(n, len(test)), replace=False)
    fit_names = list(raw["fit_names"])
    cols = [fit_names.index(s) for s in SLIDERS]
    height_names = list(raw["height_names"])
    errs, raw_errs, ansur_errs, warned, floors = [], [], [], [], []
    for i in pick:
        req = dict(zip(SLIDERS, map(float, raw["ansur"][i, cols]), strict=True))
        sex = "male" if raw["sex"][i] else "female"
        res = model.body(req, sex)
        if res.warnings:
            warned.append({"subject": int(raw["ids"][i]), "warnings": res.warnings})
        errs.append([res.achieved[s] - req[s] for s in SLIDERS])
        heights = dict(zip(height_names, map(float, raw["ansur_heights"][i]), strict=True))
        tape = ansur_tape.read(model.measurer, res.vertices, heights)
        ansur_errs.append([tape[s] - req[s] for s in ANSUR_READ])
        floors.append(tape["floor_mm"])
        dec = model.body(req, sex, refine=False)  # the network alone, without Gauss-Newton
        raw_errs.append([dec.achieved[s] - req[s] for s in SLIDERS])
    unit = np.array([10 if s != "weight" else 1 for s in SLIDERS])  # mm (kg for weight)
    e, d = np.abs(np.array(errs)) * unit, np.abs(np.array(raw_errs)) * unit
    a = np.abs(np.array(ansur_errs)) * 10.0

    def table(x, names):
        return {"mae": dict(zip(names, x.mean(0).round(2).tolist(), strict=True)),
                "p95": dict(zip(names, np.percentile(x, 95, axis=0).round(2).tolist(), strict=True))}

    return {"subjects": len(pick), "warned": len(warned), "warnings": warned,
            **table(e, SLIDERS), "decoder": table(d, SLIDERS), "ansur": table(a, ANSUR_READ),
            "max_floor_mm": float(np.abs(floors).max()),
            "errors": e.tolist(), "decoder_errors": d.tolist(), "ansur_errors": a.tolist()}


def slider_drags(model: BodyModel, n: int = 100, seed: int = 0, lock_rate: float = 0.0) -> dict:
    """Single-slider drags from random plausible starts: one slider to a random value a real person of that sex
    has (mean +- 2.5 SD), ``lock_rate`` of the others locked at random; the rest follow. Reached = the exact
    body measures the dragged value within 1 mm (kg) with no warning that it could not."""
    rng = np.random.default_rng(seed)
    misses, worst = [], 0.0
    for k in range(n):
        sex = ("female", "male")[k % 2]
        start = model.random(1, sex, seed=seed * 1000 + k)[0]
        values = dict(start.requested)
        i = int(rng.integers(len(SLIDERS)))
        name = SLIDERS[i]
        mean, sd = model.stats[sex]["mean"][i], np.sqrt(model.stats[sex]["cov"][i][i])
        target = float(rng.uniform(mean - 2.5 * sd, mean + 2.5 * sd))
        locked = [s for s in SLIDERS if s != name and rng.random() < lock_rate]
        previous, values[name] = values[name], target
        values = model.follow(values, sex, name, previous, locked)
        res = model.body(values, sex, start.style)
        err = abs(res.achieved[name] - target) * (1 if name == "weight" else 10)
        worst = max(worst, err)
        if err > 1.0 or any("could only be met" in w for w in res.warnings):
            misses.append({"sex": sex, "slider": name, "target": target, "error": err, "locked": locked})
    return {"drags": n, "reached": n - len(misses), "worst_error": worst, "lock_rate": lock_rate, "misses": misses}


def feet(model: BodyModel, n: int = 200, seed: int = 3) -> dict:
    """Lowest point of random bodies (both sexes, random styles) against the floor z = 0, in mm."""
    lows = [float(b.vertices[:, 2].min() * 1000) for sex in ("female", "male")
            for b in model.random(n // 2, sex, seed=seed)]
    return {"bodies": len(lows), "max_abs_mm": float(np.abs(lows).max())}


def crosstalk(model: BodyModel, delta: float = 2.0, refine: bool = True) -> dict:
    """mm of change in each other measurement per cm a slider moves (base bodies per sex).

    With ``refine`` every slider is requested (the others held by Gauss-Newton); without, the
    network alone responds to the changed condition.
    """
    out = {}
    for sex in ("female", "male"):
        base_req = dict(zip(SLIDERS, model.stats[sex]["mean"].tolist(), strict=True))
        base = model.body(base_req, sex, refine=refine).achieved
        mat = np.zeros((len(SLIDERS), len(SLIDERS)))
        for i, s in enumerate(SLIDERS):
            req = dict(base_req)
            req[s] += delta
            got = model.body(req, sex, refine=refine).achieved
            mat[i] = [(got[t] - base[t]) * (10 if t != "weight" else 1) / delta for t in SLIDERS]
        out[sex] = mat.round(3).tolist()
    off = np.array([np.abs(np.array(m))[~np.eye(len(SLIDERS), dtype=bool)].max() for m in out.values()])
    return {"matrix_mm_per_cm": out, "max_off_diagonal": float(off.max())}


def interpolation(model: BodyModel, pairs: int = 5, steps: int = 21) -> dict:
    """Smoothness of interpolation between random bodies: max second difference (mm) along t."""
    worst, curves = 0.0, []
    for k in range(pairs):
        a, b = model.random(1, "female", seed=100 + k)[0], model.random(1, "male", seed=200 + k)[0]
        vs = np.stack([model.interpolate(a, b, t) for t in np.linspace(0, 1, steps)])
        second = np.linalg.norm(vs[2:] - 2 * vs[1:-1] + vs[:-2], axis=2).max() * 1000
        step = np.linalg.norm(vs[1:] - vs[:-1], axis=2).max() * 1000
        worst = max(worst, second / max(step, 1e-9))
        curves.append([model.measure(v)["stature"] for v in vs])
    return {"max_second_difference_over_step": worst, "stature_curves": curves}


def scan_fit(model: BodyModel, data, n: int, noise_mm: float = 2.0, seed: int = 0) -> dict:
    """Fit held-out bodies given as noisy surface samples of a remeshed (different topology) mesh."""
    import trimesh

    template = load_template("body")
    tris = template.triangles()
    x_te, c_te = data.part(2)
    rng = np.random.default_rng(seed)
    rows = []
    for i in rng.choice(len(x_te), min(n, len(x_te)), replace=False):
        truth = x_te[i].reshape(-1, 3)
        tm = trimesh.Trimesh(truth, tris, process=False)
        v, f = trimesh.remesh.subdivide_to_size(tm.vertices, tm.faces, max_edge=0.012)
        remeshed = trimesh.Trimesh(v, f, process=False)
        pts = trimesh.sample.sample_surface(remeshed, 20000, seed=int(i))[0]
        pts = pts + rng.normal(0, noise_mm / 1000, pts.shape)
        t0 = time.perf_counter()
        fit = model.fit_scan(pts, "male" if c_te[i, -1] > 0.5 else "female")
        secs = time.perf_counter() - t0
        err = per_vertex_error_mm((fit.result.vertices + fit.translation).reshape(1, -1), truth.reshape(1, -1))
        rows.append({"vertex_error_mm": err, "residual_mm": fit.residual_mm, "seconds": secs,
                     "scan_vertices": len(v)})
    return {"bodies": rows, "noise_mm": noise_mm,
            "mean_vertex_error_mm": float(np.mean([r["vertex_error_mm"] for r in rows])),
            "mean_residual_mm": float(np.mean([r["residual_mm"] for r in rows])),
            "median_seconds": float(np.median([r["seconds"] for r in rows]))}


def plot_all(report: Path, m: dict, model: BodyModel):
    report.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    pca = m["latent_curve"]["pca"]
    ax.plot(list(pca), list(pca.values()), "o-", label="PCA (k components)")
    vae = m["latent_curve"]["vae"]
    ax.plot(list(vae), list(vae.values()), "s-", label="CVAE (latent size, + measurements)")
    ax.set(xscale="log", yscale="log", xlabel="latent size / components", ylabel="held-out per-vertex error (mm)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(report / "latent_curve.png", dpi=120)
    plt.close(fig)

    units = [f"{s}\n({'kg' if s == 'weight' else 'mm'})" for s in SLIDERS]
    _error_boxes(report / "measurement_errors.png", m["measurements"]["decoder_errors"], units,
                 [ISO_20685_MM[s] for s in SLIDERS], "|achieved - requested|",
                 "Held-out ANSUR subjects, decoder without refinement (red: ISO 20685 limit)")
    _error_boxes(report / "ansur_height_errors.png", m["measurements"]["ansur_errors"],
                 [f"{s}\n(mm)" for s in ANSUR_READ], [ISO_20685_MM[s] for s in ANSUR_READ],
                 "|read at ANSUR heights - requested|",
                 "Held-out subjects' exact bodies read at their own ANSUR heights\n(red: ISO 20685 limit)")

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, (sex, mat) in zip(axes, m["crosstalk_decoder"]["matrix_mm_per_cm"].items(), strict=True):
        im = ax.imshow(np.array(mat), cmap="coolwarm", vmin=-12, vmax=12)
        ax.set(xticks=range(len(SLIDERS)), yticks=range(len(SLIDERS)), title=f"{sex}, decoder alone")
        ax.set_xticklabels(SLIDERS, rotation=45)
        ax.set_yticklabels(SLIDERS)
        for (r, c), v in np.ndenumerate(np.array(mat)):
            ax.text(c, r, f"{v:.1f}", ha="center", va="center", fontsize=7)
    fig.colorbar(im, ax=axes, label="mm (kg) of change per cm (kg) the row's slider moves")
    fig.savefig(report / "crosstalk.png", dpi=120)
    plt.close(fig)

    plot_sample_grid(report, model)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for c in m["interpolation"]["stature_curves"]:
        ax.plot(np.linspace(0, 1, len(c)), c)
    ax.set(xlabel="t", ylabel="stature (cm)", title="Interpolation female -> male (5 pairs)")
    fig.tight_layout()
    fig.savefig(report / "interpolation.png", dpi=120)
    plt.close(fig)


def _error_boxes(path: Path, errors, labels, limits, ylabel: str, title: str):
    """One box per measurement of absolute errors, each with its ISO 20685 limit as a red bar."""
    e = np.array(errors)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.boxplot([e[:, i] for i in range(e.shape[1])], tick_labels=labels)
    for i, limit in enumerate(limits):
        if limit:
            ax.plot([i + 0.7, i + 1.3], [limit] * 2, "r-")
    ax.set(ylabel=ylabel, title=title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_sample_grid(report: Path, model: BodyModel):
    """Front views of random bodies: Lambert-shaded triangles drawn back to front (painter's algorithm)."""
    from matplotlib.collections import PolyCollection

    tris = load_template("body").triangles()
    bodies = model.random(5, "female", seed=1) + model.random(5, "male", seed=2)
    light = np.array([0.4, -1.0, 0.6]) / np.linalg.norm([0.4, -1.0, 0.6])
    fig, axes = plt.subplots(1, 10, figsize=(15, 4.2))
    for ax, b in zip(axes, bodies, strict=True):
        v = b.vertices.astype(np.float64)
        tri = v[tris]
        n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        n /= np.linalg.norm(n, axis=1, keepdims=True) + 1e-12
        order = np.argsort(-tri[:, :, 1].mean(1))  # far (+y) first; the camera looks along +y
        shade = np.clip(n @ light, 0, 1)[order] * 0.8 + 0.15
        polys = tri[order][:, :, [0, 2]]
        ax.add_collection(PolyCollection(polys, facecolors=np.repeat(shade[:, None], 3, 1), edgecolors="face",
                                         linewidths=0.3))
        ax.set(aspect="equal", xlim=(-0.6, 0.6), ylim=(0, 2.0), xticks=[], yticks=[])
        ax.set_title(f"{b.sex[0].upper()} {b.condition[0]:.0f} cm\n{b.condition[5]:.0f} kg", fontsize=8)
    fig.suptitle("Random plausible bodies (engine, ONNX decoder)")
    fig.tight_layout()
    fig.savefig(report / "sample_grid.png", dpi=110)
    plt.close(fig)


def write_report(report: Path, m: dict):
    lines = ["# Body model evaluation", "", f"Model: `{m['model']}`; held-out subjects only.", "",
             "## Per-vertex error vs latent size", "", "| size | PCA (mm) | CVAE (mm) | ratio |", "|---|---|---|---|"]
    pca, vae = m["latent_curve"]["pca"], m["latent_curve"]["vae"]
    for k in sorted(set(pca) | set(vae)):
        p, v = pca.get(k), vae.get(k)
        ratio = f"{v / p:.2f}" if p and v else ""
        lines.append(f"| {k} | {'' if p is None else f'{p:.2f}'} | {'' if v is None else f'{v:.2f}'} | {ratio} |")
    mm = m["measurements"]
    lines += ["", "![latent curve](latent_curve.png)", "",
              f"## Measurements on {mm['subjects']} held-out ANSUR subjects (every request honoured; "
              f"{mm['warned']} with a warning)", "",
              "Refined = Match Exactly, by our tape at the body's own landmarks; ANSUR = the same bodies read at "
              "the subject's own ANSUR heights (chest at `chestheight`, waist at `waistheightomphalion`, hips at "
              "`buttockheight`), crotch height as the level where the legs' sections part.", "",
              "| measurement | refined MAE | refined P95 | ANSUR MAE | ANSUR P95 | decoder-only MAE | decoder-only P95 "
              "| ISO 20685 |", "|---|---|---|---|---|---|---|---|"]
    for s in SLIDERS:
        unit = "kg" if s == "weight" else "mm"
        iso = ISO_20685_MM[s]
        an = (f"{mm['ansur']['mae'][s]:.2f} {unit} | {mm['ansur']['p95'][s]:.2f} {unit}" if s in mm["ansur"]["mae"]
              else " | ")
        lines.append(f"| {s} | {mm['mae'][s]:.2f} {unit} | {mm['p95'][s]:.2f} {unit} | {an} | "
                     f"{mm['decoder']['mae'][s]:.2f} {unit} | {mm['decoder']['p95'][s]:.2f} {unit} | {iso or ''} |")
    dr = m["drags"]
    lines += ["", f"Feet: lowest point within {m['feet']['max_abs_mm']:.3f} mm of z = 0 on "
              f"{m['feet']['bodies']} random bodies; {mm['max_floor_mm']:.3f} mm on the held-out subjects' bodies.", "",
              f"Single-slider drags to values real people have (mean +- 2.5 SD), others following: "
              f"{dr['reached']} of {dr['drags']} reached their value (worst {dr['worst_error']:.2f} mm); with 30 % "
              f"of the others locked at random: {m['drags_locked']['reached']} of {m['drags_locked']['drags']} "
              "(a locked set can make the combination impossible, e.g. waist +30 cm at a locked weight).", ""]
    lines += ["", "![ANSUR-height errors](ansur_height_errors.png)", "",
              "![measurement errors](measurement_errors.png)", "",
              f"## Slider cross-talk: max {m['crosstalk']['max_off_diagonal']:.2f} mm per cm with refinement, "
              f"{m['crosstalk_decoder']['max_off_diagonal']:.2f} mm per cm for the decoder alone", "",
              "![crosstalk](crosstalk.png)", "",
              f"## Interpolation: max second difference / max step = "
              f"{m['interpolation']['max_second_difference_over_step']:.3f}", "", "![interpolation](interpolation.png)",
              "", f"## Scan fit ({len(m['scan_fit']['bodies'])} held-out bodies, remeshed, "
              f"{m['scan_fit']['noise_mm']} mm noise)", "",
              f"mean per-vertex error {m['scan_fit']['mean_vertex_error_mm']:.1f} mm, mean surface residual "
              f"{m['scan_fit']['mean_residual_mm']:.1f} mm, median {m['scan_fit']['median_seconds']:.2f} s", "",
              "![samples](sample_grid.png)", ""]
    (report / "report.md").write_text("\n".join(lines))


def evaluate(data, runs: Path, report: Path, n_measure: int = 120, n_scan: int = 10, model_dir=None) -> dict:
    model = BodyModel.load(model_dir)
    m = {"model": str(model.folder / model.card["files"]["decoder"]["file"])}
    m["latent_curve"] = latent_curve(data, runs)
    m["measurements"] = measurement_accuracy(model, data, n_measure)
    m["drags"] = slider_drags(model)
    m["drags_locked"] = slider_drags(model, seed=1, lock_rate=0.3)
    m["feet"] = feet(model)
    m["crosstalk"] = crosstalk(model)
    m["crosstalk_decoder"] = crosstalk(model, refine=False)
    m["interpolation"] = interpolation(model)
    m["scan_fit"] = scan_fit(model, data, n_scan)
    plot_all(report, m, model)
    write_report(report, m)
    (report / "metrics.json").write_text(json.dumps(m, indent=1))
    return m


def update_card(card_path: Path, m: dict, report: Path) -> dict:
    """Write the evaluation's headline numbers into the model card."""
    card = json.loads(Path(card_path).read_text())
    card["metrics"] |= {
        "latent_curve_mm": m["latent_curve"],
        "measurement_mae_mm": m["measurements"]["mae"], "measurement_p95_mm": m["measurements"]["p95"],
        "ansur_height_mae_mm": m["measurements"]["ansur"]["mae"],
        "ansur_height_p95_mm": m["measurements"]["ansur"]["p95"],
        "decoder_only_measurement_mae_mm": m["measurements"]["decoder"]["mae"],
        "decoder_only_measurement_p95_mm": m["measurements"]["decoder"]["p95"],
        "measurement_subjects": m["measurements"]["subjects"],
        "measurement_subjects_warned": m["measurements"]["warned"],
        "feet_max_abs_mm": max(m["feet"]["max_abs_mm"], m["measurements"]["max_floor_mm"]),
        "single_slider_drags": {k: v for k, v in m["drags"].items() if k != "misses"},
        "single_slider_drags_with_locks": {k: v for k, v in m["drags_locked"].items() if k != "misses"},
        "crosstalk_max_mm_per_cm": m["crosstalk"]["max_off_diagonal"],
        "decoder_only_crosstalk_max_mm_per_cm": m["crosstalk_decoder"]["max_off_diagonal"],
        "interpolation_second_difference_ratio": m["interpolation"]["max_second_difference_over_step"],
        "scan_fit": {k: v for k, v in m["scan_fit"].items() if k != "bodies"},
        "report": str(report / "report.md"),
    }
    Path(card_path).write_text(json.dumps(card, indent=2) + "\n")
    return card


def main(argv=None) -> int:
    from models.body.train import load_data

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--cache", type=Path, default=Path("build/cache"))
    ap.add_argument("--runs", type=Path, default=Path("build/body_vae"))
    ap.add_argument("--report", type=Path, default=Path("docs/reports/body"))
    ap.add_argument("--subjects", type=int, default=None)
    ap.add_argument("--n-measure", type=int, default=120)
    ap.add_argument("--n-scan", type=int, default=10)
    ap.add_argument("--model-dir", default="models/shipped")
    ap.add_argument("--update-card", action="store_true", help="write the metrics into the model card")
    args = ap.parse_args(argv)
    data = load_data(args.data, args.cache, args.subjects)
    m = evaluate(data, args.runs, args.report, args.n_measure, args.n_scan, model_dir=args.model_dir)
    if args.update_card:
        update_card(Path(args.model_dir) / "body_model.json", m, args.report)
    print((args.report / "report.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
