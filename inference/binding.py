"""Binding a mesh of any topology (avatar, garment) to the template body, and transferring shape offsets.

Computed once: each vertex gets the closest point on the template's rest surface (triangle +
barycentric weights). Per slider tick the template's displacement is interpolated at those points:
one gather and a weighted sum, O(vertices).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from . import closest
from .errors import EngineError


class BindingError(EngineError, ValueError):
    """A mesh that cannot be bound, or a binding that no longer fits its mesh; the message names the fix."""


MAX_AVATAR_P95_M = 0.10  # an avatar whose vertices are mostly farther than this from the template does not line up


def check_avatar_frame(co: np.ndarray, template_co: np.ndarray, name: str = "the mesh") -> None:
    """Refuse a body mesh in other units or orientation than the template (metres, Z up, standing on the
    floor at the origin), with the fix; binding it anyway would follow the sliders with metre-sized jumps."""
    ext = np.ptp(np.asarray(co, np.float64), axis=0)
    height = float(np.ptp(template_co[:, 2]))
    tall = float(ext.max())
    if tall > 20 * height:
        raise BindingError(f"{name} is {tall:.0f} units tall: it looks modelled in centimetres (or millimetres). "
                           "Scale it to metres (S 0.01, then Object > Apply > Scale) and bind again")
    if tall < 0.2 * height:
        raise BindingError(f"{name} is only {tall:.3f} units tall: it looks scaled down (object scale not applied?). "
                           "Give it real size in metres (Object > Apply > Scale) and bind again")
    if ext[2] < 0.6 * tall:
        axis = "XYZ"[int(np.argmax(ext))]
        raise BindingError(f"{name} lies along {axis}, not Z: the body model stands up along Z. Rotate it upright "
                           "(e.g. R X 90 for a Y-up import), apply the rotation and bind again")


def check_lines_up(b: Binding, name: str = "the mesh") -> None:
    """Refuse an avatar that is upright and in metres but not standing where the template stands."""
    p95 = float(np.percentile(b.distance, 95)) if len(b.distance) else 0.0
    if p95 > MAX_AVATAR_P95_M:
        raise BindingError(f"{name} does not line up with the body model (95 % of its vertices within "
                           f"{p95 * 100:.0f} cm of the template): move it to stand at the origin on the floor, "
                           "facing -Y, in an A-pose, and bind again")


@dataclass(frozen=True, eq=False)
class Binding:
    vertex_ids: np.ndarray  # (N, 3) template vertex ids of the triangle each vertex is bound to
    weights: np.ndarray  # (N, 3) float32 barycentric weights
    distance: np.ndarray  # (N,) metres from the rest surface when bound
    identity: bool = False  # the mesh *is* in the template topology (MakeHuman/MPFB avatars)

    @functools.cached_property
    def _columns(self) -> tuple[np.ndarray, np.ndarray]:
        """Contiguous per-corner index and weight columns for the per-tick gather."""
        ids = np.ascontiguousarray(self.vertex_ids.T)
        w = np.ascontiguousarray(self.weights.T[..., None], dtype=np.float32)
        return ids, w

    @property
    def n_vertices(self) -> int:
        return int(self.weights.shape[0])

    @classmethod
    def compute(cls, co: np.ndarray, template_co: np.ndarray, template_tris: np.ndarray, progress=None) -> Binding:
        """Bind vertices ``co`` (metres, Z up, the template's frame) to the template's surface.
        ``progress(fraction)`` is called as it goes and may raise to cancel."""
        co = np.asarray(co, np.float64)
        if co.ndim != 2 or co.shape[1] != 3 or len(co) == 0:
            raise BindingError("cannot bind an empty mesh: it has no vertices")
        if not np.isfinite(co).all():
            raise BindingError("cannot bind a mesh with NaN/inf vertex positions: fix those vertices first")
        if len(co) == len(template_co) and np.abs(co - template_co).max() < 0.05:
            ids = np.repeat(np.arange(len(co))[:, None], 3, 1)
            w = np.zeros((len(co), 3), np.float32)
            w[:, 0] = 1
            return cls(ids, w, np.zeros(len(co), np.float32), identity=True)
        tri, bary, dist = closest.closest_points(co, template_co, template_tris, progress=progress)
        return cls(template_tris[tri].astype(np.int64), bary.astype(np.float32), dist.astype(np.float32))

    def transfer(self, template_offsets: np.ndarray) -> np.ndarray:
        """(V, 3) template displacement -> (N, 3) displacement of the bound mesh."""
        d = np.asarray(template_offsets, np.float32)
        if self.identity:
            return d.copy()
        ids, w = self._columns
        # Three np.take gathers into one buffer: ~5x faster than fancy indexing or an (N, 3, 3) einsum.
        out = np.take(d, ids[0], axis=0)
        out *= w[0]
        for k in (1, 2):
            tmp = np.take(d, ids[k], axis=0)
            tmp *= w[k]
            out += tmp
        return out


class DisplacementSmoother:
    """Smooths transferred displacements over a garment's own edges where it stands off the body.

    A loose garment (a skirt) spans gaps between body parts: its vertices between the legs are bound to
    the left or the right thigh, and a wider body would tear it open along that line. Vertices further
    than ``near`` from the body blend towards the mean displacement of their neighbours (fully beyond
    ``near + ramp``); skin-tight vertices keep the exact transfer.
    """

    def __init__(self, edges: np.ndarray, distance: np.ndarray, iterations: int = 20, near: float = 0.01,
                 ramp: float = 0.03):
        n = len(distance)
        alpha = np.clip((np.asarray(distance, np.float32) - near) / ramp, 0, 1)
        e = np.asarray(edges, np.int64).reshape(-1, 2)
        e = e[(alpha[e[:, 0]] > 0) | (alpha[e[:, 1]] > 0)]  # only edges that can move a loose vertex
        self.active = bool(alpha.any()) and len(e) > 0
        self.iterations, self.n = iterations, n
        # Both directions of every edge, as flat (vertex, coordinate) indices: 2 bincounts per iteration.
        src, dst = np.concatenate([e[:, 1], e[:, 0]]), np.concatenate([e[:, 0], e[:, 1]])
        self.src3 = (src[:, None] * 3 + np.arange(3)).ravel()
        self.dst3 = (dst[:, None] * 3 + np.arange(3)).ravel()
        degree = np.maximum(np.bincount(dst, minlength=n), 1).astype(np.float32)
        self.alpha = alpha[:, None]
        self.inv_degree = (1.0 / degree)[:, None]

    def apply(self, delta: np.ndarray) -> np.ndarray:
        if not self.active:
            return delta
        d = delta.astype(np.float32, copy=True)
        flat = d.reshape(-1)
        for _ in range(self.iterations):
            s = np.bincount(self.dst3, flat[self.src3], 3 * self.n).reshape(-1, 3)
            # Vertices with no loose neighbourhood keep d (their alpha is 0: the update vanishes).
            d += self.alpha * (s.astype(np.float32) * self.inv_degree - d)
        return d
