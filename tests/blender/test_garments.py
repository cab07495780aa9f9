"""Make Garment, Measure Fit and Drape through the real operators."""

import bpy
import numpy as np
import pytest


def _avatar():
    assert bpy.ops.wardrobe.add_avatar() == {"FINISHED"}
    return bpy.context.active_object


def _key(obj, name):
    kb = obj.data.shape_keys.key_blocks[name]
    co = np.empty(len(obj.data.vertices) * 3, np.float32)
    kb.points.foreach_get("co", co)
    return co.reshape(-1, 3)


def test_make_garment_is_cut_bound_and_measured(addon):
    avatar = _avatar()
    assert bpy.ops.wardrobe.make_garment(kind="dress", length=50.0, flare=40.0, ease_chest=8.0) == {"FINISHED"}
    dress = bpy.context.active_object
    s = dress.wardrobe
    assert s.role == "GARMENT" and s.avatar == avatar and s.binding == "SURFACE" and dress.parent == avatar
    assert dress.data.uv_layers.active is not None and "Wardrobe Pin" in dress.vertex_groups
    assert "ease chest +8.0 cm" in s.fit_report
    assert set(dress["wardrobe_pieces"]) == {"front", "back"}
    before = _key(dress, "Wardrobe Body").copy()
    avatar.wardrobe.hips = avatar.wardrobe.hips + 8.0  # the garment follows the body
    after = _key(dress, "Wardrobe Body")
    assert np.abs(after - before).max() > 0.005
    assert bpy.ops.wardrobe.garment_fit() == {"FINISHED"}
    assert "ease" in s.fit_report


def test_make_garment_bad_input_leaves_the_scene_as_it_was(addon):
    _avatar()
    n = len(bpy.data.objects)
    with pytest.raises(RuntimeError, match="above the crotch"):  # the operator reports the fix, then cancels
        bpy.ops.wardrobe.make_garment(kind="trousers", length=10.0)
    assert len(bpy.data.objects) == n


def test_make_garment_needs_an_avatar(addon):
    bpy.ops.mesh.primitive_cube_add()
    assert not bpy.ops.wardrobe.make_garment.poll()
    with pytest.raises(RuntimeError, match="avatar"):
        bpy.ops.wardrobe.make_garment()


def test_drape_bakes_folds_to_a_key_and_cleans_up(addon):
    avatar = _avatar()
    assert bpy.ops.wardrobe.make_garment(kind="dress", length=45.0, flare=80.0) == {"FINISHED"}
    dress = bpy.context.active_object
    frame = bpy.context.scene.frame_current
    assert bpy.ops.wardrobe.drape(frames=6, fabric="silk") == {"FINISHED"}
    keys = dress.data.shape_keys.key_blocks
    assert "Wardrobe Drape" in keys and keys["Wardrobe Drape"].relative_key == keys["Wardrobe Body"]
    moved = np.linalg.norm(_key(dress, "Wardrobe Drape") - _key(dress, "Wardrobe Body"), axis=1)
    assert moved.max() > 0.002  # the cloth fell
    assert not dress.modifiers and not avatar.modifiers  # cloth and collider removed
    assert bpy.context.scene.frame_current == frame
    # Drape again: the old key is replaced, not stacked.
    assert bpy.ops.wardrobe.drape(frames=3, fabric="denim") == {"FINISHED"}
    assert [k.name for k in dress.data.shape_keys.key_blocks].count("Wardrobe Drape") == 1


def test_drape_needs_a_garment(addon):
    _avatar()
    assert not bpy.ops.wardrobe.drape.poll()
