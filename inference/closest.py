"""Closest points on a triangle mesh, numpy only (no spatial-index packages inside Blender).

Exact: candidate triangles are pruned with bounding spheres, then the closest point on each
candidate is solved in closed form (Ericson, Real-Time Collision Detection 5.1.5, vectorised).
"""

from __future__ import annotations

import numpy as np


def nearest_vertices(points: np.ndarray, co: np.ndarray, k: int = 1, chunk: int = 2048) -> np.ndarray:
    """(N, k) indices of the k nearest rows of ``co`` for each point (squared distances, chunked)."""
    points = np.asarray(points, np.float32)
    co = np.asarray(co, np.float32)
    sq = (co**2).sum(1)
    out = np.empty((len(points), k), np.int64)
    for s in range(0, len(points), chunk):
        p = points[s:s + chunk]
        d = sq[None, :] - 2.0 * (p @ co.T)  # |p|^2 is constant per row
        if k == 1:
            out[s:s + chunk, 0] = d.argmin(1)
        else:
            part = np.argpartition(d, k, axis=1)[:, :k]
            order = np.take_along_axis(d, part, 1).argsort(1)
            out[s:s + chunk] = np.take_along_axis(part, order, 1)
    return out


def closest_on_triangles(p: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray):
    """Closest points of points p (N,3) on triangles (a, b, c) (N,3 each); returns (point, bary)."""
    ab, ac, ap = b - a, c - a, p - a
    d1, d2 = (ab * ap).sum(1), (ac * ap).sum(1)
    bp = p - b
    d3, d4 = (ab * bp).sum(1), (ac * bp).sum(1)
    cp = p - c
    d5, d6 = (ab * cp).sum(1), (ac * cp).sum(1)
    va = d3 * d6 - d5 * d4
    vb = d5 * d2 - d1 * d6
    vc = d1 * d4 - d3 * d2
    n = len(p)
    bary = np.zeros((n, 3))
    done = np.zeros(n, bool)

    def put(mask, u, v, w):
        m = mask & ~done
        bary[m] = np.stack([u, v, w], 1)[m]
        done[m] = True

    one, zero = np.ones(n), np.zeros(n)
    put((d1 <= 0) & (d2 <= 0), one, zero, zero)  # vertex a
    put((d3 >= 0) & (d4 <= d3), zero, one, zero)  # vertex b
    put((d6 >= 0) & (d5 <= d6), zero, zero, one)  # vertex c
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.nan_to_num(d1 / (d1 - d3))
        put((vc <= 0) & (d1 >= 0) & (d3 <= 0), 1 - t, t, zero)  # edge ab
        t = np.nan_to_num(d2 / (d2 - d6))
        put((vb <= 0) & (d2 >= 0) & (d6 <= 0), 1 - t, zero, t)  # edge ac
        t = np.nan_to_num((d4 - d3) / ((d4 - d3) + (d5 - d6)))
        put((va <= 0) & ((d4 - d3) >= 0) & ((d5 - d6) >= 0), zero, 1 - t, t)  # edge bc
        denom = va + vb + vc
        v = np.nan_to_num(vb / denom)
        w = np.nan_to_num(vc / denom)
    put(np.ones(n, bool), 1 - v - w, v, w)  # inside the face
    point = bary[:, :1] * a + bary[:, 1:2] * b + bary[:, 2:] * c
    return point, bary


def closest_points(points: np.ndarray, co: np.ndarray, tris: np.ndarray, chunk: int = 512):
    """For each point: (triangle index, barycentric weights, distance) of its exact closest surface point.

    Each triangle is bounded by a sphere around its centroid. A point's distance to the mesh is at
    most min(|p - c| + r); only triangles whose sphere comes closer than that bound can hold the
    closest point, and only those (point, triangle) pairs are solved exactly.
    """
    points = np.asarray(points, np.float64)
    co64 = np.asarray(co, np.float64)
    a, b, c = co64[tris[:, 0]], co64[tris[:, 1]], co64[tris[:, 2]]
    centre = (a + b + c) / 3
    radius = np.sqrt(np.maximum.reduce([((v - centre) ** 2).sum(1) for v in (a, b, c)]))
    c32, r32 = centre.astype(np.float32), radius.astype(np.float32)
    csq = (c32**2).sum(1)
    best_t = np.zeros(len(points), np.int64)
    best_b = np.zeros((len(points), 3))
    best_d = np.full(len(points), np.inf)
    for s in range(0, len(points), chunk):
        p = points[s:s + chunk]
        p32 = p.astype(np.float32)
        dist = np.sqrt(np.maximum(csq[None] - 2 * (p32 @ c32.T) + (p32**2).sum(1)[:, None], 0))
        upper = (dist + r32).min(1) + 1e-6
        rows, cols = np.nonzero(dist - r32 <= upper[:, None])
        q, bary = closest_on_triangles(p[rows], a[cols], b[cols], c[cols])
        d = np.linalg.norm(p[rows] - q, axis=1)
        order = np.lexsort((d, rows))  # per row, the smallest distance first
        first = np.ones(len(order), bool)
        first[1:] = rows[order][1:] != rows[order][:-1]
        sel = order[first]
        r = rows[sel] + s
        best_t[r], best_b[r], best_d[r] = cols[sel], bary[sel], d[sel]
    return best_t, best_b, best_d
