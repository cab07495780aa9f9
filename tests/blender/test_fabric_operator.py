"""Generate Fabric in bpy: material wiring, physical scale, images on save/reopen, and every bad input."""

import json

import bpy
import numpy as np
import pytest
from fabric_helpers import linked_plane, small_settings, snapshot, user_fabric_model, uv_plane


def _links(mat) -> set[tuple[str, str, str, str]]:
    return {(lk.from_node.name, lk.from_socket.identifier, lk.to_node.name, lk.to_socket.identifier)
            for lk in mat.node_tree.links}


def test_generate_builds_a_principled_material_with_data_maps_non_color(addon):
    obj = uv_plane(size=0.64)
    small_settings("velvet")
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    mat = obj.active_material
    assert mat is not None and mat.name == "Wardrobe Velvet" and len(obj.material_slots) == 1
    nodes = mat.node_tree.nodes
    bsdf = next(n for n in nodes if n.bl_idname == "ShaderNodeBsdfPrincipled")
    links = _links(mat)
    assert ("Fabric albedo", "Color", bsdf.name, "Base Color") in links
    assert ("Fabric roughness", "Color", bsdf.name, "Roughness") in links
    nmap = next(n for n in nodes if n.bl_idname == "ShaderNodeNormalMap")
    assert ("Fabric normal", "Color", nmap.name, "Color") in links
    assert (nmap.name, "Normal", bsdf.name, "Normal") in links
    assert "Fabric height" not in nodes and not bpy.data.images.get("Wardrobe Velvet height")  # no displacement
    for key in ("albedo", "roughness", "normal"):
        assert ("Fabric Scale", "Vector", f"Fabric {key}", "Vector") in links
        img = nodes[f"Fabric {key}"].image
        assert tuple(img.size) == (256, 256)
        assert img.colorspace_settings.name == ("sRGB" if key == "albedo" else "Non-Color")
    sheen = bsdf.inputs["Sheen Weight"] if "Sheen Weight" in bsdf.inputs else bsdf.inputs["Sheen"]
    assert sheen.default_value == pytest.approx(1.0)  # velvet has a fibre sheen
    # 0.64 m plane on the unit UV square: as many repeats as the tile's physical size fits in 64 cm.
    tile_cm = mat["wardrobe"]["tile_cm"]
    assert tile_cm == pytest.approx(mat["wardrobe"]["threads"] / mat["wardrobe"]["threads_per_cm"])
    assert tuple(nodes["Fabric Scale"].inputs["Scale"].default_value)[:2] == pytest.approx((64 / tile_cm,) * 2,
                                                                                          rel=1e-4)
    s = bpy.context.scene.wardrobe_fabric
    assert s.last_provider == "CPUExecutionProvider" and s.last_seconds > 0 and "mapping" in s.last_report


def test_pixels_are_the_engine_maps_flipped_into_blender_row_order(addon):
    uv_plane()
    s = small_settings("cotton")
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    img = bpy.data.images["Wardrobe Cotton albedo"]
    px = np.empty(256 * 256 * 4, np.float32)
    img.pixels.foreach_get(px)
    color = addon.operators.generate_fabric.srgb_color(s.color)
    ref = addon.model_cache.fabric_model(bpy.context).generate("cotton", color, s.threads_per_cm, 256, 3, s.roughness)
    got = px.reshape(256, 256, 4)[::-1, :, :3]
    assert np.abs(got - ref.albedo).max() <= 1 / 255 + 1e-6  # 8-bit image of the same maps


