"""Shared setup for the fabric operator tests."""

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
