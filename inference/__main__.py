"""Command line of the engine: ``python -m inference body ...`` and ``python -m inference fabric ...``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from . import vocabulary


def _body_parser(sub):
    p = sub.add_parser("body", help="make a body from measurements, a scan, or at random")
    p.add_argument("--sex", default="female", choices=("female", "male"))
    for m in vocabulary.MEASUREMENTS:  # flags are the labels users read (--height for stature)
        p.add_argument(f"--{m.key}", dest=m.id, type=float, metavar=m.unit.upper(), help=m.description)
    p.add_argument("--style", type=float, nargs="+", help="body-style values (about -3..3 each)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--random", type=int, metavar="N", help="write N random plausible bodies")
    p.add_argument("--from-scan", type=Path, help="fit a scan mesh of any topology (metres, Z up, A-pose)")
    p.add_argument("--no-refine", action="store_true", help="skip the exact-centimetre refinement")
    p.add_argument("--out", type=Path, required=True, help=".obj file (or folder / prefix with --random)")
    p.add_argument("--model-dir", help="folder with body_model.json and its .onnx files")
    p.add_argument("--provider", default="AUTO")


def _fabric_parser(sub):
    p = sub.add_parser("fabric", help="generate tileable PBR fabric maps")
    p.add_argument("--kind", default="cotton", help="fabric kind (yarn and finish; the weave unless --draft)")
    p.add_argument("--color", default="#5a6e8c", help="main yarn colour, #rrggbb (sRGB) or a yarn name (white, ...)")
    p.add_argument("--threads-per-cm", "--scale", dest="threads_per_cm", type=float, default=None,
                   help="threads (or stitches) per cm; default: the kind's typical density")
    p.add_argument("--draft", help="weave draft: a preset (plain, twill_3_1, satin_8, ...) or rows of '#' (warp "
                                   "up) and '.' (weft up) split by '/', e.g. '##../.##./..##/#..#'")
    p.add_argument("--warp", help="warp colour sequence in cm, e.g. 'navy 0.6, white 0.6' (default: the kind's)")
    p.add_argument("--weft", help="weft colour sequence in cm (default: the kind's)")
    p.add_argument("--roughness", type=float, default=None)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--variations", type=int, default=1, help="N seeds (or N variations of --from-swatch)")
    p.add_argument("--from-swatch", type=Path, help="photo or colour map of a fabric to vary")
    p.add_argument("--swatch-width-cm", type=float, default=None,
                   help="how wide the swatch photo's view is in cm (thread counts per cm are then measured)")
    p.add_argument("--swatch-roughness", type=Path, default=None, help="the swatch's roughness map, if it has one")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--model-dir")
    p.add_argument("--provider", default="AUTO")


def _progress(done: int, total: int):
    if total > 1:
        bar = "#" * int(30 * done / total)
        print(f"\r[{bar:<30}] {done}/{total} windows", end="" if done < total else "\n", file=sys.stderr, flush=True)


def write_maps(folder: Path, maps, params: dict) -> Path:
    """albedo.png, normal.png (OpenGL), roughness.png, height.png (16-bit) and maps.json, atomically."""
    import json
    import os

    try:
        from PIL import Image
    except ImportError as exc:
        raise RuntimeError("writing PNG files needs Pillow: pip install Pillow") from exc
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "albedo.png": Image.fromarray((maps.albedo * 255 + 0.5).astype(np.uint8), "RGB"),
        "normal.png": Image.fromarray(((maps.normal * 0.5 + 0.5) * 255 + 0.5).astype(np.uint8), "RGB"),
        "roughness.png": Image.fromarray((maps.roughness * 255 + 0.5).astype(np.uint8), "L"),
        "height.png": Image.fromarray((maps.height * 65535 + 0.5).astype(np.uint16)),
    }
    for name, img in files.items():
        tmp = folder / f".{name}.tmp"
        img.save(tmp, format="PNG")
        os.replace(tmp, folder / name)
    (folder / "maps.json").write_text(json.dumps({**params, **maps.info}, indent=2) + "\n")
    return folder


def run_fabric(args) -> int:
    from .fabric import FabricInputError, FabricModel
    from .onnx_model import ModelError

    try:
        model = FabricModel.load(args.model_dir, args.provider)
        params = {"kind": args.kind, "color": args.color, "threads_per_cm": args.threads_per_cm,
                  "roughness": args.roughness, "size": args.size, "draft": args.draft, "warp": args.warp,
                  "weft": args.weft}
        if args.from_swatch:
            from PIL import Image

            try:
                photo = np.asarray(Image.open(args.from_swatch).convert("RGB"))
            except (OSError, Image.DecompressionBombError) as exc:  # a folder, not an image, truncated, enormous
                raise FabricInputError(f"cannot read the swatch {args.from_swatch}: {exc}. Give a PNG or JPEG "
                                       "photo of the fabric") from exc
            rough = None
            if args.swatch_roughness:
                try:
                    rough = np.asarray(Image.open(args.swatch_roughness).convert("L"))
                except OSError as exc:
                    raise FabricInputError(f"cannot read the roughness map {args.swatch_roughness}: {exc}") from exc
            reading = model.read_swatch(photo, args.swatch_width_cm, rough)
            print(f"swatch read as {reading.kind} ({reading.draft or reading.family}), "
                  f"{reading.threads_per_cm:.1f} x {reading.picks_per_cm:.1f} threads/cm, yarns {reading.warp} / "
                  f"{reading.weft}, roughness {reading.roughness:.2f}")
            for note in reading.notes:
                print(f"  note: {note}")
            results = model.variations_of(reading, args.variations, args.size, args.seed)
            params = dict(reading.request(), size=args.size, swatch_photo=str(args.from_swatch),
                          notes=list(reading.notes))
        else:
            results = [model.generate(args.kind, args.color, args.threads_per_cm, args.size, args.seed + i,
                                      args.roughness, progress=_progress, draft=args.draft, warp=args.warp,
                                      weft=args.weft) for i in range(args.variations)]
        for i, maps in enumerate(results):
            folder = args.out if len(results) == 1 else args.out / f"variation_{i:02d}"
            write_maps(folder, maps, params)
            print(f"{folder}: {maps.info['provider']}, {maps.info['seconds']:.2f} s")
        return 0
    except (FabricInputError, ModelError, FileNotFoundError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _table(requested: dict, achieved: dict) -> str:
    from .body import SLIDERS

    rows = ["| measurement | requested | achieved | diff |", "|---|---|---|---|"]
    names = [n for n in SLIDERS if n in achieved] + [n for n in achieved if n not in SLIDERS]
    for n in names:
        req = requested.get(n)
        a = achieved[n]
        rows.append(f"| {n} | {'' if req is None else f'{req:.1f}'} | {a:.1f} | "
                    f"{'' if req is None else f'{a - req:+.2f}'} |")
    return "\n".join(rows)


def run_body(args) -> int:
    from .body import BodyInputError, BodyModel
    from .mesh import MeshError, load_template
    from .obj_io import read_points, write_obj
    from .onnx_model import ModelError

    try:
        model = BodyModel.load(args.model_dir, args.provider)
        template = load_template("body", args.model_dir)
        t0 = time.perf_counter()
        if args.random:
            out = args.out
            results = model.random(args.random, args.sex, args.seed, refine=True)
            for i, res in enumerate(results):
                path = write_obj(out / f"body_{i:03d}.obj" if out.suffix != ".obj" else
                                 out.with_name(f"{out.stem}_{i:03d}.obj"), res.vertices, template)
                m = res.achieved
                print(f"{path}: stature {m['stature']:.1f} chest {m['chest']:.1f} waist {m['waist']:.1f} "
                      f"hips {m['hips']:.1f} weight {m['weight']:.1f}")
            return 0
        if args.from_scan:
            fit = model.fit_scan(read_points(args.from_scan), None)
            write_obj(args.out, fit.result.vertices, template)
            print(f"fitted {args.from_scan} ({fit.result.sex}): mean distance {fit.residual_mm:.1f} mm, "
                  f"P95 {fit.p95_mm:.1f} mm, {time.perf_counter() - t0:.2f} s")
            print(_table({}, fit.result.achieved))
            print(args.out)
            return 0
        req = {m.id: getattr(args, m.id) for m in vocabulary.MEASUREMENTS}
        res = model.body(req, args.sex, args.style, refine=not args.no_refine)
        for w in res.warnings:
            print(f"warning: {w}", file=sys.stderr)
        write_obj(args.out, res.vertices, template)
        print(_table(res.requested, res.achieved | model.measure(res.vertices)))
        print(f"{model.provider_used}, {time.perf_counter() - t0:.2f} s")
        print(args.out)
        return 0
    except (BodyInputError, MeshError, ModelError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inference", description="Blender Wardrobe engine")
    sub = parser.add_subparsers(dest="command", required=True)
    _body_parser(sub)
    _fabric_parser(sub)
    args = parser.parse_args(argv)
    np.set_printoptions(precision=3, suppress=True)
    if args.command == "body":
        return run_body(args)
    if args.command == "fabric":
        return run_fabric(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
