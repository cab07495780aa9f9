"""Generate Fabric in bpy: material wiring, physical scale, images on save/reopen, and every bad input."""

import json

import bpy
import numpy as np
import pytest
from fabric_helpers import small_settings, snapshot, uv_plane


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
    for key in ("albedo", "roughness", "normal", "height"):
        assert ("Fabric Scale", "Vector", f"Fabric {key}", "Vector") in links
        img = nodes[f"Fabric {key}"].image
        assert tuple(img.size) == (256, 256)
        assert img.colorspace_settings.name == ("sRGB" if key == "albedo" else "Non-Color")
    sheen = bsdf.inputs["Sheen Weight"] if "Sheen Weight" in bsdf.inputs else bsdf.inputs["Sheen"]
    assert sheen.default_value == pytest.approx(1.0)  # velvet has a fibre sheen
    # 0.64 m plane on the unit UV square, 256 px at 32 px/cm = 8 cm tile -> 8 repeats across.
    assert tuple(nodes["Fabric Scale"].inputs["Scale"].default_value)[:2] == pytest.approx((8.0, 8.0), rel=1e-4)
    s = bpy.context.scene.wardrobe_fabric
    assert s.last_provider == "CPUExecutionProvider" and s.last_seconds > 0 and "mapping" in s.last_report


def test_pixels_are_the_engine_maps_flipped_into_blender_row_order(addon):
    uv_plane()
    s = small_settings("cotton")
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    img = bpy.data.images["Wardrobe Cotton albedo"]
    px = np.empty(256 * 256 * 4, np.float32)
    img.pixels.foreach_get(px)
    color = addon.operators.fabric.srgb_color(s.color)
    ref = addon.model_cache.fabric_model(bpy.context).generate("cotton", color, s.scale, 256, 3, s.roughness)
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
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    files = sorted(p.name for p in (tmp_path / "wardrobe_textures").iterdir())
    assert files == ["Wardrobe_Denim_albedo.png", "Wardrobe_Denim_height.exr", "Wardrobe_Denim_normal.png",
                     "Wardrobe_Denim_roughness.png"]
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


def test_unsaved_blend_packs_the_images_so_nothing_is_lost(addon, tmp_path):
    uv_plane()
    small_settings()
    assert bpy.ops.wardrobe.generate_fabric() == {"FINISHED"}
    assert all(bpy.data.images[f"Wardrobe Denim {k}"].packed_file is not None
               for k in ("albedo", "normal", "roughness", "height"))
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
    addon.jobs._running["job"] = object()  # as while a modal generation is running
    try:
        assert not bpy.ops.wardrobe.generate_fabric.poll()
        before = snapshot()
        with pytest.raises(RuntimeError):
            bpy.ops.wardrobe.generate_fabric()
        assert snapshot() == before
    finally:
        addon.jobs._running["job"] = None


def test_unwritable_texture_folder_is_refused_before_generating(addon, tmp_path):
    uv_plane()
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "scene.blend"))
    (tmp_path / "wardrobe_textures").write_text("a file where the folder should be")
    small_settings()
    _fails_cleanly("cannot write textures to")


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_missing_or_corrupt_model_is_reported(addon, tmp_path, damage):
    shipped = addon.engine.artifacts.find("fabric_model.json").parent
    card = json.loads((shipped / "fabric_model.json").read_text())
    (tmp_path / "fabric_model.json").write_text(json.dumps(card))
    if damage == "corrupt":
        (tmp_path / card["files"]["generator"]["file"]).write_bytes(b"not an onnx model")
    prefs = addon.preferences.get()
    prefs.user_model_dir = str(tmp_path)
    addon.model_cache.clear()
    try:
        uv_plane()
        small_settings()
        _fails_cleanly("is missing" if damage == "missing" else "sha256")
    finally:
        prefs.user_model_dir = ""
        addon.model_cache.clear()


def test_unknown_resolution_for_the_model_is_refused(addon, monkeypatch):
    uv_plane()
    small_settings()
    model = addon.model_cache.fabric_model(bpy.context)
    monkeypatch.setattr(model, "stride", 3000)
    _fails_cleanly("must be a multiple of")
