"""Render trousers on a heavier body before and after clearance, side by side (the README's picture).

    .venv-bpy45/bin/python tools/render_clearance.py [--out docs/images/clearance_trousers.png] [--samples 24]

Trousers are cut on the average woman, then five sliders move as a drag would leave them (follow off):
the left half is the garment as the binding alone moves it (thighs through the cloth), the right half
after ``body_sync.update_avatar`` has cleared it. Seen from behind, where the crotch seam is pushed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="wardrobe-render-"))
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# isort: off
import bpy  # noqa: E402
import addon_utils  # noqa: E402
# isort: on
from mathutils import Vector  # noqa: E402
from PIL import Image  # noqa: E402

HEAVIER = {"chest": -8.0, "waist": 2.0, "hips": 7.0, "stature": -3.0, "weight": 20.0}
TROUSERS = {"kind": "trousers", "length": 92.0, "ease_waist": 2.0, "ease_hips": 10.0, "flare": 8.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs/images/clearance_trousers.png")
    ap.add_argument("--samples", type=int, default=24)
    args = ap.parse_args()
    bpy.ops.wm.read_homefile(use_empty=True)
    addon_utils.enable("blender_wardrobe", default_set=True, handle_error=None)
    from blender_wardrobe import body_sync, studio

    scene = bpy.context.scene
    assert bpy.ops.wardrobe.add_avatar() == {"FINISHED"}
    avatar = bpy.context.active_object
    avatar.wardrobe.follow = False
    assert bpy.ops.wardrobe.make_garment(**TROUSERS) == {"FINISHED"}
    trousers = bpy.context.active_object
    with body_sync.suspended():
        for name, step in HEAVIER.items():
            setattr(avatar.wardrobe, name, getattr(avatar.wardrobe, name) + step)
    avatar.data.materials.append(studio.skin())
    trousers.data.materials.append(studio.principled("Cloth", (0.1, 0.25, 0.6), 0.6))
    studio.stage(scene, 1.7)
    studio.configure_cycles(scene, args.samples, (500, 700))
    scene.camera.location = (0.0, -3.2, 0.75)
    studio.look_at(scene.camera, Vector((0.0, 0.0, 0.7)))
    halves = []
    with tempfile.TemporaryDirectory() as tmp:
        for cleared in (False, True):
            # the follow alone (what a drag in the UI shows until it pauses), then cleared
            body_sync.update_avatar(avatar, clear=body_sync.NOW if cleared else body_sync.NEVER)
            scene.render.filepath = str(Path(tmp) / f"{cleared}.png")
            bpy.ops.render.render(write_still=True)
            halves.append(Image.open(scene.render.filepath).convert("RGB"))
        w, h = halves[0].size
        pair = Image.new("RGB", (2 * w, h))
        for k, im in enumerate(halves):
            pair.paste(im, (k * w, 0))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        pair.resize((800, 560)).save(args.out, optimize=True)
    print(args.out)


if __name__ == "__main__":
    main()
