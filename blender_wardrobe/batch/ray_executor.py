"""`--executor ray`: the batch's shards as Ray tasks, each its own Blender process.

Each task runs the same command a farm would (``--shard i/N``) so a task that dies is simply
re-run by resuming; the output folder must be shared by all nodes (one machine: it is). Without
``--address`` a local cluster with ``--workers`` CPUs is started and stopped again.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

from . import store
from .spec import BatchSpec

RAY_REQUIREMENT = "ray==2.60.0"  # the version requirements/batch.txt tests
LOCAL_HOSTS = {"", "auto", "local", "localhost", "127.0.0.1", "::1"}


def is_local(address: str) -> bool:
    """Whether a Ray address stays on this machine ('auto', localhost, 127.x; with or without ray:// and port)."""
    rest = address.strip().split("://", 1)[-1]
    if rest.startswith("["):  # [::1]:6379
        host = rest[1:].split("]", 1)[0]
    elif rest.count(":") == 1:  # host:port
        host = rest.split(":")[0]
    else:  # a bare host, or a bare IPv6 address
        host = rest
    return host.lower() in LOCAL_HOSTS or host.startswith("127.")


def check(args) -> None:
    """Refuse up front (ValueError naming the fix) what would fail or overstep once the batch starts."""
    if args.address and not is_local(args.address):
        import bpy

        if not bpy.app.online_access:
            raise ValueError(f"--address {args.address} is another machine, and Blender's online access is off: "
                             "allow it in Preferences > System > Network (or start Blender with --online-mode), "
                             "or leave out --address to use a local Ray cluster")
    if importlib.util.find_spec("ray") is None:
        raise ValueError(f"--executor ray needs Ray, which this Python ({sys.executable}) does not have: install it "
                         f"with \"{sys.executable}\" -m pip install {RAY_REQUIREMENT}, or run the shards yourself "
                         "with --shard i/N (one process or machine each)")


def shard_command(spec_path: Path, i: int, n: int, blender: str | None) -> list[str]:
    """The command line of one shard: the Blender binary's batch command, or this Python's bpy module."""
    if blender:
        return [blender, "-b", "--factory-startup", "-c", "wardrobe", "batch", str(spec_path), "--shard", f"{i}/{n}"]
    return [sys.executable, "-m", f"{__package__}", str(spec_path), "--shard", f"{i}/{n}"]


def _default_blender() -> str | None:
    import bpy

    path = bpy.app.binary_path
    # With bpy as a Python module the "binary" is the Python interpreter: use -m instead.
    return path if path and Path(path).name.lower().startswith("blender") else None


def run(spec: BatchSpec, args) -> int:
    import ray

    n = max(1, int(args.workers))
    blender = args.blender or _default_blender()
    package_root = str(Path(__file__).resolve().parents[2])
    env = {"PYTHONPATH": os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}

    @ray.remote(num_cpus=1, max_retries=2)
    def shard_task(cmd: list[str], env_extra: dict) -> dict:
        t0 = time.time()
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env_extra})
        return {"cmd": cmd, "rc": proc.returncode, "seconds": time.time() - t0,
                "tail": (proc.stdout + proc.stderr)[-2000:]}

    started_here = args.address is None
    ray.init(address=args.address, num_cpus=n if started_here else None, include_dashboard=False,
             log_to_driver=False, ignore_reinit_error=True)
    try:
        t0 = time.perf_counter()
        refs = [shard_task.remote(shard_command(spec.path, i, n, blender), env) for i in range(1, n + 1)]
        results = ray.get(refs)
    finally:
        if started_here:
            ray.shutdown()
    failed = [r for r in results if r["rc"] != 0]
    for r in results:
        print(f"shard {' '.join(r['cmd'][-2:])}: exit {r['rc']} in {r['seconds']:.1f} s")
    for r in failed:
        print(r["tail"], file=sys.stderr)
    total = store.rebuild_manifest(spec.output)
    from . import render

    sheet = render.contact_sheet(spec.output)
    print(f"ray: {n} shards in {time.perf_counter() - t0:.1f} s; manifest has {total} variants"
          + (f"; contact sheet {sheet}" if sheet else ""))
    return 1 if failed else 0
