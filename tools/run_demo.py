"""Run the add-on's demo job with the bpy module: enable the add-on, render, print the PNG path.

    python tools/run_demo.py [--out renders/demo.png] [demo options...]

Equivalent to `blender -b -c wardrobe demo --out ...` with the extension installed.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    # Keep Blender from writing preferences into ~/.config.
    os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="wardrobe-demo-"))
    sys.path.insert(0, str(ROOT))
    # isort: off
    import bpy  # noqa: F401  (must come first: it puts addon_utils on sys.path)
    import addon_utils
    # isort: on

    if addon_utils.enable("blender_wardrobe", default_set=True, handle_error=None) is None:
        print("error: could not enable the blender_wardrobe add-on", file=sys.stderr)
        return 1
    from blender_wardrobe import cli

    if "--out" not in argv:
        argv = [*argv, "--out", str(ROOT / "renders" / "demo.png")]
    return cli.execute(["demo", *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
