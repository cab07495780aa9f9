"""`blender -c wardrobe ...`: the add-on's command line (registered with register_cli_command)."""

import argparse
import sys

import bpy

from . import demo_scene, dependencies
from .engine import inference, mesh, runtime

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
    demo.add_argument("--garment", choices=("tights", "skirt", "none"), default="skirt")
    demo.add_argument("--save-blend", help="also save the scene to this .blend")
    sub.add_parser("info", help="print versions, onnxruntime providers and the template asset")
    return parser


def _info() -> int:
    print(f"Blender {bpy.app.version_string}, engine {inference.__version__}")
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
            save_blend=args.save_blend,
        )
    except demo_scene.DemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def execute(argv) -> int:
    """Entry point for `blender -c wardrobe`; returns the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # --help or a usage error: argparse already printed why
        return int(exc.code or 0)
    if args.command == "demo":
        return _demo(args)
    if args.command == "info":
        return _info()
    parser.print_help()
    return 0
