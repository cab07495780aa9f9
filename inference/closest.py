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


def _solve_pairs(p, rows, cols, a, b, c):
    """Exact closest points for (point row, triangle col) pairs; per row the nearest one.
    Returns (rows found, triangle, bary, distance)."""
    q, bary = closest_on_triangles(p[rows], a[cols], b[cols], c[cols])
    d = np.linalg.norm(p[rows] - q, axis=1)
    order = np.lexsort((d, rows))  # per row, the smallest distance first
    first = np.ones(len(order), bool)
    first[1:] = rows[order][1:] != rows[order][:-1]
    sel = order[first]
    return rows[sel], cols[sel], bary[sel], d[sel]


SPAN = 5  # cells per axis searched around a point before falling back to all triangles


class _TriangleGrid:
    """Every triangle listed in each cubic cell (side ``h``) its bounding box overlaps; sorted by cell."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray, h: float):
        self.h = h
        self.origin = lo.min(0) - h
        c_lo = np.floor((lo - self.origin) / h).astype(np.int64)
        c_hi = np.floor((hi - self.origin) / h).astype(np.int64)
        self.dims = c_hi.max(0) + 2
        span = c_hi - c_lo + 1  # (T, 3) cells per axis
        n = span.prod(1)
        tri = np.repeat(np.arange(len(lo)), n)
        k = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)  # index within the triangle's box
        sy, sz = span[tri, 1], span[tri, 2]
        cell = c_lo[tri] + np.stack([k // (sy * sz), (k // sz) % sy, k % sz], 1)
        key = self.key(cell)
        order = np.argsort(key, kind="stable")
        self.sorted_keys, self.tri = key[order], tri[order]

    def key(self, cell):
        return (cell[..., 0] * self.dims[1] + cell[..., 1]) * self.dims[2] + cell[..., 2]

    def cell_of(self, p):
        return np.floor((p - self.origin) / self.h).astype(np.int64)

    def pairs(self, cells: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, triangle) for every triangle listed in ``cells`` (M, 3), each cell belonging to ``rows`` (M,)."""
        inside = ((cells >= 0) & (cells < self.dims)).all(1)
        cells, rows = cells[inside], rows[inside]
        keys = self.key(cells)
        start = np.searchsorted(self.sorted_keys, keys, "left")
        count = np.searchsorted(self.sorted_keys, keys, "right") - start
        out_rows = np.repeat(rows, count)
        within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        return out_rows, self.tri[np.repeat(start, count) + within]


def _box_distance(p, lo, hi):
    return np.linalg.norm(np.maximum(np.maximum(lo - p, p - hi), 0.0), axis=1)


