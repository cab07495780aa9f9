"""Plane sections of triangle meshes and tape-measure (convex hull) perimeters, in numpy only.

A girth is measured like a tape: the mesh is cut by a plane, the closed loop around the limb or
torso is picked out of the section, and the perimeter of its convex hull (the tape bridges
concavities such as the spine or between the breasts) is returned.
"""

from __future__ import annotations

import numpy as np


def section_segments(co: np.ndarray, tris: np.ndarray, origin, normal) -> tuple[np.ndarray, np.ndarray]:
    """Segments where a plane cuts the triangles.

    Returns ``points`` (S, 2, 3) and ``edges`` (S, 2, 2): for each segment end the mesh edge
    (sorted vertex pair) it lies on, so segments can be chained into loops.
    """
    normal = np.asarray(normal, np.float64)
    normal = normal / np.linalg.norm(normal)
    co = np.asarray(co, np.float64)
    rel = co[tris] - np.asarray(origin, np.float64)  # (T, 3, 3): only the triangles asked about
    dt = rel[..., 0] * normal[0] + rel[..., 1] * normal[1] + rel[..., 2] * normal[2]  # (T, 3), no BLAS call
    # Treat exact zeros as slightly positive so every crossing is on exactly two edges.
    pos = dt >= 0
    n_pos = pos.sum(1)
    cut = (n_pos == 1) | (n_pos == 2)
    tris_c, dt_c, pos_c = tris[cut], dt[cut], pos[cut]
    # The odd-one-out vertex: the single positive (n_pos == 1) or single negative one.
    lonely = np.where(pos_c.sum(1, keepdims=True) == 1, pos_c, ~pos_c)
    k = lonely.argmax(1)
    idx = np.arange(len(k))
    a = tris_c[idx, k]
    b = tris_c[idx, (k + 1) % 3]
    c = tris_c[idx, (k + 2) % 3]
    da, db, dc = dt_c[idx, k], dt_c[idx, (k + 1) % 3], dt_c[idx, (k + 2) % 3]
    t1 = (da / (da - db))[:, None]
    t2 = (da / (da - dc))[:, None]
    p1 = co[a] + t1 * (co[b] - co[a])
    p2 = co[a] + t2 * (co[c] - co[a])
    points = np.stack([p1, p2], axis=1)
    edges = np.stack([np.sort(np.stack([a, b], 1), 1), np.sort(np.stack([a, c], 1), 1)], axis=1)
    return points, edges


def section_components(points: np.ndarray, edges: np.ndarray) -> list[np.ndarray]:
    """Group segment end points into connected loops (lists of 3D points, one per mesh edge crossed)."""
    return [pts for pts, _ in section_loops(points, edges)]


def section_loops(points: np.ndarray, edges: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Connected loops of a section: (points (P, 3), the mesh edge (P, 2) each point lies on)."""
    if len(points) == 0:
        return []
    flat = edges.reshape(-1, 2)
    keys = flat[:, 0].astype(np.int64) * (int(flat.max()) + 1) + flat[:, 1]
    uniq, inv = np.unique(keys, return_inverse=True)
    inv = inv.reshape(-1, 2)
    # Union-find over crossing points, joined by segments.
    parent = np.arange(len(uniq))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for u, v in inv:
        ru, rv = find(u), find(v)
        if ru != rv:
            parent[ru] = rv
    roots = np.array([find(i) for i in range(len(uniq))])
    pts = np.zeros((len(uniq), 3))
    pts[inv.ravel()] = points.reshape(-1, 3)
    edge_of = np.zeros((len(uniq), 2), np.int64)
    edge_of[inv.ravel()] = flat
    return [(pts[roots == r], edge_of[roots == r]) for r in np.unique(roots)]


def convex_hull_indices(pts: np.ndarray) -> np.ndarray:
    """Indices of the convex hull of 2D points, counter-clockwise, no repeated end (monotone chain)."""
    pts = np.asarray(pts, np.float64)
    _, first = np.unique(pts, axis=0, return_index=True)  # sorted by x then y, duplicates dropped
    order = first
    if len(order) < 3:
        return order

    def half(idx):
        out: list = []
        for i in idx:
            p = pts[i]
            while len(out) >= 2:
                o, a = pts[out[-2]], pts[out[-1]]
                if (a[0] - o[0]) * (p[1] - o[1]) - (a[1] - o[1]) * (p[0] - o[0]) > 0:
                    break
                out.pop()
            out.append(i)
        return out

    lower, upper = half(order), half(order[::-1])
    return np.array(lower[:-1] + upper[:-1])


def convex_hull_2d(pts: np.ndarray) -> np.ndarray:
    """Convex hull (counter-clockwise, no repeated end) of 2D points, Andrew's monotone chain."""
    pts = np.asarray(pts, np.float64)
    return pts[convex_hull_indices(pts)]


def perimeter(poly: np.ndarray) -> float:
    """Length of a closed polygon (P, 2 or 3), last point joined to the first."""
    return float(np.linalg.norm(poly - np.roll(poly, 1, axis=0), axis=1).sum())


def hull_perimeter(points3d: np.ndarray, normal) -> float:
    """Perimeter of the convex hull of 3D points projected onto the plane with ``normal``."""
    n = np.asarray(normal, np.float64)
    n = n / np.linalg.norm(n)
    helper = np.array([1.0, 0.0, 0.0]) if abs(n[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = np.cross(n, helper)
    u /= np.linalg.norm(u)
    v = np.cross(n, u)
    hull = convex_hull_2d(np.stack([points3d @ u, points3d @ v], axis=1))
    if len(hull) < 3:
        return 0.0
    return float(np.linalg.norm(hull - np.roll(hull, 1, axis=0), axis=1).sum())


def girth(co: np.ndarray, tris: np.ndarray, origin, normal, near) -> float:
    """Tape girth of the section loop closest to point ``near`` (e.g. a landmark vertex)."""
    points, edges = section_segments(co, tris, origin, normal)
    loops = section_components(points, edges)
    if not loops:
        return float("nan")
    near = np.asarray(near, np.float64)
    best = min(loops, key=lambda lp: np.linalg.norm(lp - near, axis=1).min())
    return hull_perimeter(best, normal)
