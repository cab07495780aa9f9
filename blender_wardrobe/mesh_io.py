"""Engine MeshData <-> Blender meshes, through foreach_get/foreach_set only."""

import bpy
import numpy as np

from .engine import fabric_surface
from .engine import mesh as engine_mesh


def new_mesh(name: str, data: "engine_mesh.MeshData", uv_name: str = "UVMap") -> bpy.types.Mesh:
    """A new mesh datablock with the polygons and UVs of ``data`` (validated first)."""
    data.validate(name)
    me = bpy.data.meshes.new(name)
    me.vertices.add(data.n_vertices)
    me.vertices.foreach_set("co", np.ascontiguousarray(data.co, np.float32).ravel())
    me.loops.add(len(data.loop_vertex))
    me.loops.foreach_set("vertex_index", np.ascontiguousarray(data.loop_vertex, np.int32))
    me.polygons.add(data.n_faces)
    me.polygons.foreach_set("loop_start", data.loop_start)  # sizes follow from the starts (4.0+)
    if data.loop_uv is not None:
        uv = me.uv_layers.new(name=uv_name)
        uv.data.foreach_set("uv", np.ascontiguousarray(data.loop_uv, np.float32).ravel())
    me.polygons.foreach_set("use_smooth", np.ones(data.n_faces, bool))
    me.update(calc_edges=True)
    if me.validate(verbose=False):
        bpy.data.meshes.remove(me)
        raise engine_mesh.MeshError(f"{name}: Blender rejected the mesh data as invalid")
    return me


def read_uv_layout(me: bpy.types.Mesh, matrix=None) -> "fabric_surface.MeshUV":
    """Positions, corners, polygons and the active UV map of a mesh (object mode data), as numpy.

    With ``matrix`` (the object's world matrix) positions are in world units, so an object scaled in
    Object Mode gets its fabric at the size it is shown.
    """
    co = np.empty(len(me.vertices) * 3, np.float32)
    me.vertices.foreach_get("co", co)
    if matrix is not None:
        m = np.array(matrix, np.float64)
        co = (co.reshape(-1, 3).astype(np.float64) @ m[:3, :3].T).astype(np.float32).ravel()
    loop_vertex = np.empty(len(me.loops), np.int32)
    me.loops.foreach_get("vertex_index", loop_vertex)
    loop_start = np.empty(len(me.polygons), np.int32)
    me.polygons.foreach_get("loop_start", loop_start)
    loop_total = np.empty(len(me.polygons), np.int32)
    me.polygons.foreach_get("loop_total", loop_total)
    uv = None
    layer = me.uv_layers.active
    if layer is not None:
        uv = np.empty(len(me.loops) * 2, np.float32)
        layer.data.foreach_get("uv", uv)
        uv = uv.reshape(-1, 2)
    return fabric_surface.MeshUV(co.reshape(-1, 3), loop_vertex, loop_start, loop_total, uv)


def selected_faces(me: bpy.types.Mesh) -> np.ndarray:
    sel = np.zeros(len(me.polygons), bool)
    me.polygons.foreach_get("select", sel)
    return sel


def read_co(me: bpy.types.Mesh) -> np.ndarray:
    co = np.empty(len(me.vertices) * 3, np.float32)
    me.vertices.foreach_get("co", co)
    return co.reshape(-1, 3)


def read_mesh(me: bpy.types.Mesh, co: np.ndarray | None = None) -> "engine_mesh.MeshData":
    """Polygons of a mesh (positions ``co`` if given, e.g. a shape key's) as engine MeshData, no UVs."""
    co = read_co(me) if co is None else np.asarray(co, np.float32)
    loop_vertex = np.empty(len(me.loops), np.int32)
    me.loops.foreach_get("vertex_index", loop_vertex)
    sizes = np.empty(len(me.polygons), np.int32)
    me.polygons.foreach_get("loop_total", sizes)
    return engine_mesh.MeshData(co, sizes, loop_vertex)
