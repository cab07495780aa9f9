"""Body dataset: MakeHuman parameters fitted to every ANSUR II subject, labelled by inference.measure.

    python -m models.body.dataset --data ../shared/data [--cache build/cache] [--subjects N]

1. Sample random adult parameter vectors, build their bodies, measure them (inference.measure).
2. Train a small MLP surrogate parameters -> measurements on those samples.
3. Fit parameters to each ANSUR subject's measurements through the surrogate (batched Adam with a
   prior toward MakeHuman's defaults), starting from the subject's sex and age.
4. Rebuild the fitted bodies, put their landmarks at the subject's ANSUR heights (crotch, buttock,
   omphalion, chest, axilla, stature; ``landmark_warp``) and measure them for real: these
   measurements are the labels, the warp knots are stored with the parameters.
Split by subject id (80/10/10). Deterministic for a seed; cached as one .npz keyed by its settings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import time
from pathlib import Path

import numpy as np

from inference import mesh
from inference.measure import NAMES, Measurer
from models.body import ansur, landmark_warp
from models.body.shape_space import MACROS, N_PARAMS, PARAM_NAMES, RACES, ShapeSpace, age_value

DATASET_VERSION = 2  # 2: landmarks on ANSUR definitions, bodies put at ANSUR landmark heights
_worker: dict = {}


def _init_worker(data_root: str, cache_dir: str):
    _worker["space"] = ShapeSpace.load(Path(data_root), mesh.load_template("body").co, Path(cache_dir))
    _worker["measurer"] = Measurer.from_template()


def _measure_chunk(params: np.ndarray) -> np.ndarray:
    bodies = _worker["space"].bodies(params)
    return _worker["measurer"].measure_many(bodies)


def _warp_chunk(job: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    params, heights = job
    m = _worker["measurer"]
    raw, meas, lm_heights, pairs = [], [], [], []
    for co, dst in zip(_worker["space"].bodies(params), heights, strict=True):
        raw.append([m.measure(co)[n] for n in NAMES])
        warped, src_k, dst_k = landmark_warp.to_heights(co, m, dict(zip(ansur.HEIGHT_NAMES, dst, strict=True)))
        meas.append([m.measure(warped)[n] for n in NAMES])
        h = m.landmark_heights(warped)
        lm_heights.append([h[n] for n in ansur.HEIGHT_NAMES])
        pairs.append((src_k, dst_k))
    src, dst = landmark_warp.knot_arrays(pairs)
    return np.array(raw), np.array(meas), np.array(lm_heights), src, dst


def _pool(data_root: Path, cache_dir: Path, workers: int):
    ctx = mp.get_context("spawn")  # never fork a process that may hold torch threads
    return ctx.Pool(workers, _init_worker, (str(data_root), str(cache_dir)))


def measure_params(params: np.ndarray, data_root: Path, cache_dir: Path, workers: int = 2) -> np.ndarray:
    """Real measurements (N, len(NAMES)) of the bodies of parameter vectors, in parallel."""
    chunks = np.array_split(params, max(1, len(params) // 64))
    with _pool(data_root, cache_dir, workers) as pool:
        return np.concatenate(pool.map(_measure_chunk, chunks))


def warp_params(params: np.ndarray, heights: np.ndarray, data_root: Path, cache_dir: Path,
                workers: int = 2) -> dict[str, np.ndarray]:
    """Bodies of ``params`` put at landmark ``heights`` (N, len(HEIGHT_NAMES)) cm, measured before
    (``raw``) and after (``measurements``), with their landmark heights and warp knots."""
    n = max(1, len(params) // 32)
    jobs = list(zip(np.array_split(params, n), np.array_split(heights, n), strict=True))
    with _pool(data_root, cache_dir, workers) as pool:
        parts = pool.map(_warp_chunk, jobs)
    keys = ("raw", "measurements", "heights", "warp_src", "warp_dst")
    return {k: np.concatenate([p[i] for p in parts]) for i, k in enumerate(keys)}


def sample_params(n: int, rng: np.random.Generator, sex: np.ndarray | None = None) -> np.ndarray:
    """Random adult bodies: broad priors over MakeHuman's macros and modifiers."""
    p = np.zeros((n, N_PARAMS))
    col = {name: i for i, name in enumerate(PARAM_NAMES)}
    if sex is None:
        sex = rng.integers(0, 2, n)
    p[:, col["gender"]] = np.where(sex == 1, rng.uniform(0.7, 1.0, n), rng.uniform(0.0, 0.3, n))
    p[:, col["age"]] = age_value(rng.uniform(17, 60, n))
    for name in ("muscle", "weight", "height", "proportions", "cupsize", "firmness"):
        p[:, col[name]] = rng.uniform(0.0, 1.0, n)
    p[:, len(MACROS): len(MACROS) + len(RACES)] = rng.dirichlet(np.ones(len(RACES)), n)
    p[:, len(MACROS) + len(RACES):] = rng.uniform(-1.0, 1.0, (n, N_PARAMS - len(MACROS) - len(RACES)))
    return p