def test_islands_of_different_scale_get_a_baked_atlas(addon):
    obj = uv_plane()
    me = obj.data
    # Split the plane's UV square into two islands at different texel densities.
    bpy.ops.object.mode_set(mode="EDIT")
    bpy.ops.mesh.subdivide(number_cuts=1)
    bpy.ops.object.mode_set(mode="OBJECT")
    uv = np.empty(len(me.loops) * 2, np.float32)
    me.uv_layers.active.data.foreach_get("uv", uv)
    uv = uv.reshape(-1, 2)
    lv = np.empty(len(me.loops), np.int32)
    me.loops.foreach_get("vertex_index", lv)
    co = np.empty(len(me.vertices) * 3, np.float32)
    me.vertices.foreach_get("co", co)
    left = co.reshape(-1, 3)[lv, 0] < -1e-6
    starts = np.array([p.loop_start for p in me.polygons])
    face_left = np.array([left[s:s + 4].any() for s in starts])
    loop_left = np.repeat(face_left, 4)
    uv[loop_left] = uv[loop_left] * 0.25  # left half: shrunk -> 4x the density
    uv[~loop_left] = 0.5 + (uv[~loop_left] - 0.5) * 0.5
    me.uv_layers.active.data.foreach_set("uv", uv.ravel())
    small_settings("plaid")
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    s = bpy.context.scene.wardrobe_fabric
    assert s.last_report.startswith("atlas: 2 UV island(s)")
    assert tuple(obj.active_material.node_tree.nodes["Fabric Scale"].inputs["Scale"].default_value)[:2] == (1, 1)


def test_edit_mode_assigns_only_the_selected_faces(addon):
    obj = uv_plane()
    obj.data.materials.append(bpy.data.materials.new("Existing"))
    bpy.ops.object.mode_set(mode="EDIT")
    bpy.ops.mesh.subdivide(number_cuts=1)  # 4 faces
    bpy.ops.mesh.select_all(action="DESELECT")
    bpy.ops.object.mode_set(mode="OBJECT")
    obj.data.polygons[0].select = True
    bpy.ops.object.mode_set(mode="EDIT")
    small_settings()
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    assert obj.mode == "EDIT"
    bpy.ops.object.mode_set(mode="OBJECT")
    idx = [p.material_index for p in obj.data.polygons]
    slot = [s.material.name if s.material else None for s in obj.material_slots].index("Wardrobe Denim")
    assert slot == 1 and idx == [1, 0, 0, 0]  # the other faces keep the material they had


def test_saved_blend_keeps_images_beside_it_and_reopens(addon, tmp_path):
    obj = uv_plane()
    blend = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    small_settings()
    assert bpy.ops.wardrobe.generate_fabric(displacement=True) == {"FINISHED"}
    files = sorted(p.name for p in (tmp_path / "wardrobe_textures").iterdir())
    token = bpy.data.images["Wardrobe Denim normal"]["wardrobe"]
    assert files == [f"Wardrobe_Denim_{token}_{k}" for k in ("albedo.png", "height.exr", "normal.png",
                                                              "roughness.png")]
    before = np.empty(256 * 256 * 4, np.float32)
    bpy.data.images["Wardrobe Denim normal"].pixels.foreach_get(before)
    assert obj.name == "Cloth"
    bpy.ops.wm.save_mainfile()
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    img = bpy.data.images["Wardrobe Denim normal"]
    assert img.filepath.startswith("//wardrobe_textures/") and img.packed_file is None
    after = np.empty(256 * 256 * 4, np.float32)
    img.pixels.foreach_get(after)
    np.testing.assert_allclose(after, before, atol=1 / 255 + 1e-6)
    assert bpy.data.images["Wardrobe Denim height"].colorspace_settings.name == "Non-Color"
    assert bpy.data.objects["Cloth"].active_material.name == "Wardrobe Denim"


def test_two_objects_with_the_same_fabric_keep_their_own_files_after_reopen(addon, tmp_path):
    blend = tmp_path / "scene.blend"
    a, b = uv_plane(name="A"), uv_plane(name="B")
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    small_settings("cotton")
    pixels = {}
    for obj, seed in ((a, 1), (b, 2)):
        bpy.context.view_layer.objects.active = obj
        assert bpy.ops.wardrobe.generate_fabric(seed=seed) == {"FINISHED"}
        img = obj.active_material.node_tree.nodes["Fabric albedo"].image
        pixels[obj.name] = np.array(img.pixels[:])
    assert not np.allclose(pixels["A"], pixels["B"])
    bpy.ops.wm.save_mainfile()
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    paths = set()
    for name in ("A", "B"):
        img = bpy.data.objects[name].active_material.node_tree.nodes["Fabric albedo"].image
        paths.add(img.filepath)
        np.testing.assert_allclose(np.array(img.pixels[:]), pixels[name], atol=1 / 255 + 1e-6)  # A shows A's
    assert len(paths) == 2


