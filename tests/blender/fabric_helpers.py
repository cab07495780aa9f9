"""Shared setup for the fabric operator tests."""

import contextlib
import json

import bpy


def uv_plane(size: float = 1.0, name: str = "Cloth"):
    """A plane with the default unit-square UVs, active and selected."""
    bpy.ops.mesh.primitive_plane_add(size=size)
    obj = bpy.context.active_object
    obj.name = name
    return obj


def small_settings(kind: str = "denim", resolution: str = "256"):
    s = bpy.context.scene.wardrobe_fabric
    s.kind, s.resolution, s.seed = kind, resolution, 3
    return s


def snapshot() -> dict:
    """Everything a failed or cancelled generation must leave untouched."""
    return {
        "materials": sorted(m.name for m in bpy.data.materials),
        "images": sorted(i.name for i in bpy.data.images),
        "slots": {o.name: [s.material.name if s.material else None for s in o.material_slots]
                  for o in bpy.data.objects},
        "objects": sorted(o.name for o in bpy.data.objects),
    }


def linked_plane(tmp_path, name: str):
    """A plane linked from a library .blend (read-only data here), active in a fresh scene."""
    uv_plane(name=name)
    lib = tmp_path / "library.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(lib), copy=True)
    bpy.ops.wm.read_homefile(use_empty=True)
    with bpy.data.libraries.load(str(lib), link=True) as (_src, dst):
        dst.objects = [name]
    obj = dst.objects[0]
    bpy.context.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    return obj


@contextlib.contextmanager
def user_fabric_model(addon, folder, edit_card=None, corrupt_generator=False):
    """The shipped fabric card copied into ``folder`` (optionally edited), used as the user model folder."""
    shipped = addon.engine.artifacts.find("fabric_model.json").parent
    card = json.loads((shipped / "fabric_model.json").read_text())
    if edit_card is not None:
        edit_card(card)
    (folder / "fabric_model.json").write_text(json.dumps(card))
    if corrupt_generator:
        (folder / card["files"]["generator"]["file"]).write_bytes(b"not an onnx model")
    prefs = addon.preferences.get()
    prefs.user_model_dir = str(folder)
    addon.model_cache.clear()
    try:
        yield card
    finally:
        prefs.user_model_dir = ""
        addon.model_cache.clear()
