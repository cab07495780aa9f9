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
    pts, _ = sections.section_segments(co, tris, (0.0, 0.0, z), (0.0, 0.0, 1.0))
    if len(pts) < 2:
        return float("nan")
    return sections.hull_perimeter(pts.reshape(-1, 3), (0.0, 0.0, 1.0)) * 100.0


def _boundary_vertices(mesh: MeshData) -> np.ndarray:
    lv = mesh.loop_vertex
    start = mesh.loop_start
    nxt = np.arange(len(lv)) + 1
    ends = start + mesh.face_sizes
    nxt[ends - 1] = start
    e = np.sort(np.stack([lv, lv[nxt]], 1), 1)
    uniq, count = np.unique(e, axis=0, return_counts=True)
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
    lo, hi = garment.co.min(0) - 0.05, garment.co.max(0) + 0.05
    near = ((body >= lo) & (body <= hi)).all(1)
    claimed = np.zeros(len(body), bool)
    inside = np.zeros(len(body), bool)
    depth = np.zeros(len(body))
    for faces, covers in layers:
        ids = np.flatnonzero(covers & near)
        if not len(ids) or not np.any(faces):
            continue
        signed, interior = _side_of(_faces(garment, faces), body[ids])
        claimed[ids] |= interior
        inside[ids] |= interior & (signed <= POKE_TOLERANCE_M)
        depth[ids] = np.maximum(depth[ids], np.where(interior, signed, 0.0))
    out = claimed & ~inside
    return int(out.sum()), float(depth[out].max() * 1000.0) if out.any() else 0.0


def _faces(mesh: MeshData, keep: np.ndarray) -> MeshData:
    """The polygons ``keep`` of ``mesh`` (all vertices kept)."""
    loops = np.repeat(keep, mesh.face_sizes)
    return MeshData(mesh.co, mesh.face_sizes[keep], mesh.loop_vertex[loops])


def _side_of(mesh: MeshData, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Signed distance of points ``p`` from their closest point on ``mesh`` (positive: outside, along the
    face normal) and whether that closest point is inside the cloth rather than on its edge."""
    gco = np.asarray(mesh.co, np.float64)
    tris = mesh.triangles()
    tri, bary, _ = closest.closest_points(p, gco, tris)
    edge = _boundary_vertices(mesh)
    t = tris[tri]
    q = (gco[t] * bary[..., None]).sum(1)
    # On an edge of the cloth: the closest point is on a boundary vertex or between two of them.
    on_edge = ((bary > 1e-6) & ~edge[t]).sum(1) == 0
    a, b, c = gco[t[:, 0]], gco[t[:, 1]], gco[t[:, 2]]
    n = np.cross(b - a, c - a)
    n /= np.linalg.norm(n, axis=1, keepdims=True) + 1e-20
    return ((p - q) * n).sum(1), ~on_edge


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