def test_a_rerun_replaces_its_material_and_images_instead_of_piling_up(addon, tmp_path):
    obj = uv_plane()
    small_settings("cotton")
    for seed in (1, 2, 3):
        assert bpy.ops.wardrobe.generate_fabric(seed=seed) == {"FINISHED"}
    assert [m.name for m in bpy.data.materials if "wardrobe" in m.keys()] == ["Wardrobe Cotton"]
    assert obj.active_material.name == "Wardrobe Cotton" and len(obj.material_slots) == 1
    assert sorted(i.name for i in bpy.data.images) == [f"Wardrobe Cotton {k}" for k in
                                                        ("albedo", "normal", "roughness")]
    assert obj.active_material["wardrobe"]["seed"] == 3
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "scene.blend"))
    bpy.ops.wm.open_mainfile(filepath=str(tmp_path / "scene.blend"))
    assert len(bpy.data.images) == 3  # no orphaned packed images from earlier runs
    # Keeping the history is a choice, and then the earlier material survives a save (fake user).
    assert bpy.ops.wardrobe.generate_fabric(seed=4, keep_previous=True) == {"FINISHED"}
    kept = [m for m in bpy.data.materials if "wardrobe" in m.keys() and m.use_fake_user]
    assert len(kept) == 1 and kept[0]["wardrobe"]["seed"] == 3


def test_a_material_shared_with_another_object_is_not_removed(addon):
    a = uv_plane(name="A")
    small_settings()
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    shared = a.active_material
    b = uv_plane(name="B")
    b.data.materials.append(shared)
    bpy.context.view_layer.objects.active = a
    assert bpy.ops.wardrobe.generate_fabric(seed=9) == {"FINISHED"}
    assert b.active_material == shared and shared.name in bpy.data.materials


def test_operator_properties_override_the_panel_and_default_to_it(addon):
    obj = uv_plane()
    s = small_settings("velvet")
    s.seed = 5
    assert bpy.ops.wardrobe.generate_fabric(kind="denim", resolution="256") == {"FINISHED"}
    info = obj.active_material["wardrobe"]
    assert obj.active_material.name == "Wardrobe Denim" and info["kind"] == "denim" and info["seed"] == 5
    assert s.kind == "velvet"  # the panel is left as it was
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}  # nothing remembered from the last call
    assert obj.active_material["wardrobe"]["kind"] == "velvet"


def test_object_scale_gives_the_fabric_its_shown_size(addon):
    obj = uv_plane(size=0.64)
    obj.scale = (2.0, 2.0, 2.0)  # 1.28 m shown: twice the repeats of the unscaled plane
    small_settings()
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    scale = obj.active_material.node_tree.nodes["Fabric Scale"].inputs["Scale"].default_value
    tile_cm = obj.active_material["wardrobe"]["tile_cm"]
    assert tuple(scale)[:2] == pytest.approx((128 / tile_cm,) * 2, rel=1e-4)


def test_colour_follows_the_files_working_space(addon):
    if not hasattr(bpy.data, "colorspace"):
        pytest.skip("per-file working colour spaces arrived in Blender 5.0")
    s = small_settings()
    s.color = (0.16, 0.27, 0.45)
    rec709 = addon.operators.generate_fabric.srgb_color(s.color)
    assert bpy.ops.wm.set_working_color_space(working_space="ACEScg", convert_colors=False) == {"FINISHED"}
    aces = addon.operators.generate_fabric.srgb_color(s.color)
    assert rec709 == pytest.approx((0.4366, 0.5564, 0.7014), abs=1e-3)
    assert aces == pytest.approx((0.288, 0.568, 0.722), abs=1e-3)  # Blender's own conversion of ACEScg


