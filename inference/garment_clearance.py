"""Keeping a bound garment outside its body: where the body pokes through after it changed, the cloth is
pushed out.

Binding moves each garment vertex with its closest body point, which is exact where the cloth lies on one
body part but not where two meet: under a set-in sleeve the armpit of a broader body rises into the
sleeve, and between the legs the crotch of a longer-legged one. After the transfer, every body vertex a
piece covers (``garment.layers``) that is not inside the cloth by ``margin`` pushes the triangle closest to
it outward by what is missing (see ``_needs`` for which way); the push fades over a few rings of
neighbours so the cloth bulges instead of tenting, and the check runs again (a push can uncover another
vertex) until nothing pokes or ``rounds`` are used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .garment_fit import cloth_side, faces_of
from .mesh import MeshData, vertex_normals

MARGIN_M = 0.002  # cloth kept this far outside the skin (the poke test allows 0.5 mm)
REACH_M = 0.04  # body vertices farther than this from the cloth (outside or in) are not looked at
SPREAD_RINGS = 4  # neighbour rings a push fades over
FALLOFF = 0.6  # share of a push each ring passes on


@dataclass(frozen=True)
class Resolved:
    co: np.ndarray  # (N, 3) garment vertices after the pushes
    pokes: int  # body vertices still through the cloth after the last round
    rounds: int  # rounds that pushed
    max_push_mm: float


class Clearance:
    """Per garment topology: which faces cover which body vertices, and the garment's edges to spread on."""

    def __init__(self, mesh: MeshData, layers: list, body_tris: np.ndarray, margin: float = MARGIN_M,
                 rounds: int = 4):
        self.mesh, self.layers, self.margin, self.rounds = mesh, layers, margin, rounds
        self.body_tris = np.asarray(body_tris)
        self.layer_meshes = [faces_of(mesh, faces) for faces, _ in layers]
        lv, start = mesh.loop_vertex, mesh.loop_start
        nxt = np.arange(len(lv)) + 1
        nxt[start + mesh.face_sizes - 1] = start
        e = np.unique(np.sort(np.stack([lv, lv[nxt]], 1), 1), axis=0)
        self.src, self.dst = np.concatenate([e[:, 0], e[:, 1]]), np.concatenate([e[:, 1], e[:, 0]])

    def resolve(self, co: np.ndarray, body: np.ndarray) -> Resolved:
        """Garment vertices ``co`` (the body's frame) pushed out of ``body`` (template topology)."""
        g = np.array(co, np.float64)
        body = np.asarray(body, np.float64)
        n = len(g)
        moved = np.zeros(n)
        rounds = 0
        pokes = 0
        for _ in range(self.rounds + 1):
            need, tri, normal, which = self._needs(g, body)
            pokes = int((need > self.margin).sum())  # through the cloth itself, not just within the margin
            if not len(need) or rounds == self.rounds:
                break
            push = np.zeros(n)
            direction = np.zeros((n, 3))
            for k, m in enumerate(self.layer_meshes):
                sel = which == k
                if not sel.any():
                    continue
                corners = m.triangles()[tri[sel]]  # (P, 3) garment vertex ids
                amount = np.repeat(need[sel], 3)
                v = corners.ravel()
                np.maximum.at(push, v, amount)
                np.add.at(direction, v, np.repeat(normal[sel], 3, 0) * amount[:, None])
            for _ in range(SPREAD_RINGS):  # fade the push over the neighbours
                passed = np.zeros(n)
                np.maximum.at(passed, self.dst, push[self.src] * FALLOFF)
                carried = np.zeros((n, 3))
                np.add.at(carried, self.dst, direction[self.src] * push[self.src, None])
                take = passed > push
                direction[take] = carried[take]
                push = np.maximum(push, passed)
            direction /= np.linalg.norm(direction, axis=1, keepdims=True) + 1e-20
            g += direction * push[:, None]
            moved += push
            rounds += 1
        return Resolved(g, pokes, rounds, float(moved.max() * 1000.0))

    def _needs(self, g: np.ndarray, body: np.ndarray):
        """For each covered body vertex that no layer holds inside by the margin: how far to push the layer
        it is least outside of, that layer's closest triangle, and the direction.

        A sleeve is pushed along its own normal (it wraps one limb; at the armpit the skin faces into the
        crease, towards the trunk). The body's piece spans hollows (between the legs, the buttocks' cleft)
        where a transferred cloth can fold over itself and its normal points anywhere: it is pushed the way
        the skin faces, until the cloth point is beyond the skin by the margin."""
        lo, hi = g.min(0) - REACH_M, g.max(0) + REACH_M
        near = ((body >= lo) & (body <= hi)).all(1)
        nb = len(body)
        best = np.full(nb, np.inf)  # smallest signed distance (outward positive) over the layers claiming it
        tri = np.full(nb, -1)
        normal = np.zeros((nb, 3))
        which = np.full(nb, -1)
        for k, ((_, covers), m) in enumerate(zip(self.layers, self.layer_meshes, strict=True)):
            ids = np.flatnonzero(covers & near)
            if not len(ids):
                continue
            side = cloth_side(MeshData(g.astype(np.float32), m.face_sizes, m.loop_vertex), body[ids], within=REACH_M)
            better = side.interior & (side.signed < best[ids])
            sel = ids[better]
            best[sel], tri[sel], normal[sel], which[sel] = side.signed[better], side.tri[better], \
                side.normal[better], k
        out = np.flatnonzero(np.isfinite(best) & (best > -self.margin))
        need = best[out] + self.margin
        direction = normal[out]
        on_body = which[out] == 0  # the first layer is the body's (garment.layers), the others sleeves
        if on_body.any():
            skin = vertex_normals(body, self.body_tris)[out[on_body]]
            cloth_point = body[out[on_body]] - best[out[on_body], None] * normal[out[on_body]]
            beyond = ((body[out[on_body]] - cloth_point) * skin).sum(1) + self.margin
            direction[on_body] = skin
            need[on_body] = np.maximum(beyond, 0.5 * need[on_body])
        return need, tri[out], direction, which[out]
