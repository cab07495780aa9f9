"""Benchmark Generate Fabric end to end in Blender, with a per-step breakdown; prints a table.

    .venv/bin/python tools/bench_generate.py [--repeats 5] [--size 1024]

Cases: the template avatar (13k vertices, 9 UV islands of different texel density -> baked atlas),
the skirt (one mapping scale) and the avatar subdivided once (~107k triangles, atlas). "operator"
is `bpy.ops.wardrobe.generate_fabric()` as a user runs it (synchronous in background mode); the
steps are the same calls the operator makes, timed one by one. The first run of a fresh process (model
load, onnxruntime's first allocations) is measured in ``--first-runs`` new processes (median and range),
apart from the median of the warm runs. Every time is printed next
to a 2048² float32 matrix product measured in the same run, so the figures carry to other machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
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

STEPS = ("read mesh", "islands", "generate", "rasterize", "pad", "bake", "images", "material")


def _steps(mod, obj, size: int, seed: int) -> dict[str, float]:
    """One generation through the operator's own calls, each timed (ms)."""
    s = bpy.context.scene.wardrobe_fabric
    model = mod.model_cache.fabric_model(bpy.context)
    color = mod.operators.generate_fabric.srgb_color(s.color)
    t0 = time.perf_counter()
    mesh = mod.mesh_io.read_uv_layout(obj.data, obj.matrix_world)
    t1 = time.perf_counter()
    res = mod.engine.fabric_surface.fabric_for_mesh(model, mesh, s.kind, color, s.threads_per_cm, size, seed,
                                                    s.roughness)
    t2 = time.perf_counter()
    mat, images = mod.fabric_material.make("Bench", s.kind, res)
    t3 = time.perf_counter()
    mod.fabric_material.retire(mod.fabric_material.assign(obj, mat, None), keep=False)
    t4 = time.perf_counter()
    out = {"read mesh": (t1 - t0) * 1000, **res.info["timings_ms"], "images": (t3 - t2) * 1000,
           "material": (t4 - t3) * 1000, "total": (t4 - t0) * 1000, "mode": res.mode}
    bpy.data.materials.remove(mat)
    for img in images.values():
        bpy.data.images.remove(img)
    return out


def _operator_ms(obj, repeats: int, seed0: int) -> tuple[float, list[float]]:
    s = bpy.context.scene.wardrobe_fabric
    times = []
    for k in range(repeats + 1):
        for o in bpy.context.selected_objects:
            o.select_set(False)
        obj.select_set(True)
        bpy.context.view_layer.objects.active = obj
        s.seed = seed0 + k
        t0 = time.perf_counter()
        assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
        times.append((time.perf_counter() - t0) * 1000)
    return times[0], times[1:]


def _first_runs(n: int, size: int) -> list[float]:
    """The avatar's first Generate Fabric in ``n`` fresh processes (ms)."""
    out = []
    for _ in range(n):
        proc = subprocess.run([sys.executable, __file__, "--first-only", "--size", str(size)], capture_output=True,
                              text=True, env={**os.environ, "BLENDER_USER_RESOURCES": tempfile.mkdtemp()})
        out += [float(line.split()[1]) for line in proc.stdout.splitlines() if line.startswith("FIRST ")]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--first-runs", type=int, default=5, help="fresh processes for the first-run time")
    ap.add_argument("--first-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    bpy.ops.wm.read_homefile(use_empty=True)
    mod = addon_utils.enable("blender_wardrobe", default_set=True, handle_error=None)
    if args.first_only:
        bpy.context.scene.wardrobe_fabric.resolution = str(args.size)
        assert bpy.ops.wardrobe.add_avatar() == {"FINISHED"}
        t0 = time.perf_counter()
        assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
        print(f"FIRST {(time.perf_counter() - t0) * 1000:.1f}")
        sys.stdout.flush()
        os._exit(0)
    firsts = _first_runs(args.first_runs, args.size)
    ref = matmul_ms()
    s = bpy.context.scene.wardrobe_fabric
    s.kind, s.resolution = "cotton", str(args.size)
    assert bpy.ops.wardrobe.add_avatar() == {"FINISHED"}
    avatar = bpy.context.active_object
    first, warm = _operator_ms(avatar, args.repeats, 100)  # the first run of the process loads the model
    assert bpy.ops.wardrobe.add_garment(part="skirt") == {"FINISHED"}
    skirt = bpy.context.active_object
    dense = avatar.copy()
    dense.data = avatar.data.copy()
    dense.shape_key_clear()
    bpy.context.collection.objects.link(dense)
    mods = dense.modifiers.new("subdivide", "SUBSURF")
    mods.levels, mods.subdivision_type = 1, "SIMPLE"
    bpy.context.view_layer.objects.active = dense
    bpy.ops.object.modifier_apply(modifier=mods.name)
    cases = [("template avatar", avatar), ("skirt", skirt), ("avatar subdivided", dense)]

    rows = []
    for name, obj in cases:
        tris = sum(len(p.vertices) - 2 for p in obj.data.polygons)
        op_first, op_warm = (first, warm) if obj is avatar else _operator_ms(obj, args.repeats, 200)
        steps = [_steps(mod, obj, args.size, 300 + k) for k in range(args.repeats)]
        med = {k: statistics.median(st.get(k, 0.0) for st in steps) for k in (*STEPS, "total")}
        rows.append((name, tris, steps[0]["mode"], op_first, statistics.median(op_warm), med))

    print(f"Blender {bpy.app.version_string}, {args.size} px, median of {args.repeats} warm runs; "
          f"reference: 2048² float32 matmul {ref:.1f} ms")
    head = f"{'case':18s} {'triangles':>9s} {'mode':>7s} {'first ms':>9s} {'operator ms':>11s} {'x matmul':>8s}"
    print(head + "".join(f" {k:>9s}" for k in STEPS))
    for name, tris, mode, op_first, op_warm, med in rows:
        print(f"{name:18s} {tris:9,d} {mode:>7s} {op_first:9.0f} {op_warm:11.0f} {op_warm / ref:8.1f}"
              + "".join(f" {med[k]:9.1f}" for k in STEPS))
    if firsts:
        print(f"template avatar, first run in {len(firsts)} fresh processes: median {statistics.median(firsts):.0f} ms "
              f"(range {min(firsts):.0f}-{max(firsts):.0f})")
    print("target: template avatar at 1024 px <= 1000 ms end to end (operator)")
    sys.stdout.flush()
    os._exit(0)  # bpy < 4.4 can crash at interpreter exit (blender#125376)


if __name__ == "__main__":
    raise SystemExit(main())
