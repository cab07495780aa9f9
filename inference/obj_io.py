"""Reading meshes of any topology (trimesh) and writing template-topology bodies as OBJ."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from .mesh import MeshData, MeshError


def write_obj(path, vertices: np.ndarray, template: MeshData, name: str = "body") -> Path:
    """OBJ with the template's polygons and UVs (metres, Z up); written atomically."""
    path = Path(path)
    buf = io.StringIO()
    buf.write(f"# Blender Wardrobe body (template topology, metres, Z up)\no {name}\n")
    np.savetxt(buf, np.asarray(vertices, np.float64), fmt="v %.6f %.6f %.6f")
    uv = template.loop_uv
    if uv is not None:
        np.savetxt(buf, uv, fmt="vt %.6f %.6f")
    idx = template.loop_vertex + 1
    lu = np.arange(len(idx)) + 1
    for start, size in zip(template.loop_start, template.face_sizes, strict=True):
        corners = range(start, start + size)
        if uv is not None:
            buf.write("f " + " ".join(f"{idx[c]}/{lu[c]}" for c in corners) + "\n")
        else:
            buf.write("f " + " ".join(str(idx[c]) for c in corners) + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buf.getvalue())
    os.replace(tmp, path)
    return path


def read_points(path) -> np.ndarray:
    """Vertex positions of a mesh file of any topology (OBJ, PLY, STL, GLB ... via trimesh)."""
    import trimesh

    path = Path(path)
    if not path.is_file():
        raise MeshError(f"{path} does not exist")
    try:
        loaded = trimesh.load(path, force="mesh", process=False)
    except Exception as exc:  # trimesh raises many types for unreadable files
        raise MeshError(f"{path} is not a readable mesh ({exc})") from exc
    verts = np.asarray(getattr(loaded, "vertices", np.zeros((0, 3))), np.float64)
    if len(verts) == 0:
        raise MeshError(f"{path} contains no vertices")
    return verts
