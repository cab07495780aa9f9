"""Polygon meshes as flat numpy arrays, the exchange format between the add-on and the engine.

The layout mirrors Blender's own (vertex positions, polygon sizes, per-loop vertex index and
per-loop UV), so the add-on moves data in and out with ``foreach_get``/``foreach_set`` alone.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from functools import cache

import numpy as np

from . import artifacts
from .errors import EngineError
from .vocabulary import GARMENT_IDS

TEMPLATE_NPZ = "template_avatar.npz"
TEMPLATE_CARD = "template_avatar.json"
TEMPLATE_PARTS = ("body", *GARMENT_IDS)


class MeshError(EngineError, ValueError):
    """A mesh is unusable (empty, non-finite, inconsistent); the message says why and what to do."""


@dataclass(frozen=True)
class MeshData:
    co: np.ndarray  # (V, 3) float32, metres
    face_sizes: np.ndarray  # (F,) int32, corners per polygon
    loop_vertex: np.ndarray  # (L,) int32, vertex index of each polygon corner
    loop_uv: np.ndarray | None = None  # (L, 2) float32, or None for a mesh without UVs

    @property
    def n_vertices(self) -> int:
        return int(self.co.shape[0])

    @property
    def n_faces(self) -> int:
        return int(self.face_sizes.shape[0])

    @property
    def loop_start(self) -> np.ndarray:
        """Index of each polygon's first loop (Blender's ``loop_start``)."""
        return (np.cumsum(self.face_sizes) - self.face_sizes).astype(np.int32)

    def validate(self, name: str = "mesh") -> MeshData:
        co, sizes, loops = self.co, self.face_sizes, self.loop_vertex
        if co.ndim != 2 or co.shape[1] != 3 or co.shape[0] == 0:
            raise MeshError(f"{name} has no vertices: select a mesh object with geometry.")
        if not np.isfinite(co).all():
            raise MeshError(f"{name} has non-finite (NaN/inf) vertex positions: fix or delete those vertices.")
        if sizes.ndim != 1 or (sizes < 3).any() or int(sizes.sum()) != loops.shape[0]:
            raise MeshError(f"{name} has inconsistent polygons: polygon sizes do not add up to its corners.")
        if loops.size and (loops.min() < 0 or loops.max() >= co.shape[0]):
            raise MeshError(f"{name} has polygon corners that point at missing vertices.")
        if self.loop_uv is not None and self.loop_uv.shape != (loops.shape[0], 2):
            raise MeshError(f"{name} has a UV layer that does not match its polygon corners.")
        return self

    def loop_edges(self) -> np.ndarray:
        """(L, 2) the edge after each polygon corner, as a sorted vertex pair (inner edges appear twice)."""
        lv, start = self.loop_vertex, self.loop_start
        nxt = np.arange(len(lv)) + 1
        nxt[start + self.face_sizes - 1] = start
        return np.sort(np.stack([lv, lv[nxt]], 1), 1)

    def triangles(self) -> np.ndarray:
        """Fan triangulation (T, 3) of the polygons, for engines that need triangles (trimesh)."""
        starts, sizes = self.loop_start, self.face_sizes
        n_tri = sizes - 2
        face_of_tri = np.repeat(np.arange(len(sizes)), n_tri)
        k = np.arange(n_tri.sum()) - np.repeat(np.cumsum(n_tri) - n_tri, n_tri)
        base = starts[face_of_tri]
        lv = self.loop_vertex
        return np.stack([lv[base], lv[base + k + 1], lv[base + k + 2]], axis=1)


@cache
def _template_arrays(path: str) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def template_card(user_dir=None) -> dict:
    """Attribution, source hash, frame and stature of the template avatar."""
    return json.loads(artifacts.find(TEMPLATE_CARD, user_dir).read_text())


def template_body_parts(user_dir=None) -> np.ndarray:
    """(V,) uint8 per template body vertex: index into ``vocabulary.BODY_PARTS`` (from the skin weights)."""
    path = artifacts.find(TEMPLATE_NPZ, user_dir)
    try:
        return _template_arrays(str(path))["body/part"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise MeshError(f"the template {path} has no body part labels ({type(exc).__name__}: {exc}): reinstall the "
                        "add-on, or rebuild it with python -m models.template.build_template") from exc


def load_template(part: str = "body", user_dir=None) -> MeshData:
    """The template avatar's body, or one of its CC0 helper garments (``tights``, ``skirt``)."""
    if part not in TEMPLATE_PARTS:
        raise MeshError(f"unknown template part '{part}': choose one of {', '.join(TEMPLATE_PARTS)}")
    path = artifacts.find(TEMPLATE_NPZ, user_dir)
    try:
        arrays = _template_arrays(str(path))
        mesh = MeshData(
            co=arrays[f"{part}/co"],
            face_sizes=arrays[f"{part}/face_sizes"],
            loop_vertex=arrays[f"{part}/loop_vertex"],
            loop_uv=arrays[f"{part}/loop_uv"],
        )
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise MeshError(f"the template mesh {path} is unreadable ({type(exc).__name__}: {exc}): reinstall the "
                        "add-on, or rebuild it with python -m models.template.build_template") from exc
    return mesh.validate(f"template {part}")


def vertex_normals(co: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals (outward on a closed, consistently wound mesh such as the body)."""
    fn = np.cross(co[tris[:, 1]] - co[tris[:, 0]], co[tris[:, 2]] - co[tris[:, 0]])
    idx = tris.ravel()
    vn = np.stack([np.bincount(idx, np.repeat(fn[:, c], 3), len(co)) for c in range(3)], 1)
    return vn / (np.linalg.norm(vn, axis=1, keepdims=True) + 1e-12)
