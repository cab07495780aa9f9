"""The scripting API (blender_wardrobe.api), menu entries, and a reason from every operator's poll."""

import addon_utils
import bpy
import pytest
from bpy_helpers import ADDON
from fabric_helpers import linked_plane, uv_plane


def test_api_dresses_a_body_made_to_measure(addon):
    from blender_wardrobe import api

    avatar = api.add_avatar(sex="male")
    assert avatar.wardrobe.sex == "male" and avatar.wardrobe.role == "AVATAR"
    res = api.set_body(avatar, height=182, chest=104, weight=86)  # the words of the panel and the CLI
    assert res["sliders"]["stature"] == pytest.approx(182) and res["sliders"]["chest"] == pytest.approx(104)
    assert avatar.wardrobe.weight == pytest.approx(86)
    assert bpy.ops.wardrobe.add_garment(part="skirt") == {"FINISHED"}
    skirt = bpy.context.active_object
    mat = api.generate_fabric(skirt, kind="denim", color="#2b4a6f", threads_per_cm=14, size=256, seed=3)
    info = mat["wardrobe"]
    assert mat.name == "Wardrobe Denim" and skirt.active_material == mat and info["seed"] == 3
    assert mat.node_tree.nodes["Fabric albedo"].image.size[0] == 256
    # The colour given in sRGB reaches the engine as that sRGB colour.
    assert tuple(info["color"]) == pytest.approx((0x2b / 255, 0x4a / 255, 0x6f / 255), abs=1e-4)
    # A weave of one's own through the API: a tartan-like 2/2 twill on silk yarn.
    mat = api.generate_fabric(skirt, kind="silk", threads_per_cm=20, size=256, draft="twill_2_2",
                              warp="#7a1f3d 0.5, black 0.2", weft="#7a1f3d 0.5, black 0.2")
    assert mat["wardrobe"]["kind"] == "silk" and mat["wardrobe"]["draft"] == "##..\n.##.\n..##\n#..#"
    with pytest.raises(api.WardrobeError, match="not rectangular"):
        api.generate_fabric(skirt, draft="##./.#")


def test_api_errors_carry_the_operators_message_and_change_nothing(addon):
    from blender_wardrobe import api

    obj = uv_plane()
    obj.data.uv_layers.remove(obj.data.uv_layers[0])
    before = sorted(m.name for m in bpy.data.materials)
    with pytest.raises(api.WardrobeError, match="no UV map: unwrap it first"):
        api.generate_fabric(obj, kind="cotton", size=256)
    assert sorted(m.name for m in bpy.data.materials) == before
    with pytest.raises(api.WardrobeError, match="malformed colour"):
        api.generate_fabric(uv_plane(name="Other"), color="teal")
    with pytest.raises(api.WardrobeError, match="needs a Wardrobe avatar"):
        api.set_body(obj, chest=90)
    avatar = api.add_avatar()
    with pytest.raises(api.WardrobeError, match=r"unknown measurement\(s\) \['shoe'\]"):
        api.set_body(avatar, shoe=42)
    assert api.set_body(avatar, stature=170)["sliders"]["stature"] == pytest.approx(170)  # ANSUR's id works too


def test_menu_entries_come_and_go_with_the_add_on(addon):
    menus = addon.menus
    for menu, draw in menus.MENUS:
        assert draw in getattr(bpy.types, menu)._dyn_ui_initialize(), menu
    addon_utils.disable(ADDON, default_set=True, handle_error=None)
    for menu, draw in menus.MENUS:
        assert draw not in getattr(bpy.types, menu)._dyn_ui_initialize(), menu
    addon_utils.enable(ADDON, default_set=True, handle_error=None)


def test_every_operator_that_cannot_run_says_why(addon):
    bpy.ops.mesh.primitive_plane_add()
    bpy.ops.object.mode_set(mode="EDIT")  # no avatar, edit mode: most operators cannot run
    silent = []
    for name in dir(bpy.ops.wardrobe):
        op = getattr(bpy.ops.wardrobe, name)
        if op.poll():
            continue
        with pytest.raises(RuntimeError) as err:
            op()
        if "context is incorrect" in str(err.value):
            silent.append(name)
    bpy.ops.object.mode_set(mode="OBJECT")
    assert silent == []


def test_binding_a_linked_mesh_is_refused(addon, tmp_path):
    obj = linked_plane(tmp_path, "Library Body")
    with pytest.raises(RuntimeError, match="linked from .*make it local"):
        bpy.ops.wardrobe.bind()
    assert "wardrobe_binding" not in obj.data.attributes and obj.wardrobe.role == "NONE"