def test_satin_shines_along_the_grain_and_velvet_has_sheen(addon):
    obj = uv_plane()
    small_settings("satin")
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    nodes = obj.active_material.node_tree.nodes
    bsdf = next(n for n in nodes if n.bl_idname == "ShaderNodeBsdfPrincipled")
    aniso = bsdf.inputs["Anisotropic"] if "Anisotropic" in bsdf.inputs else bsdf.inputs["Specular Anisotropic"]
    assert aniso.default_value > 0.3
    grain = nodes["Fabric Grain"]
    assert grain.direction_type == "UV_MAP" and grain.uv_map == obj.data.uv_layers.active.name
    assert ("Fabric Grain", "Tangent", bsdf.name, "Tangent") in _links(obj.active_material)
    assert nodes["Normal Map"].uv_map == obj.data.uv_layers.active.name


def test_gltf_export_keeps_the_sheen_and_anisotropy(addon, tmp_path):
    import addon_utils

    addon_utils.enable("io_scene_gltf2", default_set=False)
    for kind in ("satin", "velvet"):
        bpy.context.view_layer.objects.active = uv_plane(name=kind)
        small_settings(kind)
        assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    out = tmp_path / "cloth.gltf"
    assert bpy.ops.export_scene.gltf(filepath=str(out), export_format="GLTF_SEPARATE", use_selection=False) \
        == {"FINISHED"}
    mats = {m["name"]: m for m in json.loads(out.read_text())["materials"]}
    assert "KHR_materials_anisotropy" in mats["Wardrobe Satin"].get("extensions", {}), mats["Wardrobe Satin"]
    assert "KHR_materials_sheen" in mats["Wardrobe Velvet"].get("extensions", {}), mats["Wardrobe Velvet"]
    assert "KHR_materials_sheen" not in mats["Wardrobe Satin"].get("extensions", {})  # satin shines, it is not fuzzy
    for mat in mats.values():
        assert mat["normalTexture"] and mat["pbrMetallicRoughness"]["baseColorTexture"]


def test_unsaved_blend_packs_the_images_so_nothing_is_lost(addon, tmp_path):
    uv_plane()
    small_settings()
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    assert all(bpy.data.images[f"Wardrobe Denim {k}"].packed_file is not None
               for k in ("albedo", "normal", "roughness"))
    blend = tmp_path / "later.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    img = bpy.data.images["Wardrobe Denim albedo"]
    assert img.packed_file is not None and tuple(img.size) == (256, 256)
    px = np.empty(256 * 256 * 4, np.float32)
    img.pixels.foreach_get(px)
    assert px.reshape(-1, 4)[:, :3].std() > 0.01  # real fabric pixels came back, not a blank image


# -- bad input: a clear message, and the scene exactly as it was -------------------------------------------
def _fails_cleanly(match: str):
    before = snapshot()
    with pytest.raises(RuntimeError, match=match):
        bpy.ops.wardrobe.generate_fabric()
    assert snapshot() == before


def test_mesh_without_uvs_is_refused_with_the_fix(addon):
    obj = uv_plane()
    obj.data.uv_layers.remove(obj.data.uv_layers[0])
    _fails_cleanly("no UV map: unwrap it first")
    assert bpy.ops.wardrobe.unwrap() == {"FINISHED"}  # the offered fix works
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}


def test_empty_mesh_is_refused(addon):
    me = bpy.data.meshes.new("Empty")
    obj = bpy.data.objects.new("Empty", me)
    bpy.context.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    _fails_cleanly("has no faces")


def test_nan_vertices_are_refused(addon):
    obj = uv_plane()
    obj.data.vertices[0].co = (float("nan"), 0, 0)
    _fails_cleanly("NaN")


def test_object_deleted_during_generation_changes_nothing(addon, monkeypatch):
    uv_plane()
    other = uv_plane(name="Other")
    bpy.context.view_layer.objects.active = bpy.data.objects["Cloth"]
    small_settings()
    real = addon.jobs.Job.run_sync

    def delete_then_run(job):  # what a user can do between two modal timer ticks
        bpy.data.objects.remove(bpy.data.objects["Cloth"])
        real(job)

    monkeypatch.setattr(addon.jobs.Job, "run_sync", delete_then_run)
    before = snapshot()
    with pytest.raises(RuntimeError, match="was deleted during generation; nothing was changed"):
        bpy.ops.wardrobe.generate_fabric()
    after = snapshot()
    assert after["materials"] == before["materials"] and after["images"] == before["images"]
    assert other.name == "Other"


