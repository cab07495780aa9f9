"""`blender -c wardrobe ...`: the add-on's command line (registered with register_cli_command)."""

import argparse
import sys

import bpy

from . import choices, color_management, demo_scene, dependencies, engine
from .engine import color, mesh, runtime, vocabulary

COMMAND = "wardrobe"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blender -c wardrobe", description="Blender Wardrobe: fabrics and body shapes, headless."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help="build the demo scene (avatar + garment) and render a PNG with Cycles")
    demo.add_argument("--out", required=True, help="PNG file to write")
    demo.add_argument("--samples", type=int, default=32, help="Cycles samples (default 32)")
    demo.add_argument("--resolution", type=int, nargs=2, default=(480, 720), metavar=("W", "H"))
    demo.add_argument("--garment", choices=(*vocabulary.GARMENT_IDS, *demo_scene.PATTERN_DEMOS, "none"),
                      default="a_line_dress", help="a made-to-measure garment preset (default a_line_dress), a "
                      "helper garment (tights, skirt) or none")
    demo.add_argument("--drape-frames", type=int, default=30,
                      help="cloth simulation frames for a made-to-measure garment (0: no drape; default 30)")
    demo.add_argument("--save-blend", help="also save the scene to this .blend")
    demo.add_argument("--fabric", choices=(*choices.FABRIC_KIND_IDS, "none"), default="silk",
                      help="fabric generated for the garment (default silk)")
    demo.add_argument("--color", type=_hex_color, help="fabric colour as #rrggbb")
    demo.add_argument("--fabric-size", type=int, default=512, help="fabric tile in pixels (32 px per cm)")
    demo.add_argument("--fabric-seed", type=int, default=0)
    demo.add_argument("--sex", choices=("female", "male"), default="female")
    demo.add_argument("--body-seed", type=int, default=7, help="seed of the random body (default 7)")
    demo.add_argument("--average-body", action="store_true", help="start from the average body, not a random one")
    demo.add_argument("--measure", action="append", default=[], metavar="NAME=VALUE",
                      help=f"body measurement in cm/kg, e.g. --measure chest=104 ({' '.join(vocabulary.USER_KEYS)}); "
                           "repeatable")
    sub.add_parser("info", help="print versions, onnxruntime providers and the template asset")
    sub.add_parser("batch", help="render fabrics x bodies from a batch spec (TOML); batch --help for options",
                   add_help=False)
    return parser


def _hex_color(text: str):
    """'#rrggbb' (sRGB) -> the value of a colour property (the file's working space)."""
    try:
        return color_management.from_srgb(text)
    except color.ColorError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a colour: use #rrggbb, e.g. #2b4a6f") from None


def _measurements(items) -> dict:
    out = {}
    for item in items:
        word, _, value = item.partition("=")
        name = vocabulary.measurement_id(word)  # height (what users read) or stature (ANSUR's id)
        if name is None:
            raise ValueError(f"unknown measurement '{word}' in --measure {item}: use one of "
                             f"{', '.join(vocabulary.USER_KEYS)}")
        try:
            out[name] = float(value)
        except ValueError:
            raise ValueError(f"--measure {item}: '{value}' is not a number") from None
    return out


def _info() -> int:
    print(f"Blender {bpy.app.version_string}, engine {engine.__version__}")
    print(runtime.status().message)
    card = mesh.template_card()
    print(f"template avatar: {card['parts']['body']['vertices']} vertices, stature {card['stature_m']} m")
    print(f"  {card['attribution']}")
    return 0


def _demo(args) -> int:
    problem = dependencies.problem()
    if problem:
        print(f"warning: {problem}", file=sys.stderr)
    try:
        path = demo_scene.run(
            args.out,
            samples=args.samples,
            resolution=tuple(args.resolution),
            garment=None if args.garment == "none" else args.garment,
            drape_frames=args.drape_frames,
            save_blend=args.save_blend,
            fabric=args.fabric,
            color=args.color,
            fabric_size=args.fabric_size,
            fabric_seed=args.fabric_seed,
            body_seed=None if args.average_body else args.body_seed,
            sex=args.sex,
            measurements=_measurements(args.measure),
        )
    except (demo_scene.DemoError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def run_batch(argv, prog: str = "blender -c wardrobe batch") -> int:
    """A headless batch (see ``batch``); also what ``batch/run_script.py`` calls on the enabled add-on."""
    from . import batch  # loads bpy-side batch code only when a batch runs

    return batch.main(argv, prog=prog)


def execute(argv) -> int:
    """Entry point for `blender -c wardrobe`; returns the process exit code."""
    argv = list(argv)
    if argv[:1] == ["batch"]:  # its own parser (shared with python -m blender_wardrobe.batch)
        return run_batch(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help or a usage error: argparse already printed why
        return int(exc.code or 0)
    if args.command == "demo":
        return _demo(args)
    if args.command == "info":
        return _info()
    parser.print_help()
    return 0