def _settings_key(settings: dict) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]


def build(data_root: Path, cache_dir: Path, n_random: int = 6000, seed: int = 0, subjects: int | None = None,
          workers: int = 2, fit_steps: int = 1500, rounds: int = 2, surrogate_steps: int = 4000, log=print) -> dict:
    import torch

    from models.body.fit import fit_to_targets, train_surrogate

    settings = {"v": DATASET_VERSION, "n_random": n_random, "seed": seed, "subjects": subjects,
                "fit_steps": fit_steps, "rounds": rounds}
    if surrogate_steps != 4000:  # keeps the key of the shipped dataset unchanged
        settings["surrogate_steps"] = surrogate_steps
    out = Path(cache_dir) / f"body_dataset_{_settings_key(settings)}.npz"
    if out.is_file():
        log(f"dataset cached: {out}")
        with np.load(out) as z:
            return {k: z[k] for k in z.files} | {"path": str(out)}
    t0 = time.time()
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    ShapeSpace.load(Path(data_root), mesh.load_template("body").co, Path(cache_dir))  # warm the cache
    rand_params = sample_params(n_random, rng)
    rand_meas = measure_params(rand_params, data_root, cache_dir, workers)
    log(f"measured {n_random} random bodies in {time.time() - t0:.0f} s")
    subj = ansur.load(data_root)
    order = np.argsort(subj.ids, kind="stable")
    if subjects:
        order = order[np.linspace(0, len(order) - 1, subjects).astype(int)]
    ids, sex, age, targets = subj.ids[order], subj.sex[order], subj.age[order], subj.targets[order]
    heights = subj.heights[order]
    fit_cols = [NAMES.index(n) for n in ansur.FIT_NAMES]
    w_fit = ansur.FIT_NAMES.index("weight")
    aim = targets.copy()  # what the unwarped body is fitted to
    fitted = sample_params(len(ids), np.random.default_rng(seed + 1), sex)
    fitted[:, PARAM_NAMES.index("age")] = age_value(age)
    train_p, train_m = rand_params, rand_meas
    for round_ in range(rounds):
        # Each round retrains the surrogate on every body measured so far, including the last
        # round's fits, so it is most accurate exactly where the subjects are.
        surrogate = train_surrogate(train_p, train_m, steps=surrogate_steps, log=log)
        fitted = fit_to_targets(surrogate, fitted, aim, fit_cols, steps=fit_steps, log=log)
        fit = warp_params(fitted, heights, data_root, cache_dir, workers)
        meas = fit["measurements"]
        err = meas[:, fit_cols] - targets
        h_err = fit["heights"] - heights
        log(f"round {round_}: fit residual (real measurement - ANSUR), MAE: "
            + ", ".join(f"{n} {np.abs(err[:, i]).mean():.2f}" for i, n in enumerate(ansur.FIT_NAMES))
            + "; landmark heights: "
            + ", ".join(f"{n} {np.abs(h_err[:, i]).mean():.2f}" for i, n in enumerate(ansur.HEIGHT_NAMES)))
        # The warp changes the volume (weight) only: aim the next unwarped fit so the warped one lands.
        aim[:, w_fit] = targets[:, w_fit] * fit["raw"][:, NAMES.index("weight")] / meas[:, NAMES.index("weight")]
        train_p, train_m = np.concatenate([train_p, fitted]), np.concatenate([train_m, fit["raw"]])
    data = {
        "ids": ids, "sex": sex, "age": age, "split": ansur.split_of(ids, seed),
        "params": fitted.astype(np.float32), "measurements": meas.astype(np.float32),
        "warp_src": fit["warp_src"].astype(np.float32), "warp_dst": fit["warp_dst"].astype(np.float32),
        "heights": fit["heights"].astype(np.float32), "ansur_heights": heights.astype(np.float32),
        "height_names": np.array(ansur.HEIGHT_NAMES),
        "ansur": targets.astype(np.float32), "random_params": rand_params.astype(np.float32),
        "random_measurements": rand_meas.astype(np.float32),
        "names": np.array(NAMES), "fit_names": np.array(ansur.FIT_NAMES),
        "settings": np.array(json.dumps(settings)), "build_seconds": np.array(time.time() - t0),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez(tmp, **data)
    tmp.replace(out)
    log(f"wrote {out} ({len(ids)} subjects) in {time.time() - t0:.0f} s")
    return data | {"path": str(out)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--cache", type=Path, default=Path("build/cache"))
    ap.add_argument("--random", type=int, default=6000)
    ap.add_argument("--subjects", type=int, default=None, help="fit only N subjects (smoke runs)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    build(args.data, args.cache, args.random, args.seed, args.subjects, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
