"""Benchmark swatch photo -> first tileable variation; prints a table (medians, next to a same-run reference).

    .venv/bin/python tools/bench_swatch.py [--repeats 5] [--size 1024] [--data ../shared/data]

For each real set's colour map (the "photo"): reading it (checks, lighting, spectrum, draft match,
palette, band statistics), then the first variation at ``--size`` px (structure + detail network + band
fitting), each step and the whole, as medians of ``--repeats`` runs and as multiples of a 2048^2 float32
matrix product measured in the same run, so the figures carry to other machines. Target: photo -> first
1024^2 variation <= 2 s median on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from bench_body import timed  # noqa: E402  (one timing helper for all benchmarks)
from bench_fabric import matmul_ms  # noqa: E402
from PIL import Image  # noqa: E402

from inference.fabric import FabricModel  # noqa: E402
from inference.swatch_detail import match_detail  # noqa: E402
from models.fabric.real_data import _find  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args(argv)
    model = FabricModel.load()
    ref = matmul_ms(args.repeats)
    sets = sorted(p for p in (args.data / "fabrics").iterdir() if p.is_dir())
    print(f"reference: 2048^2 float32 matmul {ref:.1f} ms; size {args.size}; medians of {args.repeats} runs")
    print(f"{'set':44s} {'photo':>11s} {'read ms':>8s} {'generate':>9s} {'fit ms':>7s} {'total ms':>9s} "
          f"{'x matmul':>9s}")
    totals = []
    for folder in sets:
        photo = np.asarray(Image.open(_find(folder, "albedo")).convert("RGB"))
        reading = model.read_swatch(photo)
        read = timed(lambda photo=photo: model.read_swatch(photo), args.repeats)
        gen = timed(lambda r=reading: model.generate(size=args.size, seed=0, **r.request()), args.repeats)
        maps = model.generate(size=args.size, seed=0, **reading.request())
        fit = timed(lambda m=maps, r=reading: match_detail(m.albedo, r.detail), args.repeats)
        whole = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            model.variations(photo, 1, args.size, seed=0)
            whole.append((time.perf_counter() - t0) * 1000)
        total = statistics.median(whole)
        totals.append(total)
        print(f"{folder.name:44s} {photo.shape[1]:>5d}x{photo.shape[0]:<5d} {read:8.0f} {gen:9.0f} {fit:7.0f} "
              f"{total:9.0f} {total / ref:9.1f}")
    print(f"median over sets: photo -> first {args.size}^2 variation {statistics.median(totals):.0f} ms "
          f"({statistics.median(totals) / ref:.1f} x matmul); target <= 2000 ms on the 2-core machine")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
