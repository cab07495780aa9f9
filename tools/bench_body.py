"""Benchmark the body engine; prints a table (median of repeated runs, ratios to the decoder alone).

    .venv/bin/python tools/bench_body.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference.binding import Binding  # noqa: E402
from inference.body import BodyModel  # noqa: E402
from inference.mesh import load_template  # noqa: E402


def timed(fn, repeats: int) -> float:
    fn()  # warm-up (session creation, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main(argv=None) -> int:
    import trimesh

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args(argv)
    model = BodyModel.load()
    template = load_template("body")
    tris = template.triangles()
    rest = template.co.astype(np.float32)
    cond, _ = model.complete({"stature": 170, "chest": 95, "waist": 80, "hips": 100}, "female")
    style = np.zeros(model.latent, np.float32)
    body = model.decode(cond, style)[0]
    v50, f50 = trimesh.remesh.subdivide(rest, tris)
    v50 = v50 + np.random.default_rng(0).normal(0, 0.002, v50.shape)  # a different, unaligned topology
    bind13 = Binding.compute(rest, rest, tris)
    bind50 = Binding.compute(v50, rest, tris)
    a = np.random.default_rng(1).standard_normal((2048, 2048)).astype(np.float32)
    matmul = timed(lambda: a @ a, 5)
    offset = body - rest
    sample = trimesh.sample.sample_surface(trimesh.Trimesh(body, tris, process=False), 20000, seed=0)[0]

    rows = [
        ("decoder alone (1 body)", timed(lambda: model.decode(cond, style), args.repeats)),
        ("slider tick 13k: decode + transfer", timed(lambda: bind13.transfer(model.decode(cond, style)[0] - rest),
                                                     args.repeats)),
        (f"slider tick {len(v50) // 1000}k: decode + transfer",
         timed(lambda: bind50.transfer(model.decode(cond, style)[0] - rest), args.repeats)),
        ("transfer only 13k (identity)", timed(lambda: bind13.transfer(offset), args.repeats)),
        (f"transfer only {len(v50) // 1000}k (bound)", timed(lambda: bind50.transfer(offset), args.repeats)),
        ("measure one body", timed(lambda: model.measure(body), max(5, args.repeats // 3))),
        ("measurements -> exact body (4 given)", timed(lambda: model.body(
            {"stature": 170, "chest": 95, "waist": 80, "hips": 100}, "female"), max(5, args.repeats // 3))),
        ("measurements -> exact body (all 6)", timed(lambda: model.body(
            {"stature": 163, "chest": 88, "waist": 70, "hips": 96, "inseam": 75, "weight": 60}, "female"),
            max(5, args.repeats // 3))),
        (f"bind {len(v50) // 1000}k vertices (closest points, exact)", timed(
            lambda: Binding.compute(v50, rest, tris), 3)),
        ("scan fit (20k points)", timed(lambda: model.fit_scan(sample, "female"), 3)),
    ]
    base = rows[0][1]
    print(f"provider {model.provider_used}; reference: a 2048x2048 float32 matrix product takes {matmul:.1f} ms "
          "on this machine, now")
    print("| operation | median ms | x decoder | x 2048² matmul |\n|---|---|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.3f} | {ms / base:.1f} | {ms / matmul:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
