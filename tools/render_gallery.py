"""Render the README gallery: made-to-measure garments in four generated fabrics on two bodies, draped,
through the demo job, as one image.

    .venv/bin/python tools/render_gallery.py [--out docs/images/gallery.png] [--samples 24]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="wardrobe-gallery-"))
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# isort: off
import bpy  # noqa: E402,F401  (must come first: it puts addon_utils on sys.path)
import addon_utils  # noqa: E402
# isort: on
from PIL import Image, ImageDraw  # noqa: E402

FABRICS = [("silk", "#5c1029", "a_line_dress"), ("jersey", "#3b6e8f", "t_shirt"), ("denim", "#243a5e", "trousers"),
           ("plaid", "#8a2b2b", "sheath_dress")]
BODIES = [("female", ["--body-seed", "3"], "random body, seed 3"),
          ("male", ["--average-body", "--measure", "chest=112", "--measure", "waist=104", "--measure", "weight=98"],
           "chest 112, waist 104 cm, 98 kg")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "gallery.png")
    ap.add_argument("--samples", type=int, default=24)
    ap.add_argument("--resolution", type=int, nargs=2, default=(300, 450))
    args = ap.parse_args(argv)
    if addon_utils.enable("blender_wardrobe", default_set=True, handle_error=None) is None:
        print("error: could not enable the blender_wardrobe add-on", file=sys.stderr)
        return 1
    from blender_wardrobe import cli

    tmp = Path(tempfile.mkdtemp(prefix="wardrobe-gallery-"))
    w, h = args.resolution
    sheet = Image.new("RGB", (w * len(FABRICS), (h + 22) * len(BODIES)), "white")
    draw = ImageDraw.Draw(sheet)
    for r, (sex, body_args, body_label) in enumerate(BODIES):
        for c, (kind, color, garment) in enumerate(FABRICS):
            png = tmp / f"{sex}_{kind}.png"
            rc = cli.execute(["demo", "--out", str(png), "--samples", str(args.samples), "--resolution", str(w), str(h),
                              "--garment", garment, "--fabric", kind, "--color", color, "--sex", sex, *body_args])
            if rc != 0:
                return rc
            sheet.paste(Image.open(png).convert("RGB"), (c * w, r * (h + 22) + 22))
            draw.text((c * w + 6, r * (h + 22) + 5), f"{kind} {color} / {sex}: {body_label}", fill="black")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out)
    print(args.out)
    sys.stdout.flush()
    os._exit(0)  # bpy < 4.4 can crash at interpreter exit (blender#125376)


if __name__ == "__main__":
    raise SystemExit(main())
