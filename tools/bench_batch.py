"""Benchmark headless batches; prints a table: variants per minute and per-variant overhead against the
bare render time (the renders alone, timed inside the same run).

    .venv/bin/python tools/bench_batch.py [--variants 12] [--resolution 256] [--samples 16]

Overhead = (wall time of the batch - time inside bpy.ops.render.render) / render time: body update,
fabric generation, material and image handling, map and record writes, manifest, scene setup.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SPEC = """
[avatar]
garments = ["skirt"]
[bodies]
random = {bodies}
seed = 11
[fabrics]
kinds = ["denim", "plaid", "jersey"]
colors = ["#2b4a6f"]
seeds = [0]
size = {fabric}
[render]
samples = {samples}
resolution = [{res}, {res}]
angles = [0]
[output]
folder = "out"
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bodies", type=int, default=4, help="random bodies (x 3 fabrics = variants)")
    ap.add_argument("--resolution", type=int, default=256)
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--fabric", type=int, default=256, help="fabric tile size in px")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="wardrobe-bench-batch-"))
    spec = work / "spec.toml"
    spec.write_text(SPEC.format(bodies=args.bodies, fabric=args.fabric, samples=args.samples, res=args.resolution))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BLENDER_USER_RESOURCES": str(work / "user")}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "blender_wardrobe.batch", str(spec)], capture_output=True,
                          text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        return 1
    recs = [json.loads(line) for line in (work / "out" / "manifest.jsonl").read_text().splitlines()]
    n = len(recs)
    render = sum(r["render_seconds"] for r in recs)
    in_variants = sum(r["seconds"] for r in recs)
    print(f"batch of {n} variants, {args.resolution}x{args.resolution} Cycles CPU {args.samples} samples, "
          f"fabric {args.fabric} px, one process (bpy {recs[0]['blender']})")
    print(f"{'measure':48s} {'value':>10s}")
    rows = [
        ("process wall time (s)", wall),
        ("variants per minute", n / wall * 60),
        ("bare render time per variant (s)", render / n),
        ("per-variant time inside the loop (s)", in_variants / n),
        ("overhead per variant, loop only (% of render)", (in_variants - render) / render * 100),
        ("overhead per variant, whole process (% of render)", (wall - render) / render * 100),
    ]
    for name, v in rows:
        print(f"{name:48s} {v:10.2f}")
    print("target: overhead <= 10 % at 256^2 Cycles, 16 samples")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