def closest_points(points: np.ndarray, co: np.ndarray, tris: np.ndarray, chunk: int = 4096, progress=None,
                   within: float | None = None):
    """For each point: (triangle index, barycentric weights, distance) of its exact closest surface point.

    Triangles are listed in every grid cell their bounding box overlaps, vertices in the cell they are
    in. A point's distance to the nearest vertex in the 27 cells around it bounds its distance to the
    surface (u); the closest triangle must touch the ball of radius u, so only triangles listed in the
    cells that ball touches, with a bounding box closer than u, are solved exactly. Points with no vertex
    near (far from the surface) are searched against all triangles. ``progress(fraction)`` is called per
    chunk (it may raise to cancel). With ``within`` (metres) only surface points that close are looked
    for: a point farther from every triangle gets distance inf and triangle -1 (no brute force: fast for
    clearance checks, where only what is near the surface matters).
    """
    points = np.asarray(points, np.float64)
    co64 = np.asarray(co, np.float64)
    a, b, c = co64[tris[:, 0]], co64[tris[:, 1]], co64[tris[:, 2]]
    lo, hi = np.minimum(np.minimum(a, b), c), np.maximum(np.maximum(a, b), c)
    h = max(float(np.median(hi - lo)) * 3.0, 1e-3)  # ~1.3 cm on the template
    if within is not None:
        h = max(h, 2.0 * within / (SPAN - 1))  # a ball of radius ``within`` fits the SPAN-cell block
    grid = _TriangleGrid(lo, hi, h)
    on_surface = co64[np.unique(tris)]  # only vertices on a triangle bound the distance to the surface
    verts = _TriangleGrid(on_surface, on_surface, h)  # vertices as zero-size boxes
    best_t = np.zeros(len(points), np.int64) if within is None else np.full(len(points), -1, np.int64)
    best_b = np.zeros((len(points), 3))
    best_d = np.full(len(points), np.inf)
    ring = np.stack(np.meshgrid(*[np.arange(-1, 2)] * 3, indexing="ij"), -1).reshape(-1, 3)
    block = np.stack(np.meshgrid(*[np.arange(SPAN)] * 3, indexing="ij"), -1).reshape(-1, 3)
    pair_block = np.stack(np.meshgrid(*[np.arange(2)] * 3, indexing="ij"), -1).reshape(-1, 3)
    for s in range(0, len(points), chunk):
        if progress is not None:
            progress(s / max(len(points), 1))
        p = points[s:s + chunk]
        own = verts.cell_of(p)
        rows, ids = verts.pairs((own[:, None, :] + ring[None]).reshape(-1, 3), np.repeat(np.arange(len(p)), 27))
        u = np.full(len(p), np.inf)
        if len(rows):  # rows come out sorted (cells are asked point by point): a segmented minimum
            first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            u[rows[first]] = np.minimum.reduceat(np.linalg.norm(p[rows] - on_surface[ids], axis=1), first)
        if within is not None:
            u = np.minimum(u, within)  # the closest point, if it is within reach, is in this ball
        near = np.flatnonzero(u <= (SPAN - 1) * h / 2)  # the ball spans at most SPAN cells per axis
        c_lo, c_hi = grid.cell_of(p[near] - u[near, None]), grid.cell_of(p[near] + u[near, None])
        small = (c_hi - c_lo).max(1) <= 1  # most points: the ball fits a 2x2x2 block
        parts_r, parts_c = [], []
        for mask, offs in ((small, pair_block), (~small, block)):
            cells = c_lo[mask][:, None, :] + offs[None]  # (n, k^3, 3)
            used = (cells <= c_hi[mask][:, None, :]).all(2)
            r_, c_ = grid.pairs(cells[used], np.repeat(near[mask], len(offs))[used.ravel()])
            parts_r.append(r_)
            parts_c.append(c_)
        rows2, cols2 = np.concatenate(parts_r), np.concatenate(parts_c)
        keep = _box_distance(p[rows2], lo[cols2], hi[cols2]) <= u[rows2]
        pair = np.unique(rows2[keep] * len(tris) + cols2[keep])  # a triangle listed in several cells: once
        r, t, bary, d = _solve_pairs(p, pair // len(tris), pair % len(tris), a, b, c)
        if within is not None:
            r, t, bary, d = (x[d <= within] for x in (r, t, bary, d))
        best_t[s + r], best_b[s + r], best_d[s + r] = t, bary, d
    far = np.flatnonzero(~np.isfinite(best_d)) if within is None else np.zeros(0, np.int64)
    if len(far):  # no vertex near: brute force against every triangle's bounding sphere
        centre = (a + b + c) / 3
        radius = np.sqrt(np.maximum.reduce([((v - centre) ** 2).sum(1) for v in (a, b, c)]))
        t, bary, d = _closest_brute(points[far], a, b, c, centre, radius)
        best_t[far], best_b[far], best_d[far] = t, bary, d
    if progress is not None:
        progress(1.0)
    return best_t, best_b, best_d


def _closest_brute(points, a, b, c, centre, radius, chunk: int = 512):
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
        r, t, bary, d = _solve_pairs(p, rows, cols, a, b, c)
        best_t[r + s], best_b[r + s], best_d[r + s] = t, bary, d
    return best_t, best_b, best_d
