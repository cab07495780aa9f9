"""The README's main job: the demo scene rendered with Cycles on the CPU."""

import bpy
import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_demo_renders_the_avatar(addon, tmp_path, capsys):
    out = tmp_path / "demo.png"
    assert addon.cli.execute(["demo", "--out", str(out), "--samples", "4", "--resolution", "96", "144",
                              "--drape-frames", "4", "--fabric-size", "256"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(out)
    img = bpy.data.images.load(str(out))
    assert tuple(img.size) == (96, 144)
    px = np.array(img.pixels[:], np.float32).reshape(144, 96, 4)[..., :3]
    # The avatar stands in the middle of the frame: its pixels differ from the image border's.
    centre, border = px[40:100, 38:58].mean(axis=(0, 1)), px[:10, :].mean(axis=(0, 1))
    assert np.abs(centre - border).max() > 0.05
    names = {o.name for o in bpy.data.objects}
    assert {"Wardrobe Avatar", "Wardrobe Avatar Dress", "Camera"} <= names
    dress = bpy.data.objects["Wardrobe Avatar Dress"]
    assert "Wardrobe Drape" in dress.data.shape_keys.key_blocks  # the showcase dress is draped


def test_demo_refuses_unwritable_output(addon, tmp_path, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    n_objects = len(bpy.data.objects)
    assert addon.cli.execute(["demo", "--out", str(blocker / "renders" / "x.png")]) == 1
    err = capsys.readouterr().err
    assert "cannot create the output folder" in err and "--out" in err
    assert len(bpy.data.objects) == n_objects  # refused before touching the scene


def test_demo_refuses_non_png(addon, tmp_path, capsys):
    assert addon.cli.execute(["demo", "--out", str(tmp_path / "x.jpg")]) == 1
    assert ".png" in capsys.readouterr().err
