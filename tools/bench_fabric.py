"""Benchmark fabric generation; prints a table (medians of repeated runs, next to same-run references).

    .venv/bin/python tools/bench_fabric.py [--repeats 5] [--sizes 1024 2048] [--big 4096]

For each size: the engine's whole call (structure + noise + detail network + yarn shading + normals,
windowed), its steps one by one, one raw onnxruntime pass and the same weights in torch eager (copied
out of the shipped ONNX file, parity checked). Every time is also given as a multiple of a 2048^2
float32 matrix product measured in the same run, so the figures carry to other machines. Then the
engine at ``--big`` in a fresh process with its peak RSS (the memory a user sees).
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
from inference.yarn_shading import shade, yarn_gains  # noqa: E402

KIND, COLOR = "denim", "#2b4a6f"
# Peak RSS from VmHWM: ru_maxrss would include the forked parent's (torch) memory on Linux.
BIG_SCRIPT = """
import json, sys, time
sys.path.insert(0, {root!r})
from inference.fabric import FabricModel
m = FabricModel.load(threads={threads})
t0 = time.perf_counter()
maps = m.generate({kind!r}, {color!r}, 12, {size}, seed=1)
dt = time.perf_counter() - t0
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"seconds": dt, "peak_rss_mb": hwm / 1024, "windows": maps.info["windows"]}}))
"""


def torch_generator(model: FabricModel):
    """The shipped generator's weights in the torch module (export names = state_dict names)."""
    import onnx
    import torch
    from onnx import numpy_helper

    from models.fabric.networks import DetailGenerator, PaddedGraph

    g = PaddedGraph(DetailGenerator()).eval()  # the exported module: its parameters are named g.<name>
    path = artifacts.find(model.card["files"]["generator"]["file"], model.folder)
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(path)).graph.initializer}
    state = g.state_dict()
    missing = [k for k in state if k not in inits]
    if missing:
        raise SystemExit(f"cannot map ONNX weights onto the torch generator (missing {missing[:3]}...)")
    g.load_state_dict({k: torch.as_tensor(inits[k].copy()) for k in state})
    return g


def matmul_ms(repeats: int) -> float:
    a = np.random.default_rng(0).random((2048, 2048), np.float32)
    return median_ms(lambda: a @ a, repeats)


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
    ref_ms = matmul_ms(args.repeats)

    rows, parity = [], 0.0
    for size in args.sizes:
        st, m = model.structure(KIND, COLOR, 12, size, 1), model.margin
        ch, yarn = st.render(-m, -m, size + 2 * m, size + 2 * m)  # one window with the graph's wrapped margin
        nz = noise_rows(1, model.noise_ch, size, -m, size + 2 * m)[:, :, (np.arange(size + 2 * m) - m) % size]
        feed = {"structure": ch[None], "noise": nz[None], "style": model.style(KIND, None, st.px_per_thread)[None]}
        yarn = yarn[m:-m, m:-m]
        targs = [torch.as_tensor(v) for v in feed.values()]
        out = model.generator.run(None, feed)[0]
        with torch.no_grad():
            parity = max(parity, float(np.abs(g(*targs).numpy() - out).max()))
        tone = np.ascontiguousarray(out[0, 0, m:-m, m:-m])

        def eager(targs=targs):
            with torch.no_grad():
                g(*targs)

        t_torch = median_ms(eager, args.repeats)
        steps = [
            ("  structure (numpy)", median_ms(lambda st=st, size=size, m=m: st.render(-m, -m, size + 2 * m,
                                                                                  size + 2 * m), args.repeats)),
            ("  noise (Philox rows)", median_ms(lambda size=size: noise_rows(1, model.noise_ch, size, 0, size),
                                                args.repeats)),
            ("  detail network + normals (onnxruntime)", median_ms(lambda feed=feed: model.generator.run(None, feed),
                                                                   args.repeats)),
            ("  yarn colours (gains + LUT)", median_ms(lambda st=st, tone=tone, yarn=yarn: shade(
                st.palette, tone, yarn, yarn_gains(tone, yarn, st.palette)), args.repeats)),
        ]
        t_engine = median_ms(lambda size=size: model.generate(KIND, COLOR, 12, size, seed=1), args.repeats)
        rows += [(size, "engine: the whole generate()", t_engine), *[(size, n, t) for n, t in steps],
                 (size, "torch eager, detail network (baseline)", t_torch)]

    print(f"fabric engine, {threads} threads, median of {args.repeats} runs; torch weights = ONNX weights "
          f"(max abs diff {parity:.1e}); reference: 2048^2 float32 matmul {ref_ms:.1f} ms")
    print(f"{'size':>6s}  {'step':44s} {'ms':>9s} {'x matmul':>9s}")
    for size, name, ms in rows:
        print(f"{size:6d}  {name:44s} {ms:9.1f} {ms / ref_ms:9.2f}")
    proc = subprocess.run([sys.executable, "-c", BIG_SCRIPT.format(root=str(ROOT), size=args.big, kind=KIND,
                                                                   color=COLOR, threads=args.threads)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"{args.big}: failed: {proc.stderr.strip()[-400:]}")
        return 1
    big = json.loads(proc.stdout.strip().splitlines()[-1])
    ms = big["seconds"] * 1000
    print(f"{args.big:6d}  {'engine, fresh process':44s} {ms:9.1f} {ms / ref_ms:9.2f}   "
          f"peak RSS {big['peak_rss_mb']:.0f} MB ({big['windows']} windows)")
    print("targets: 1024 <= 150 ms (at ~0.1 s per matmul: 1.5 x matmul); 4096 <= 3 s with peak RSS <= 1.5 GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