def test_cancel_leaves_the_scene_unchanged(addon, monkeypatch):
    uv_plane()
    small_settings(resolution="1024")
    real = addon.jobs.Job.run_sync
    seen = []

    def cancel_midway(job):  # Esc after the first window: the next progress report stops the job
        orig = job._progress

        def progress(f, text=""):
            seen.append(f)
            if len(seen) == 3:
                job.cancel()
            orig(f, text)

        job._progress = progress
        real(job)

    monkeypatch.setattr(addon.jobs.Job, "run_sync", cancel_midway)
    before = snapshot()
    assert bpy.ops.wardrobe.generate_fabric() == {"CANCELLED"}
    assert snapshot() == before and len(seen) == 3


def test_a_second_generation_while_one_runs_is_refused(addon):
    uv_plane()
    addon.jobs._state.job = object()  # as while a modal generation is running
    try:
        assert not bpy.ops.wardrobe.generate_fabric.poll()
        before = snapshot()
        with pytest.raises(RuntimeError):
            bpy.ops.wardrobe.generate_fabric()
        assert snapshot() == before
    finally:
        addon.jobs._state.job = None


def test_unwritable_texture_folder_is_refused_before_generating(addon, tmp_path):
    uv_plane()
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "scene.blend"))
    (tmp_path / "wardrobe_textures").write_text("a file where the folder should be")
    small_settings()
    _fails_cleanly("cannot write textures to")


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_missing_or_corrupt_model_is_reported(addon, tmp_path, damage):
    with user_fabric_model(addon, tmp_path, corrupt_generator=damage == "corrupt"):
        uv_plane()
        small_settings()
        _fails_cleanly("is missing" if damage == "missing" else "sha256")


def test_unknown_resolution_for_the_model_is_refused(addon, monkeypatch):
    uv_plane()
    small_settings()
    model = addon.model_cache.fabric_model(bpy.context)
    monkeypatch.setattr(model, "stride", 3000)
    _fails_cleanly("must be a multiple of")


def test_linked_mesh_is_refused_so_nothing_vanishes_on_reopen(addon, tmp_path):
    linked_plane(tmp_path, "Library Cloth")
    small_settings()
    _fails_cleanly("is linked from .*library.blend.*make it local")


def test_faces_deleted_during_generation_change_nothing(addon, monkeypatch):
    obj = uv_plane()
    bpy.ops.object.mode_set(mode="EDIT")
    bpy.ops.mesh.subdivide(number_cuts=1)
    bpy.ops.mesh.select_all(action="SELECT")
    small_settings()
    real = addon.jobs.Job.run_sync

    def delete_faces_then_run(job):  # the user deletes faces between two timer ticks
        bpy.ops.mesh.select_all(action="DESELECT")
        bpy.ops.object.mode_set(mode="OBJECT")
        obj.data.polygons[0].select = True
        bpy.ops.object.mode_set(mode="EDIT")
        bpy.ops.mesh.delete(type="FACE")
        real(job)

    monkeypatch.setattr(addon.jobs.Job, "run_sync", delete_faces_then_run)
    before = {k: v for k, v in snapshot().items()}
    with pytest.raises(RuntimeError, match="changed during generation.*nothing was changed"):
        bpy.ops.wardrobe.generate_fabric()
    assert obj.mode == "EDIT"  # left in the mode the user was in
    bpy.ops.object.mode_set(mode="OBJECT")
    assert snapshot() == before and len(obj.data.polygons) == 3


@pytest.mark.parametrize("size,match", [(1e-6, "only .* mm across: .* real size"),
                                        (1e15, "m across: fabric is sized in metres")])
def test_meshes_in_the_wrong_units_are_refused(addon, size, match):
    uv_plane(size=size)
    small_settings()
    _fails_cleanly(match)


