"""Slider semantics users expect (follow, locks, live Match Exactly, feet on the floor) and bind robustness."""

import shutil

import bpy
import numpy as np
import pytest
from bpy_helpers import SLIDERS
from bpy_helpers import key_co as _key_co


def _avatar():
    assert bpy.ops.wardrobe.add_avatar() == {"FINISHED"}
    return bpy.context.active_object


def _foreign_avatar_mesh(name="Scan Avatar"):
    """The template body as a separate mesh of another topology (subdivided), not yet bound."""
    template = _avatar()
    me = template.data.copy()
    obj = bpy.data.objects.new(name, me)
    bpy.context.collection.objects.link(obj)
    obj.shape_key_clear()
    obj.wardrobe.role, obj.wardrobe.binding = "NONE", "NONE"
    bpy.data.objects.remove(template)
    bpy.context.view_layer.objects.active = obj
    obj.select_set(True)
    return obj


def test_height_drag_moves_the_unlocked_sliders_and_marks_them_typical(addon):
    avatar = _avatar()
    s = avatar.wardrobe
    s.locked[SLIDERS.index("waist")] = True
    before = {n: getattr(s, n) for n in SLIDERS}
    for h in np.linspace(before["stature"], 178.0, 6)[1:]:
        s.stature = float(h)
    assert s.stature == pytest.approx(178.0)
    assert s.waist == pytest.approx(before["waist"])  # locked
    assert s.inseam > before["inseam"] + 4 and s.weight > before["weight"]  # typical for that height
    assert s.inferred[SLIDERS.index("inseam")] and not s.inferred[SLIDERS.index("stature")]
    assert not s.inferred[SLIDERS.index("waist")]
    assert "could not" not in s.body_message and "failed" not in s.body_message
    s.chest = 99.0  # the user's own value is no longer marked typical
    assert not s.inferred[SLIDERS.index("chest")]


def test_follow_off_moves_only_the_slider(addon):
    avatar = _avatar()
    s = avatar.wardrobe
    s.follow = False
    before = {n: getattr(s, n) for n in SLIDERS}
    s.stature = 180.0
    assert all(getattr(s, n) == pytest.approx(before[n]) for n in SLIDERS if n != "stature")


def test_live_match_exactly_meets_the_sliders_and_stands_on_the_floor(addon):
    avatar = _avatar()
    s = avatar.wardrobe
    s.match_exactly = True
    s.chest = 97.0
    shaper = addon.model_cache.body_shaper(bpy.context)
    got = shaper.model.measurer.slider_values(_key_co(avatar))
    want = np.array([getattr(s, n) for n in SLIDERS])
    assert np.abs(got - want).max() < 0.1  # cm / kg
    assert abs(_key_co(avatar)[:, 2].min()) < 1e-3  # feet on z = 0 within 1 mm


def test_a_slider_moved_in_edit_mode_is_not_lost_and_says_so(addon):
    avatar = _avatar()
    before = _key_co(avatar).copy()
    bpy.ops.object.mode_set(mode="EDIT")
    avatar.wardrobe.chest = 104.0
    assert "Edit Mode" in avatar.wardrobe.body_message
    bpy.ops.object.mode_set(mode="OBJECT")
    np.testing.assert_array_equal(_key_co(avatar), before)
    avatar.wardrobe.chest = 104.5  # back in Object Mode the next change applies
    assert np.abs(_key_co(avatar) - before).max() > 1e-3 and "Edit Mode" not in avatar.wardrobe.body_message


def test_an_edited_basis_is_kept_in_the_body_key(addon):
    avatar = _avatar()
    basis = avatar.data.shape_keys.key_blocks["Basis"]
    old = basis.data[0].co.copy()
    basis.data[0].co = (old[0] + 0.02, old[1], old[2])
    shaper = addon.model_cache.body_shaper(bpy.context)
    avatar.wardrobe.chest = 101.0
    cond, _ = shaper.condition({n: getattr(avatar.wardrobe, n) for n in SLIDERS}, avatar.wardrobe.sex)
    body = shaper.decode(cond, np.zeros(shaper.latent, np.float32))
    assert _key_co(avatar)[0, 0] - body[0, 0] == pytest.approx(0.02, abs=1e-5)


def test_a_garment_subdivided_after_binding_asks_to_bind_again(addon):
    avatar = _avatar()
    assert bpy.ops.wardrobe.add_garment(part="skirt") == {"FINISHED"}
    skirt = bpy.context.active_object
    bpy.ops.object.mode_set(mode="EDIT")
    bpy.ops.mesh.select_all(action="SELECT")
    bpy.ops.mesh.subdivide(number_cuts=1)
    bpy.ops.object.mode_set(mode="OBJECT")
    before = _key_co(avatar).copy()
    avatar.wardrobe.chest = 103.0
    assert "bind it again" in avatar.wardrobe.body_message and skirt.name in avatar.wardrobe.body_message
    np.testing.assert_array_equal(_key_co(avatar), before)  # nothing half-written


@pytest.mark.parametrize("scale, rotate, match", [(100.0, False, "centimetres"), (1.0, True, "lies along Y")])
def test_an_avatar_in_centimetres_or_y_up_is_refused(addon, scale, rotate, match):
    obj = _foreign_avatar_mesh()
    co = np.empty(len(obj.data.vertices) * 3, np.float32)
    obj.data.vertices.foreach_get("co", co)
    co = co.reshape(-1, 3) * scale
    if rotate:
        co = co[:, [0, 2, 1]] * [1, -1, 1]
    obj.data.vertices.foreach_set("co", co.ravel())
    with pytest.raises(RuntimeError, match=match):
        bpy.ops.wardrobe.bind()
    assert obj.wardrobe.role == "NONE" and obj.data.shape_keys is None and "wardrobe_bind_a" not in obj.data.attributes


def test_a_mesh_that_changes_while_binding_is_left_as_it_was(addon, monkeypatch):
    obj = _foreign_avatar_mesh()
    shaper = addon.model_cache.body_shaper(bpy.context)
    real = shaper.bind_avatar

    def edit_meanwhile(points, progress=None, name=""):
        obj.data.vertices.add(3)  # the user edits the mesh while the job runs
        return real(points, progress, name)

    monkeypatch.setattr(shaper, "bind_avatar", edit_meanwhile)
    with pytest.raises(RuntimeError, match="changed while binding"):
        bpy.ops.wardrobe.bind()
    assert obj.wardrobe.role == "NONE" and obj.data.shape_keys is None and "wardrobe_bind_a" not in obj.data.attributes


def test_a_corrupt_body_decoder_in_the_user_folder_changes_nothing(addon, tmp_path):
    obj = _foreign_avatar_mesh()
    shipped = addon.model_cache.body_shaper(bpy.context).model.folder
    for f in shipped.glob("*"):
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    dec = tmp_path / "body_decoder.onnx"
    dec.write_bytes(dec.read_bytes()[:-64] + b"\0" * 64)
    addon.preferences.get().user_model_dir = str(tmp_path)
    addon.model_cache.clear()
    try:
        with pytest.raises(RuntimeError, match="does not match its card"):
            bpy.ops.wardrobe.bind()
        assert obj.wardrobe.role == "NONE" and obj.data.shape_keys is None
        assert "wardrobe_bind_a" not in obj.data.attributes
    finally:
        addon.preferences.get().user_model_dir = ""
        addon.model_cache.clear()
