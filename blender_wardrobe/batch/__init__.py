"""Headless batches: fabrics x bodies rendered unattended; resumable, sharded, optionally on Ray.

One code path, three entry points:
    blender -b [scene.blend] -c wardrobe batch spec.toml [--shard i/N] [--executor ray]
    blender -b [scene.blend] -P <add-on>/batch/run_script.py -- spec.toml [options]
    python -m blender_wardrobe.batch spec.toml [options]          (bpy as a Python module)
"""

from __future__ import annotations

import argparse
import sys
import time

from ..engine import EngineError
from . import plan, spec, store

__all__ = ["main", "build_parser", "run_local", "plan", "spec", "store"]
MANIFEST_EVERY_S = 20.0  # rebuild the manifest at most this often while rendering, and always at the end


def build_parser(prog: str = "blender -c wardrobe batch") -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog=prog, description="Render fabrics x bodies from a batch spec (TOML).")
    ap.add_argument("spec", help="batch spec (.toml)")
    ap.add_argument("--shard", help="i/N: render only this deterministic share of the variants (1-based)")
    ap.add_argument("--executor", choices=("local", "ray"), default="local",
                    help="local: this process; ray: N shards as Ray tasks, each its own Blender process")
    ap.add_argument("--workers", type=int, default=2, help="shards (Ray tasks) for --executor ray")
    ap.add_argument("--address", help="Ray cluster address (default: start a local cluster)")
    ap.add_argument("--blender", help="Blender binary for Ray tasks (default: this Python with the bpy module, "
                                      "or this Blender)")
    ap.add_argument("--dry-run", action="store_true", help="validate the spec and list the variants, render nothing")
    return ap


def _load_spec(path: str) -> spec.BatchSpec:
    """The spec, checked against the fabric model's kinds and with its files opened as the render will."""
    import bpy

    from .. import model_cache
    from . import file_checks

    model = model_cache.fabric_model(bpy.context)

    def fabric_problem(kind, color, threads_per_cm, size, seed, weave):
        try:
            model.structure(kind, color, threads_per_cm, size, seed, **weave)
        except EngineError as exc:
            return str(exc)
        return None

    return spec.load(path, model.kinds, check_swatch=file_checks.swatch_problem,
                     check_blend=file_checks.blend_problem, check_fabric=fabric_problem)


def _eta(done: int, total: int, elapsed: float) -> str:
    if done == 0:
        return "?"
    left = elapsed / done * (total - done)
    return f"{int(left // 60)}m{int(left % 60):02d}s"


def run_local(s: spec.BatchSpec, shard_text: str | None, log=print) -> dict:
    i, n = plan.parse_shard(shard_text)
    mine = plan.shard(plan.variants(s), i, n)
    todo = [v for v in mine if not store.is_done(s.output, v.id)]
    log(f"batch {s.path.name}: {len(mine)} variants in shard {i}/{n}, {len(mine) - len(todo)} already done, "
        f"{len(todo)} to render -> {s.output}")
    from . import render  # bpy from here on

    t0 = time.perf_counter()
    stage = render.Stage(s) if todo else None
    render_s, last_manifest = 0.0, time.perf_counter()
    for k, v in enumerate(todo, 1):
        rec = stage.render(v)
        render_s += rec["render_seconds"]
        if time.perf_counter() - last_manifest > MANIFEST_EVERY_S:  # a view of the records; O(N) to rebuild
            store.rebuild_manifest(s.output)
            last_manifest = time.perf_counter()
        elapsed = time.perf_counter() - t0
        log(f"[{k}/{len(todo)}] {v.id}: {rec['seconds']:.1f} s (render {rec['render_seconds']:.1f} s), "
            f"ETA {_eta(k, len(todo), elapsed)}")
        sys.stdout.flush()
    total = store.rebuild_manifest(s.output)
    sheet = render.contact_sheet(s.output)
    wall = time.perf_counter() - t0
    log(f"done: {len(todo)} rendered in {wall:.1f} s; manifest has {total} variants"
        + (f"; contact sheet {sheet}" if sheet else ""))
    return {"rendered": len(todo), "wall_seconds": wall, "render_seconds": render_s, "manifest": total}


def main(argv, prog: str = "blender -c wardrobe batch") -> int:
    try:
        args = build_parser(prog).parse_args(list(argv))
    except SystemExit as exc:  # --help or a usage error: argparse printed why; Blender must not exit here
        return int(exc.code or 0)
    try:
        s = _load_spec(args.spec)
        plan.parse_shard(args.shard)
        if args.executor == "ray":
            from . import ray_executor

            ray_executor.check(args)
    except (spec.SpecError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        vs = plan.shard(plan.variants(s), *plan.parse_shard(args.shard))
        for v in vs:
            print(f"{v.index:5d} {v.id}{'  (done)' if store.is_done(s.output, v.id) else ''}")
        print(f"{len(vs)} variants")
        return 0
    if args.executor == "ray":
        from . import ray_executor

        return ray_executor.run(s, args)
    run_local(s, args.shard)
    return 0
