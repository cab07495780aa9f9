"""Variations: seed previews to pick from, and tileable variations of a swatch photo."""

import bpy
import numpy as np
import pytest
from fabric_helpers import small_settings, snapshot, uv_plane


def _swatch_png(addon, path, size=192):
    """A 'photo' of gingham (6 px threads, 0.3 cm checks = 4 threads), made by the engine, saved by Blender."""
    model = addon.model_cache.fabric_model(bpy.context)
    albedo = model.generate("gingham", "#a02820", None, size, 7, px_per_thread=6.0).albedo
    img = bpy.data.images.new("swatch", size, size)
    rgba = np.ones((size, size, 4), np.float32)
    rgba[..., :3] = albedo[::-1]  # a byte image holds the file's sRGB values; Blender's rows run bottom-up
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
    s.swatch_path = _swatch_png(addon, tmp_path / "swatch.png")
    s.variations = 2
    before_images = sorted(i.name for i in bpy.data.images)
    assert bpy.ops.wardrobe.fabric_variations() == {"FINISHED"}
    assert sorted(i.name for i in bpy.data.images) == before_images  # the photo was read, not kept
    model = addon.model_cache.fabric_model(bpy.context)
    reading = model.read_swatch(addon.operators.variations.read_swatch(s.swatch_path))
    assert s.kind == reading.kind and s.threads_per_cm == pytest.approx(reading.threads_per_cm, rel=1e-5)
    assert s.roughness == pytest.approx(reading.roughness, abs=1e-5)
    assert (s.draft, s.draft_text.replace("/", "\n")) == ("CUSTOM", reading.draft_rows)
    assert (s.warp_colors, s.weft_colors) == (reading.warp, reading.weft) and "," in s.warp_colors  # the stripes
    assert addon.color_management.to_srgb(s.color) == pytest.approx(reading.color, abs=1e-4)
    assert reading.kind in s.swatch_report
    obj = uv_plane()  # Generate Fabric now makes the fabric the previews showed
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    img = obj.active_material.node_tree.nodes["Fabric albedo"].image
    px = np.empty(256 * 256 * 4, np.float32)
    img.pixels.foreach_get(px)
    weave = addon.operators.generate_fabric.weave_request(s)
    ref = model.generate(reading.kind, addon.color_management.to_srgb(s.color), s.threads_per_cm, 256, s.seed,
                         s.roughness, **weave)
    np.testing.assert_allclose(px.reshape(256, 256, 4)[::-1, :, :3], ref.albedo, atol=1 / 255 + 1e-6)


def test_swatch_roughness_map_and_width_are_used(addon, tmp_path):
    s = small_settings("cotton")
    s.swatch_path = _swatch_png(addon, tmp_path / "swatch.png")
    img = bpy.data.images.new("rough", 192, 192)
    grey = np.ones((192, 192, 4), np.float32)
    grey[..., :3] = 0.3  # a byte image holds file values; alpha 1 (Blender premultiplies)
    img.pixels.foreach_set(grey.ravel())
    img.filepath_raw, img.file_format = str(tmp_path / "rough.png"), "PNG"
    img.save()
    bpy.data.images.remove(img)
    s.swatch_roughness_path, s.swatch_width_cm, s.variations = str(tmp_path / "rough.png"), 4.0, 1
    assert bpy.ops.wardrobe.fabric_variations() == {"FINISHED"}
    assert s.roughness == pytest.approx(0.3, abs=0.01)
    assert s.threads_per_cm == pytest.approx(192 / 6.0 / 4.0, rel=0.05)  # 32 threads across 4 cm


def test_swatch_previews_are_made_at_the_photos_scale(addon, tmp_path):
    s = small_settings("cotton")
    s.swatch_path = _swatch_png(addon, tmp_path / "swatch.png")
    s.variations = 1
    assert bpy.ops.wardrobe.fabric_variations() == {"FINISHED"}
    name = addon.operators.variations.variation_items(None, bpy.context)[0][0]
    px = np.empty(128 * 128 * 4, np.float32)
    addon.operators.variations._collection()[name].image_pixels_float.foreach_get(px)
    green = px.reshape(128, 128, 4)[:, :, 1].mean(0)  # white checks are green-bright, the red ones not
    spectrum = np.abs(np.fft.rfft(green - green.mean()))
    assert int(np.argmax(spectrum[1:])) + 1 in (2, 3)  # a 48 px check repeat (8 threads of 6 px), as in the photo


@pytest.mark.parametrize("content", [None, b"this is not an image", "flat", "tiny"])
def test_unreadable_swatch_is_refused(addon, tmp_path, content):
    s = small_settings()
    path = tmp_path / "swatch.png"
    if content in ("flat", "tiny"):  # an image, but no fabric to read in it
        img = bpy.data.images.new("swatch", 40 if content == "tiny" else 96, 96)
        img.filepath_raw, img.file_format = str(path), "PNG"
        img.save()
        bpy.data.images.remove(img)
    elif content is not None:
        path.write_bytes(content)
    s.swatch_path = str(path)
    before = snapshot()
    with pytest.raises(RuntimeError, match="swatch"):
        bpy.ops.wardrobe.fabric_variations()
    assert snapshot() == before


def test_api_makes_fabric_from_a_swatch_and_leaves_the_panel_on_failure(addon, tmp_path):
    from blender_wardrobe import api

    s = small_settings("denim")
    photo = _swatch_png(addon, tmp_path / "swatch.png")
    obj = uv_plane()
    mat = api.fabric_from_swatch(obj, photo, width_cm=4.0, size=256)
    assert obj.active_material == mat and s.kind == "cotton" and s.draft == "CUSTOM" and "," in s.warp_colors
    assert s.threads_per_cm == pytest.approx(8.0, rel=0.05)  # 32 threads across 4 cm
    with pytest.raises(api.WardrobeError, match="does not exist"):
        api.fabric_from_swatch(obj, str(tmp_path / "missing.png"))
    assert s.swatch_path == photo and s.swatch_width_cm == 4.0 and obj.active_material == mat
