"""Garments after body changes: body vertices through the cloth before and after clearance; prints a table.

    PYTHONPATH=. .venv/bin/python tools/bench_clearance.py [--bodies 100] [--uniform 50]

Each garment preset is cut around a start body (one woman, one man), bound to it, and followed (binding +
displacement smoothing, as a slider tick does) to ``--bodies`` population bodies (the panel's Random Body,
both sexes) and ``--uniform`` bodies whose six sliders are drawn independently and uniformly over the
panel's slider ranges (the implausible corners a user can reach). For each it counts body vertices
through the garment with the poke test that Measure Fit shows (``garment.fit``), before and after
``BodyShaper.pose(..., clear=True)``, and splits them by whether the garment's ease is still >= 0 at
chest, waist and hips (negative ease: the body outgrew the garment, and it says so). Times: the median
clearance per garment, next to a 2048x2048 float32 matrix product measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference import garment  # noqa: E402
from inference.binding import DisplacementSmoother  # noqa: E402
from inference.body_shaper import BodyShaper, Follower  # noqa: E402
from inference.garment_spec import PRESETS  # noqa: E402
from inference.mesh import MeshData  # noqa: E402
from inference.vocabulary import MEASUREMENTS  # noqa: E402
from tools.bench_reference import matmul_ms  # noqa: E402

STARTS = (("female", 11), ("male", 5))


def _bodies(shaper: BodyShaper, population: int, uniform: int) -> list[tuple[str, np.ndarray]]:
    out = [("population", shaper.random(("female", "male")[i % 2], 5000 + i).vertices) for i in range(population)]
    rng = np.random.default_rng(7)
    for i in range(uniform):
        values = {m.id: float(rng.uniform(*m.soft_range)) for m in MEASUREMENTS}
        cond, _ = shaper.condition(values, ("female", "male")[i % 2])
        out.append(("uniform", shaper.decode(cond, np.zeros(shaper.latent, np.float32))))
    return out


def _follower(shaper: BodyShaper, g: garment.Garment, start: np.ndarray) -> Follower:
    b = shaper.bind(g.mesh.co, reference=start)
    edges = np.unique(g.mesh.loop_edges(), axis=0)
    return Follower(b, g.mesh.co, start, DisplacementSmoother(edges, b.distance),
                    clearance=shaper.clearance(g.mesh, g.spec.sleeve, garment.sleeve_faces(g)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bodies", type=int, default=100)
    ap.add_argument("--uniform", type=int, default=50)
    ap.add_argument("--presets", nargs="*", default=list(PRESETS))
    args = ap.parse_args()
    shaper = BodyShaper.load()
    bodies = _bodies(shaper, args.bodies, args.uniform)
    ref = matmul_ms()
    print(f"{len(bodies)} bodies per garment and start body; 2048^2 matmul {ref:.1f} ms\n")
    print("| garment | bodies | ease >= 0 | pokes before (garments) | pokes after (garments) | "
          "after, ease < 0 (garments) | most after | clearance median ms | x matmul | max push mm |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in args.presets:
        spec = PRESETS[name]
        rows = {"population": [], "uniform": []}
        times, pushes = [], []
        for sex, seed in STARTS:
            start = shaper.random(sex, seed).vertices
            g = garment.make(spec, start)
            f = _follower(shaper, g, start)
            sleeves = garment.sleeve_faces(g)
            for kind, body in bodies:
                plain = shaper.pose({}, sex, None, [f], body=body)
                t0 = time.perf_counter()
                done = shaper.pose({}, sex, None, [f], body=body, clear=True)
                times.append((time.perf_counter() - t0) * 1000)
                pushes.append(float(np.linalg.norm(done.positions[0] - plain.positions[0], axis=1).max() * 1000))
                fits = [garment.fit(MeshData(p.positions[0], g.mesh.face_sizes, g.mesh.loop_vertex), body,
                                    spec.sleeve, sleeves) for p in (plain, done)]
                loose = all(e >= 0 for e in fits[1].ease.values() if np.isfinite(e))
                rows[kind].append((loose, fits[0].pokes, fits[1].pokes))
        for kind, r in rows.items():
            if not r:
                continue
            loose = [x for x in r if x[0]]
            tight = [x for x in r if not x[0]]
            print(f"| {name} ({kind}) | {len(r)} | {len(loose)} | {sum(x[1] for x in loose)} "
                  f"({sum(x[1] > 0 for x in loose)}) | {sum(x[2] for x in loose)} ({sum(x[2] > 0 for x in loose)}) | "
                  f"{sum(x[2] for x in tight)} ({sum(x[2] > 0 for x in tight)}) | {max(x[2] for x in r)} | "
                  f"{statistics.median(times):.0f} | {statistics.median(times) / ref:.1f} | {max(pushes):.0f} |",
                  flush=True)


if __name__ == "__main__":
    main()
