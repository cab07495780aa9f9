"""Benchmark Make Garment and Drape in Blender; prints a table (median of repeated runs).

    .venv/bin/python tools/bench_drape.py [--repeats 3] [--frames 30]

On the template avatar: each garment preset is cut (Make Garment, operator end to end) and draped
(Drape, synchronous as in background mode) with silk and with denim. Besides the times it prints what
the drape made: folds (mean angle between neighbouring faces, draped / undraped) and body vertices
through the draped cloth. Times are printed next to a 2048x2048 float32 matrix product measured in the
same run, so they carry over to other machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="wardrobe-bench-"))
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# isort: off
import bpy  # noqa: E402
import addon_utils  # noqa: E402
# isort: on

from tools.bench_reference import matmul_ms  # noqa: E402


def _one(preset: str, fabric: str, frames: int):
    from blender_wardrobe import body_sync, garment_data, mesh_io
    from blender_wardrobe.choices import GARMENT_FIELDS
    from blender_wardrobe.operators import drape, garments
    from inference import garment, garment_fit, garment_spec

    bpy.ops.wm.read_homefile(use_empty=True)
    assert bpy.ops.wardrobe.add_avatar() == {"FINISHED"}
    avatar = bpy.context.active_object
    spec = garment_spec.PRESETS[preset]
    t0 = time.perf_counter()
    assert bpy.ops.wardrobe.make_garment(**{n: getattr(spec, n) for n in GARMENT_FIELDS}) == {"FINISHED"}
    t1 = time.perf_counter()
    obj = bpy.context.active_object
    assert bpy.ops.wardrobe.drape(frames=frames, fabric=fabric) == {"FINISHED"}
    t2 = time.perf_counter()
    undraped = garments.key_co(obj, body_sync.BODY_KEY)
    draped = garments.key_co(obj, drape.DRAPE_KEY)
    mesh = mesh_io.read_mesh(obj.data, undraped)
    folds = garment_fit.normal_variation(mesh, draped) / garment_fit.normal_variation(mesh)
    body = garments.key_co(avatar, body_sync.BODY_KEY)
    through = garment.fit(mesh_io.read_mesh(obj.data, draped), body, spec.sleeve, garment_data.sleeve_faces(obj)).pokes
    return len(obj.data.vertices), (t1 - t0) * 1000, (t2 - t1) * 1000, folds, through


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--presets", nargs="*", default=["a_line_dress", "maxi_dress", "t_shirt", "trousers"])
    args = ap.parse_args(argv)
    if addon_utils.enable("blender_wardrobe", default_set=True, handle_error=None) is None:
        print("error: could not enable the blender_wardrobe add-on", file=sys.stderr)
        return 1
    matmul = matmul_ms()
    print(f"reference: a 2048x2048 float32 matrix product takes {matmul:.1f} ms on this machine; "
          f"{args.frames} drape frames")
    print("| garment | fabric | vertices | make ms | drape ms (median) | drape / matmul | folds (x undraped) "
          "| body vertices through the draped cloth |")
    print("|---|---|---|---|---|---|---|---|")
    for preset in args.presets:
        for fabric in ("silk", "denim"):
            runs = [_one(preset, fabric, args.frames) for _ in range(args.repeats)]
            n, make, drape_ms, folds, through = runs[-1]
            print(f"| {preset} | {fabric} | {n:,} | {statistics.median(r[1] for r in runs):.0f} | "
                  f"{statistics.median(r[2] for r in runs):.0f} | "
                  f"{statistics.median(r[2] for r in runs) / matmul:.0f} | {folds:.2f} | {through} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
