"""How a garment fits a body: ease at chest, waist and hips, and where the body pokes through.

Ease is measured, not recalled: the garment's own horizontal section at the body's landmark level,
as a tape would read it (convex hull perimeter), minus the body's girth there. A body vertex pokes
through when its closest point on the garment is inside a piece (not on its edge: a hand below a
hem is not a poke) and it lies on the outer side of the cloth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import closest, sections
from .measure import Measurer
from .mesh import MeshData
from .vocabulary import SLIDERS

LEVELS = {"chest": "bust_l", "waist": "navel", "hips": "buttock"}  # the levels Measurer reads these girths at
POKE_TOLERANCE_M = 0.0005  # thinner than any cloth
NEAR_M = 0.08  # a body vertex farther than this from the cloth is not judged (deeper pokes do not happen)
LEVEL_MARGIN_M = 0.005  # a girth level this close to the garment's top or hem is not read


@dataclass(frozen=True)
class Fit:
    ease: dict  # level -> cm (garment girth - body girth), NaN where the garment does not reach
    garment_girth: dict  # level -> cm
    body_girth: dict  # level -> cm
    pokes: int  # body vertices through the cloth
    poke_depth_mm: float  # the deepest of them

    def summary(self) -> str:
        parts = [f"{k} {v:+.1f} cm" for k, v in self.ease.items() if np.isfinite(v)]
        tight = [k for k, v in self.ease.items() if np.isfinite(v) and v < 0]
        text = "ease " + ", ".join(parts) if parts else "no ease levels covered"
        if tight:
            text += f" (negative at {', '.join(tight)}: a stretch fabric, drawn skin-tight)"
        if self.pokes:
            text += f"; {self.pokes} body vertices through the cloth (up to {self.poke_depth_mm:.1f} mm)"
        return text


def _girth_at(co, tris, z) -> float:
    """Girth of the garment at height z; NaN where the cut is not closed all round (a hem or a slit that
    crosses the level after a body change: a tape could not go round there)."""
    pts, edges = sections.section_segments(co, tris, (0.0, 0.0, z), (0.0, 0.0, 1.0))
    if len(pts) < 2:
        return float("nan")
    _, count = np.unique(edges.reshape(-1, 2), axis=0, return_counts=True)
    if (count != 2).any():  # an edge crossed by one triangle only: the cut runs off the cloth
        return float("nan")
    return sections.hull_perimeter(pts.reshape(-1, 3), (0.0, 0.0, 1.0)) * 100.0


def _boundary_vertices(mesh: MeshData) -> np.ndarray:
    uniq, count = np.unique(mesh.loop_edges(), axis=0, return_counts=True)
    out = np.zeros(mesh.n_vertices, bool)
    out[uniq[count == 1].ravel()] = True
    return out


def measure(garment: MeshData, body_co: np.ndarray, measurer: Measurer, layers: list | None = None,
            trunk_faces: np.ndarray | None = None) -> Fit:
    """Fit of ``garment`` (vertices in the body's frame) on ``body_co`` (template topology).
    ``layers``: which faces cover which body vertices in the poke test (see ``through``); ``trunk_faces``:
    (F,) bool faces a girth is read on (default: all; sleeves left out, as a tape goes under the arms)."""
    body = measurer.check(body_co)
    lm = measurer.landmark_points(body)
    gco = np.asarray(garment.co, np.float64)
    gtris = garment.triangles()
    if trunk_faces is not None:
        gtris = gtris[np.repeat(np.asarray(trunk_faces, bool), garment.face_sizes - 2)]
    ease, g_girth, b_girth = {}, {}, {}
    tape = dict(zip(SLIDERS, measurer.slider_values(body), strict=True))  # the body's own girths at these levels
    for name, landmark in LEVELS.items():
        z = float(lm[landmark][2])
        b = float(tape[name])
        inside = gco[:, 2].min() + LEVEL_MARGIN_M < z < gco[:, 2].max() - LEVEL_MARGIN_M
        g = _girth_at(gco, gtris, z) if inside else float("nan")  # a level at the garment's edge: no ease
        b_girth[name], g_girth[name], ease[name] = b, g, g - b
    pokes, depth = through(garment, body, layers)
    return Fit(ease, g_girth, b_girth, pokes, depth)


def through(garment: MeshData, body_co: np.ndarray, layers: list | None = None) -> tuple[int, float]:
    """(count, deepest mm) of body vertices outside the cloth where the garment covers them.

    ``layers``: [(faces (F,) bool, body vertices (V,) bool it covers), ...] (default: all faces, all
    vertices). Pieces are layers when one is sewn under another (a sleeve's cap under the bodice): a
    vertex pokes through when a layer covering it has it outside and no layer has it inside."""
    body = np.asarray(body_co, np.float64)
    if layers is None:
        layers = [(np.ones(garment.n_faces, bool), np.ones(len(body), bool))]
    lo, hi = garment.co.min(0) - NEAR_M, garment.co.max(0) + NEAR_M
    near = ((body >= lo) & (body <= hi)).all(1)
    claimed = np.zeros(len(body), bool)
    inside = np.zeros(len(body), bool)
    depth = np.zeros(len(body))
    for faces, covers in layers:
        ids = np.flatnonzero(covers & near)
        if not len(ids) or not np.any(faces):
            continue
        side = cloth_side(faces_of(garment, faces), body[ids], within=NEAR_M)
        claimed[ids] |= side.interior
        inside[ids] |= side.interior & (side.signed <= POKE_TOLERANCE_M)
        depth[ids] = np.maximum(depth[ids], np.where(side.interior, side.signed, 0.0))
    out = claimed & ~inside
    return int(out.sum()), float(depth[out].max() * 1000.0) if out.any() else 0.0


def faces_of(mesh: MeshData, keep: np.ndarray) -> MeshData:
    """The polygons ``keep`` of ``mesh`` (all vertices kept)."""
    loops = np.repeat(keep, mesh.face_sizes)
    return MeshData(mesh.co, mesh.face_sizes[keep], mesh.loop_vertex[loops])


@dataclass(frozen=True)
class ClothSide:
    """Where points lie against a cloth surface (one row per point)."""
    signed: np.ndarray  # (N,) metres from the closest cloth point, positive on the outer side (inf: not near)
    interior: np.ndarray  # (N,) the closest point is inside the cloth, not on its edge (False where not near)
    tri: np.ndarray  # (N,) closest triangle of ``mesh.triangles()`` (-1: not near)
    bary: np.ndarray  # (N, 3) its barycentric weights
    normal: np.ndarray  # (N, 3) unit pseudonormal there (outward)


def cloth_side(mesh: MeshData, p: np.ndarray, within: float | None = None) -> ClothSide:
    """Signed distance of points ``p`` from their closest point on ``mesh`` (positive: outside, along the
    outward normal) and whether that closest point is inside the cloth rather than on its edge.

    The side is read from the pseudonormal of the closest feature (Baerentzen & Aanaes 2005): the face
    normal inside a face, the sum of the two face normals on an edge, the angle-weighted normal at a
    vertex. A single face's normal gets it wrong at a crease: a point above a trouser crotch seam has its
    closest point on the seam, where either leg's face normal points sideways. ``within``: points farther
    than this from the cloth are not looked at (signed inf, interior False)."""
    gco = np.asarray(mesh.co, np.float64)
    tris = mesh.triangles()
    p = np.asarray(p, np.float64)
    tri, bary, _ = closest.closest_points(p, gco, tris, within=within)
    found = tri >= 0
    a, b, c = gco[tris[:, 0]], gco[tris[:, 1]], gco[tris[:, 2]]
    fn = np.cross(b - a, c - a)
    fn /= np.linalg.norm(fn, axis=1, keepdims=True) + 1e-20
    t = tris[np.maximum(tri, 0)]
    nz = bary > 1e-9
    count = nz.sum(1)
    normal = fn[np.maximum(tri, 0)]
    at_vertex = found & (count == 1)
    if at_vertex.any():
        normal[at_vertex] = _vertex_normals(gco, tris, fn)[t[at_vertex, np.argmax(nz[at_vertex], 1)]]
    at_edge = np.flatnonzero(found & (count == 2))
    if len(at_edge):
        keys, edge_normal = _edge_normals(tris, fn, len(gco))
        ends = np.sort(t[at_edge][nz[at_edge]].reshape(-1, 2), 1)
        normal[at_edge] = edge_normal[np.searchsorted(keys, ends[:, 0] * len(gco) + ends[:, 1])]
    normal /= np.linalg.norm(normal, axis=1, keepdims=True) + 1e-20
    q = (gco[t] * bary[..., None]).sum(1)
    edge = _boundary_vertices(mesh)
    # On an edge of the cloth: the closest point is on a boundary vertex or between two of them.
    on_edge = ((bary > 1e-6) & ~edge[t]).sum(1) == 0
    signed = np.where(found, ((p - q) * normal).sum(1), np.inf)
    return ClothSide(signed, found & ~on_edge, tri, bary, normal)


def _vertex_normals(co: np.ndarray, tris: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """Angle-weighted vertex normals (unnormalised)."""
    out = np.zeros_like(co)
    for k in range(3):
        u = co[tris[:, (k + 1) % 3]] - co[tris[:, k]]
        w = co[tris[:, (k + 2) % 3]] - co[tris[:, k]]
        cos = (u * w).sum(1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(w, axis=1) + 1e-20)
        np.add.at(out, tris[:, k], fn * np.arccos(np.clip(cos, -1, 1))[:, None])
    return out


def _edge_normals(tris: np.ndarray, fn: np.ndarray, n_vertices: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted edge keys (lo * n + hi) and, per edge, the sum of its faces' normals."""
    e = np.sort(np.concatenate([tris[:, [0, 1]], tris[:, [1, 2]], tris[:, [2, 0]]]), 1)
    keys, inverse = np.unique(e[:, 0] * n_vertices + e[:, 1], return_inverse=True)
    out = np.zeros((len(keys), 3))
    np.add.at(out, inverse, np.tile(fn, (3, 1)))
    return keys, out


def normal_variation(mesh: MeshData, co: np.ndarray | None = None) -> float:
    """Mean angle (degrees) between the normals of faces sharing an edge: flat cloth ~0, folds raise it."""
    co = np.asarray(mesh.co if co is None else co, np.float64)
    tris = mesh.triangles()
    face = np.repeat(np.arange(mesh.n_faces), mesh.face_sizes - 2)
    n = np.cross(co[tris[:, 1]] - co[tris[:, 0]], co[tris[:, 2]] - co[tris[:, 0]])
    fn = np.zeros((mesh.n_faces, 3))
    np.add.at(fn, face, n)  # polygon normal: sum of its fan's (area-weighted)
    fn /= np.linalg.norm(fn, axis=1, keepdims=True) + 1e-20
    lv, start = mesh.loop_vertex, mesh.loop_start
    nxt = np.arange(len(lv)) + 1
    nxt[start + mesh.face_sizes - 1] = start
    loop_face = np.repeat(np.arange(mesh.n_faces), mesh.face_sizes)
    e = np.sort(np.stack([lv, lv[nxt]], 1), 1)
    order = np.lexsort((e[:, 1], e[:, 0]))
    e, loop_face = e[order], loop_face[order]
    same = (e[1:] == e[:-1]).all(1)
    a, b = loop_face[:-1][same], loop_face[1:][same]
    cos = np.clip((fn[a] * fn[b]).sum(1), -1, 1)
    return float(np.degrees(np.arccos(cos)).mean()) if len(cos) else 0.0
