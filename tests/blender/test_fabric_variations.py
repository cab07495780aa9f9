"""Variations: seed previews to pick from, and tileable variations of a swatch photo."""

import bpy
import numpy as np
import pytest
from fabric_helpers import small_settings, snapshot, uv_plane


def _swatch_png(path, size=96):
    """A striped 'photo' written by Blender itself."""
    img = bpy.data.images.new("swatch", size, size)
    x = np.arange(size)
    stripes = ((x // 6) % 2).astype(np.float32)
    rgba = np.ones((size, size, 4), np.float32)
    rgba[..., 0] = 0.2 + 0.6 * stripes[None, :]
    rgba[..., 1] = 0.15
    rgba[..., 2] = 0.1 + 0.2 * stripes[None, :]
    img.pixels.foreach_set(rgba.ravel())
    img.filepath_raw = str(path)
    img.file_format = "PNG"
    img.save()
    bpy.data.images.remove(img)
    return str(path)


def test_seed_variations_become_previews_and_picking_sets_the_seed(addon):
    s = small_settings("jersey")
    s.variations, s.seed = 3, 10
    assert bpy.ops.wardrobe.fabric_variations() == {"FINISHED"}
    items = addon.operators.variations.variation_items(None, bpy.context)
    assert [i[0] for i in items] == ["seed_10", "seed_11", "seed_12"]
    pcoll = addon.operators.variations._collection()
    px = np.empty(128 * 128 * 4, np.float32)
    pcoll["seed_11"].image_pixels_float.foreach_get(px)
    assert tuple(pcoll["seed_11"].image_size) == (128, 128) and px.reshape(-1, 4)[:, :3].std() > 0.005
    bpy.context.window_manager.wardrobe_variation = "seed_12"
    assert s.seed == 12


def test_swatch_variations_set_the_panel_to_what_the_photo_shows(addon, tmp_path):
    s = small_settings("cotton")
    s.swatch_path = _swatch_png(tmp_path / "swatch.png")
    s.variations = 2
    before_images = sorted(i.name for i in bpy.data.images)
    assert bpy.ops.wardrobe.fabric_variations() == {"FINISHED"}
    assert sorted(i.name for i in bpy.data.images) == before_images  # the photo was read, not kept
    model = addon.model_cache.fabric_model(bpy.context)
    guess = model.read_swatch(addon.operators.variations.read_swatch(s.swatch_path))
    assert s.kind == guess.kind and s.threads_per_cm == pytest.approx(guess.threads_per_cm, rel=1e-5)
    assert s.roughness == pytest.approx(guess.roughness, abs=1e-5) and s.draft == "KIND"
    assert addon.color_management.to_srgb(s.color) == pytest.approx(guess.color, abs=1e-4)
    obj = uv_plane()  # Generate Fabric now makes the fabric the previews showed
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    img = obj.active_material.node_tree.nodes["Fabric albedo"].image
    px = np.empty(256 * 256 * 4, np.float32)
    img.pixels.foreach_get(px)
    ref = model.generate(guess.kind, addon.color_management.to_srgb(s.color), s.threads_per_cm, 256, s.seed,
                         s.roughness)
    np.testing.assert_allclose(px.reshape(256, 256, 4)[::-1, :, :3], ref.albedo, atol=1 / 255 + 1e-6)


@pytest.mark.parametrize("content", [None, b"this is not an image"])
def test_unreadable_swatch_is_refused(addon, tmp_path, content):
    s = small_settings()
    path = tmp_path / "swatch.png"
    if content is not None:
        path.write_bytes(content)
    s.swatch_path = str(path)
    before = snapshot()
    with pytest.raises(RuntimeError, match="swatch"):
        bpy.ops.wardrobe.fabric_variations()
    assert snapshot() == before
