"""Benchmark fabric generation; prints a table (median of repeated runs, ratios against torch eager).

    .venv/bin/python tools/bench_fabric.py [--repeats 5] [--sizes 1024 2048] [--big 4096]

Rows: the engine (onnxruntime, windowed, noise + normals included), one raw onnxruntime pass, and
the same weights in torch eager (copied out of the shipped ONNX file and checked for parity), at each
size; then the engine at ``--big`` in a fresh process with its peak RSS (the memory a user sees).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from bench_body import timed as median_ms  # noqa: E402  (one timing helper for all benchmarks)

from inference import artifacts  # noqa: E402
from inference.fabric import FabricModel, noise_rows  # noqa: E402

# Peak RSS from VmHWM: ru_maxrss would include the forked parent's (torch) memory on Linux.
BIG_SCRIPT = """
import json, sys, time
sys.path.insert(0, {root!r})
from inference.fabric import FabricModel
m = FabricModel.load()
t0 = time.perf_counter()
maps = m.generate("denim", "#2b4a6f", 12, {size}, seed=1)
dt = time.perf_counter() - t0
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"seconds": dt, "peak_rss_mb": hwm / 1024, "windows": maps.info["windows"]}}))
"""


def torch_generator(model: FabricModel):
    """The shipped generator's weights in the torch module (export names = state_dict names)."""
    import onnx
    import torch
    from onnx import numpy_helper

    from models.fabric.networks import Generator

    g = Generator().eval()
    path = artifacts.find(model.card["files"]["generator"]["file"])
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(path)).graph.initializer}
    state = g.state_dict()
    missing = [k for k in state if k not in inits]
    if missing:
        raise SystemExit(f"cannot map ONNX weights onto the torch generator (missing {missing[:3]}...)")
    g.load_state_dict({k: torch.as_tensor(inits[k].copy()) for k in state})
    return g


def inputs(model: FabricModel, size: int):
    from inference.fabric import periodic_channels_for

    style = model.style("denim", "#2b4a6f", 12.0, None)[None]
    noise = noise_rows(1, model.noise_ch, size, 0, size)[None]
    return noise, periodic_channels_for(size, 12.0, model.px_per_cm)[None], style


def main(argv=None) -> int:
    import torch

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1024, 2048])
    ap.add_argument("--big", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=0, help="0 = all cores (torch and onnxruntime alike)")
    args = ap.parse_args(argv)
    threads = args.threads or torch.get_num_threads()
    torch.set_num_threads(threads)
    model = FabricModel.load(threads=args.threads)
    g = torch_generator(model)
    noise, per, style = inputs(model, 64)
    with torch.no_grad():
        ref = g(torch.as_tensor(noise), torch.as_tensor(per), torch.as_tensor(style)).numpy()
    got = model.generator.run(None, {"noise": noise, "periodic": per, "style": style})[0]
    parity = float(np.abs(ref - got).max())

    rows = []
    for size in args.sizes:
        noise, per, style = inputs(model, size)
        tn, tp, ts = (torch.as_tensor(a) for a in (noise, per, style))

        def eager(tn=tn, tp=tp, ts=ts):
            with torch.no_grad():
                g(tn, tp, ts)

        feed = {"noise": noise, "periodic": per, "style": style}
        t_torch = median_ms(eager, args.repeats)
        t_raw = median_ms(lambda feed=feed: model.generator.run(None, feed), args.repeats)
        t_engine = median_ms(lambda size=size: model.generate("denim", "#2b4a6f", 12, size, seed=1), args.repeats)
        rows += [(size, "torch eager, one pass (baseline)", t_torch), (size, "onnxruntime, one pass", t_raw),
                 (size, "engine: onnxruntime, windowed + normals", t_engine)]
        base = t_torch
        for i in range(len(rows) - 3, len(rows)):
            rows[i] = (*rows[i], base / rows[i][2])

    print(f"fabric generator, {threads} threads, median of {args.repeats} runs; "
          f"torch weights = ONNX weights (max abs diff {parity:.1e})")
    print(f"{'size':>6s}  {'path':42s} {'ms':>9s} {'speed-up':>9s}")
    for size, name, ms, ratio in rows:
        print(f"{size:6d}  {name:42s} {ms:9.1f} {ratio:8.2f}x")
    proc = subprocess.run([sys.executable, "-c", BIG_SCRIPT.format(root=str(ROOT), size=args.big)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"{args.big}: failed: {proc.stderr.strip()[-400:]}")
        return 1
    big = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{args.big:6d}  {'engine, fresh process':42s} {big['seconds'] * 1000:9.1f}      peak RSS "
          f"{big['peak_rss_mb']:.0f} MB ({big['windows']} windows)")
    print("targets: 1024 <= 150 ms; onnxruntime >= 2x torch eager; 4096 < 1.5 GB peak RSS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
