"""Add Wardrobe Avatar and demo garments, through the real operators."""

import bpy
import numpy as np
import pytest


def _avatar():
    assert bpy.ops.wardrobe.add_avatar() == {"FINISHED"}
    return bpy.context.active_object


def test_avatar_mesh_uvs_and_height(addon):
    obj = _avatar()
    me = obj.data
    assert obj.name == "Wardrobe Avatar" and obj.wardrobe.role == "AVATAR"
    assert len(me.vertices) == 13380 and len(me.polygons) == 13378
    assert [uv.name for uv in me.uv_layers] == ["UVMap"] and len(me.uv_layers[0].data) == len(me.loops)
    card = addon.engine.mesh.template_card()
    co = np.empty(len(me.vertices) * 3, np.float32)
    me.vertices.foreach_get("co", co)
    height = np.ptp(co.reshape(-1, 3)[:, 2])
    assert abs(height - card["stature_m"]) < 0.01  # within 1 cm of the template height
    # What the viewport shows is the model's average body (the managed shape key), at the slider height.
    assert abs(obj.dimensions.z * 100 - obj.wardrobe.stature) < 0.5
    assert obj.select_get() and bpy.context.view_layer.objects.active == obj


def test_avatar_uvs_match_the_engine_template(addon):
    me = _avatar().data
    uv = np.empty(len(me.loops) * 2, np.float32)
    me.uv_layers[0].data.foreach_get("uv", uv)
    template = addon.engine.mesh.load_template("body")
    np.testing.assert_allclose(uv.reshape(-1, 2), template.loop_uv, atol=1e-6)
    lv = np.empty(len(me.loops), np.int32)
    me.loops.foreach_get("vertex_index", lv)
    np.testing.assert_array_equal(lv, template.loop_vertex)


def test_avatar_is_placed_at_the_3d_cursor(addon):
    bpy.context.scene.cursor.location = (1.0, 2.0, 0.5)
    assert tuple(_avatar().location) == pytest.approx((1.0, 2.0, 0.5))


@pytest.mark.parametrize("part", ["tights", "skirt"])
def test_garment_is_parented_and_marked(addon, part):
    avatar = _avatar()
    assert bpy.ops.wardrobe.add_garment(part=part) == {"FINISHED"}
    garment = bpy.context.active_object
    assert garment.parent == avatar and garment.wardrobe.role == "GARMENT" and garment.wardrobe.avatar == avatar
    assert len(garment.data.uv_layers) == 1 and len(garment.data.vertices) > 100


def test_garment_needs_an_avatar(addon):
    assert not bpy.ops.wardrobe.add_garment.poll()


def test_undo_removes_the_avatar(addon):
    # bpy as a module has no undo stack in background mode; the operator must at least be undoable.
    assert "UNDO" in bpy.types.WARDROBE_OT_add_avatar.bl_options


def test_missing_template_reports_and_leaves_scene_unchanged(addon, monkeypatch, tmp_path):
    monkeypatch.setattr(addon.engine.artifacts, "SHIPPED_CANDIDATES", (tmp_path / "gone",))
    monkeypatch.delenv(addon.engine.artifacts.ENV_VAR, raising=False)
    n_objects, n_meshes = len(bpy.data.objects), len(bpy.data.meshes)
    with pytest.raises(RuntimeError, match="template_avatar.npz.*not found"):
        bpy.ops.wardrobe.add_avatar()  # in background mode an ERROR report raises
    assert (len(bpy.data.objects), len(bpy.data.meshes)) == (n_objects, n_meshes)


def test_user_model_folder_preference_is_searched_first(addon, tmp_path):
    import shutil

    src = addon.engine.artifacts.shipped_dir()
    for name in ("template_avatar.npz", "template_avatar.json"):
        shutil.copy(src / name, tmp_path / name)
    prefs = bpy.context.preferences.addons["blender_wardrobe"].preferences
    prefs.user_model_dir = str(tmp_path)
    assert addon.preferences.user_model_dir() == str(tmp_path)
    assert addon.engine.artifacts.find("template_avatar.npz", str(tmp_path)).parent == tmp_path
    assert _avatar() is not None