def test_inf_and_absurd_coordinates_are_refused(addon):
    obj = uv_plane()
    small_settings()
    for bad in (1e30, float("inf")):  # Blender stores inf as the largest float
        obj.data.vertices[0].co = (bad, 0, 0)
        _fails_cleanly("m across: fabric is sized in metres")
    obj.data.vertices[0].co = (float("nan"), 0, 0)
    _fails_cleanly("NaN/inf")


def test_a_nearly_zero_area_uv_island_still_generates(addon):
    obj = uv_plane()
    bpy.ops.object.mode_set(mode="EDIT")
    bpy.ops.mesh.subdivide(number_cuts=1)
    bpy.ops.object.mode_set(mode="OBJECT")
    me = obj.data
    uv = np.empty(len(me.loops) * 2, np.float32)
    me.uv_layers.active.data.foreach_get("uv", uv)
    uv = uv.reshape(-1, 2)
    uv[:4, 0] = 0.3 + uv[:4, 0] * 1e-7  # the first face's island: 1e-7 wide
    me.uv_layers.active.data.foreach_set("uv", uv.ravel())
    small_settings()
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}


def test_an_invalid_resolution_setting_is_reported(addon):
    uv_plane()
    s = small_settings()
    s["resolution"] = 7  # an ID property no enum item has (set from a script or an old file)
    _fails_cleanly("Resolution is not a valid size")


@pytest.mark.parametrize("edit,match", [
    (lambda card: card.pop("style"), "not a valid fabric model card"),
    (lambda card: card.__setitem__("stride", 2.5), "not a valid fabric model card"),
])
def test_a_broken_model_card_is_reported(addon, tmp_path, edit, match):
    with user_fabric_model(addon, tmp_path, edit_card=edit):
        uv_plane()
        small_settings()
        _fails_cleanly(match)


def test_the_weave_designer_weaves_the_panels_draft_and_colour_sequences(addon):
    obj = uv_plane()
    s = small_settings("cotton")
    s.draft, s.draft_text = "CUSTOM", "##../.##./..##/#..#"
    s.warp_colors, s.weft_colors = "navy 0.4, white 0.4", "white"
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    info = obj.active_material["wardrobe"]
    assert info["draft"] == "##..\n.##.\n..##\n#..#" and info["repeat"] % 4 == 0
    model = addon.model_cache.fabric_model(bpy.context)
    ref = model.generate("cotton", addon.operators.generate_fabric.srgb_color(s.color), s.threads_per_cm, 256, 3,
                         s.roughness, draft=s.draft_text, warp=s.warp_colors, weft=s.weft_colors)
    img = obj.active_material.node_tree.nodes["Fabric albedo"].image
    px = np.empty(256 * 256 * 4, np.float32)
    img.pixels.foreach_get(px)
    assert np.abs(px.reshape(256, 256, 4)[::-1, :, :3] - ref.albedo).max() <= 1 / 255 + 1e-6
    # A preset draft by operator property (scriptable, F9), the panel left as it is.
    assert bpy.ops.wardrobe.generate_fabric(draft="satin_8") == {"FINISHED"}
    assert obj.active_material["wardrobe"]["draft"].count("#") == 56 and s.draft == "CUSTOM"


def test_picking_a_kind_starts_from_its_typical_density(addon):
    s = bpy.context.scene.wardrobe_fabric
    s.kind = "silk"
    assert s.threads_per_cm == pytest.approx(36) and s.roughness == pytest.approx(0.4)
    s.kind = "tweed"
    assert s.threads_per_cm == pytest.approx(7)


@pytest.mark.parametrize("setting, value, match", [
    ("draft_text", "##./.#", "not rectangular"), ("draft_text", "##/##", "no interlacing"),
    ("warp_colors", "navy 0", "not usable"), ("weft_colors", "tealish", "malformed colour"),
])
def test_a_bad_weave_is_refused_before_anything_changes(addon, setting, value, match):
    uv_plane()
    s = small_settings("cotton")
    s.draft = "CUSTOM"
    setattr(s, setting, value)
    _fails_cleanly(match)


def test_a_draft_on_a_knit_is_refused(addon):
    uv_plane()
    s = small_settings("jersey")
    s.draft = "twill_2_2"
    _fails_cleanly("not a weave")
