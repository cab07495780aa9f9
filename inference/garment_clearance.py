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

from . import garment
from .garment_fit import NEAR_M, POKE_TOLERANCE_M, cloth_side, faces_of
from .garment_shape import BodyCut
from .mesh import MeshData, vertex_normals

MARGIN_M = 0.002  # cloth kept this far outside the skin (the poke test allows 0.5 mm)
SPREAD_RINGS = 4  # neighbour rings a push fades over
FALLOFF = 0.6  # share of a push each ring passes on
ROUNDS = 8  # at most; most garments are clear after one


@dataclass(frozen=True)
class Resolved:
    co: np.ndarray  # (N, 3) garment vertices after the pushes
    pokes: int  # body vertices still through the cloth after the last round
    rounds: int  # rounds of pushes in ``co``
    max_push_mm: float


class Clearance:
    """What one made-to-measure garment needs for it, kept with its topology: its faces, which of them are
    sleeves and how long those are, and its edges to spread a push on."""

    def __init__(self, mesh: MeshData, sleeve_cm: float, sleeve_faces: np.ndarray | None, body_tris: np.ndarray,
                 body_parts: np.ndarray, margin: float = MARGIN_M, rounds: int = ROUNDS):
        self.mesh, self.sleeve_cm, self.margin, self.rounds = mesh, float(sleeve_cm), margin, rounds
        self.sleeve_faces = None if sleeve_faces is None else np.asarray(sleeve_faces, bool)
        self.body_tris, self.body_parts = np.asarray(body_tris), np.asarray(body_parts)
        e = np.unique(mesh.loop_edges(), axis=0)
        self.src, self.dst = np.concatenate([e[:, 0], e[:, 1]]), np.concatenate([e[:, 1], e[:, 0]])

    def resolve(self, co: np.ndarray, body: np.ndarray, cut: BodyCut) -> Resolved:
        """Garment vertices ``co`` (the body's frame) pushed out of ``body`` (template topology; ``cut`` is
        ``garment.body_cut(body)``, shared by every garment on it)."""
        g = np.array(co, np.float64)
        body = np.asarray(body, np.float64)
        placed = MeshData(g.astype(np.float32), self.mesh.face_sizes, self.mesh.loop_vertex)
        layers = garment.layers(placed, self.sleeve_cm, self.sleeve_faces, cut, self.body_parts)
        meshes = [faces_of(placed, faces) for faces, _ in layers]
        n = len(g)
        moved = np.zeros(n)
        best = ((np.inf, np.inf), 0, g, 0, moved)  # where two body parts squeeze one cloth (thighs that
        rounds = 0  # touch) a push can uncover more than it covers: the round with the fewest pokes is kept
        for _ in range(self.rounds + 1):
            need, tri, bary, normal, which, pokes = self._needs(g, body, layers, meshes)
            if (pokes, need.sum()) < best[0]:
                best = ((pokes, need.sum()), pokes, g.copy(), rounds, moved.copy())
            if not len(need) or rounds == self.rounds or (pokes == 0 and rounds > 0):
                break
            push = np.zeros(n)
            direction = np.zeros((n, 3))
            for k, m in enumerate(meshes):
                sel = which == k
                if not sel.any():
                    continue
                corners = m.triangles()[tri[sel]]  # (P, 3) garment vertex ids
                # The least push of the corners that moves the closest point by the need: it does not
                # depend on which of two triangles meeting at that point was found.
                w = bary[sel]
                amount = (need[sel, None] * w / (w * w).sum(1, keepdims=True)).ravel()
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
        _, pokes, g, rounds, moved = best
        return Resolved(g, pokes, rounds, float(moved.max() * 1000.0))

    def _needs(self, g: np.ndarray, body: np.ndarray, layers: list, meshes: list[MeshData]):
        """For each covered body vertex that no layer holds inside by the margin: how far to push the layer
        it is least outside of, that layer's closest triangle and the point on it, and the direction; and
        how many are through the cloth (the poke test's count).

        A sleeve is pushed along its own normal (it wraps one limb; at the armpit the skin faces into the
        crease, towards the trunk). The body's piece spans hollows (between the legs, the buttocks' cleft)
        where a transferred cloth can fold over itself and its normal points anywhere: it is pushed the way
        the skin faces, until the cloth point is beyond the skin by the margin."""
        lo, hi = g.min(0) - NEAR_M, g.max(0) + NEAR_M
        near = ((body >= lo) & (body <= hi)).all(1)
        nb = len(body)
        best = np.full(nb, np.inf)  # smallest signed distance (outward positive) over the layers claiming it
        tri = np.full(nb, -1)
        bary = np.zeros((nb, 3))
        normal = np.zeros((nb, 3))
        which = np.full(nb, -1)
        for k, ((_, covers), m) in enumerate(zip(layers, meshes, strict=True)):
            ids = np.flatnonzero(covers & near)
            if not len(ids):
                continue
            side = cloth_side(MeshData(g.astype(np.float32), m.face_sizes, m.loop_vertex), body[ids], within=NEAR_M)
            better = side.interior & (side.signed < best[ids])
            sel = ids[better]
            best[sel], tri[sel], bary[sel] = side.signed[better], side.tri[better], side.bary[better]
            normal[sel], which[sel] = side.normal[better], k
        pokes = int((np.isfinite(best) & (best > POKE_TOLERANCE_M)).sum())  # as Measure Fit counts them
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
        return need, tri[out], bary[out], direction, which[out], pokes
