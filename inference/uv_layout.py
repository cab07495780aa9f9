"""UV layout analysis for physically scaled fabric: islands, texel density and a UV-space atlas.

A tileable fabric tile covers ``tile_cm`` centimetres. Each UV island has its own density (metres of
surface per UV unit, from 3D area against UV area). Where the islands agree, one mapping scale puts
the tile at its physical size everywhere; where they differ, the maps are baked into a UV-space
atlas in which every island samples the tile at its own scale, with edge padding so filtering
across island borders never reaches a neighbour's texels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AGREE_TOLERANCE = 0.10  # islands whose densities differ by less than this share one mapping scale
MAX_LOOPS = 20_000_000


class UVLayoutError(ValueError):
    """The mesh cannot carry a physically scaled texture; the message names the fix."""


@dataclass
class UVIslands:
    face_island: np.ndarray  # (F,) island index per face
    density: np.ndarray  # (I,) metres of surface per UV unit
    area_3d: np.ndarray  # (I,) m^2
    area_uv: np.ndarray  # (I,) UV units^2

    @property
    def n_islands(self) -> int:
        return len(self.density)

    @property
    def reference_density(self) -> float:
        """Area-weighted median density: the scale the majority of the surface has."""
        order = np.argsort(self.density)
        cum = np.cumsum(self.area_3d[order])
        return float(self.density[order][np.searchsorted(cum, cum[-1] / 2)])

    @property
    def agree(self) -> bool:
        ref = self.reference_density
        return bool(np.all(np.abs(self.density / ref - 1) <= AGREE_TOLERANCE))


def _fan_triangles(loop_start: np.ndarray, loop_total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Loop-index triangles (T, 3) of every polygon's fan, and the polygon of each triangle."""
    n_tri = np.maximum(loop_total - 2, 0)
    face = np.repeat(np.arange(len(loop_start)), n_tri)
    k = np.arange(n_tri.sum()) - np.repeat(np.cumsum(n_tri) - n_tri, n_tri)
    first = loop_start[face]
    return np.stack([first, first + k + 1, first + k + 2], 1), face


def check_layout(co, loop_vertex, loop_start, loop_uv) -> None:
    if loop_uv is None:
        raise UVLayoutError("the mesh has no UV map: unwrap it first (Edit Mode > UV > Smart UV Project)")
    if len(loop_start) == 0 or len(co) == 0:
        raise UVLayoutError("the mesh is empty: it has no faces to put fabric on")
    if len(loop_vertex) > MAX_LOOPS:
        raise UVLayoutError(f"the mesh has {len(loop_vertex):,} face corners; decimate it below {MAX_LOOPS:,}")
    if not (np.isfinite(co).all() and np.isfinite(loop_uv).all()):
        raise UVLayoutError("the mesh has NaN/inf vertex positions or UVs: fix them (Mesh > Clean Up) first")


def islands(co, loop_vertex, loop_start, loop_total, loop_uv) -> UVIslands:
    """UV islands (faces connected through corners that share a vertex and its UV) and their densities."""
    co = np.asarray(co, np.float64)
    loop_uv = None if loop_uv is None else np.asarray(loop_uv, np.float64)
    loop_vertex, loop_start = np.asarray(loop_vertex, np.int64), np.asarray(loop_start, np.int64)
    loop_total = np.asarray(loop_total, np.int64)
    check_layout(co, loop_vertex, loop_start, loop_uv)
    n_faces = len(loop_start)
    loop_face = np.repeat(np.arange(n_faces), loop_total)
    # A "UV vertex" is a mesh vertex with one UV position; faces sharing one are in the same island.
    quant = np.round(loop_uv * 2**20).astype(np.int64)
    key = np.stack([loop_vertex, quant[:, 0], quant[:, 1]], 1)
    _, uv_vertex = np.unique(key, axis=0, return_inverse=True)
    uv_vertex = uv_vertex.ravel()
    label = np.arange(n_faces)
    # Label propagation (min over shared UV vertices) with pointer jumping; converges in a few dozen rounds.
    while True:
        vmin = np.full(uv_vertex.max() + 1, n_faces, np.int64)
        np.minimum.at(vmin, uv_vertex, label[loop_face])
        new = np.full(n_faces, n_faces, np.int64)
        np.minimum.at(new, loop_face, vmin[uv_vertex])
        new = np.minimum(new, label)
        new = new[new]  # pointer jumping
        if np.array_equal(new, label):
            break
        label = new
    _, face_island = np.unique(label, return_inverse=True)
    tris, tri_face = _fan_triangles(loop_start, loop_total)
    p = co[loop_vertex[tris]]
    a3 = 0.5 * np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1)
    u = loop_uv[tris]
    e1, e2 = u[:, 1] - u[:, 0], u[:, 2] - u[:, 0]
    auv = 0.5 * np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
    n_isl = int(face_island.max()) + 1
    area_3d = np.bincount(face_island[tri_face], a3, n_isl)
    area_uv = np.bincount(face_island[tri_face], auv, n_isl)
    if area_uv.sum() <= 0 or area_3d.sum() <= 0:
        raise UVLayoutError("the UV map is degenerate (all faces have zero UV or 3D area): unwrap the mesh again")
    ok = (area_uv > 1e-12) & (area_3d > 1e-12)
    density = np.sqrt(np.where(ok, area_3d, 1.0) / np.where(ok, area_uv, 1.0))
    if not ok.all():  # zero-area islands get the typical density (they cover no texels anyway)
        density[~ok] = np.sqrt(area_3d[ok].sum() / area_uv[ok].sum())
    return UVIslands(face_island.astype(np.int32), density, area_3d, area_uv)


def mapping_scale(density_m_per_uv: float, tile_cm: float) -> float:
    """UV -> tile repetitions: how many tiles fit in one UV unit at the physical scale."""
    return density_m_per_uv * 100.0 / tile_cm


def rasterize_islands(loop_start, loop_total, loop_uv, face_island, size: int) -> np.ndarray:
    """(size, size) island index per texel of the UV square (-1 where no face), rows bottom-up (Blender)."""
    tris, tri_face = _fan_triangles(np.asarray(loop_start, np.int64), np.asarray(loop_total, np.int64))
    uv = np.asarray(loop_uv, np.float64)[tris] * size - 0.5  # texel centres at integer coordinates
    out = np.full((size, size), -1, np.int32)
    lo = np.clip(np.floor(uv.min(1)).astype(int), 0, size - 1)
    hi = np.clip(np.ceil(uv.max(1)).astype(int), 0, size - 1)
    isl = face_island[tri_face]
    for t in range(len(tris)):  # per triangle, vectorised over its bounding box
        (x0, y0), (x1, y1) = lo[t], hi[t]
        xs, ys = np.meshgrid(np.arange(x0, x1 + 1), np.arange(y0, y1 + 1))
        a, b, c = uv[t]
        det = (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])
        if abs(det) < 1e-12:
            continue
        w1 = ((xs - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (ys - a[1])) / det
        w2 = ((b[0] - a[0]) * (ys - a[1]) - (xs - a[0]) * (b[1] - a[1])) / det
        inside = (w1 >= -1e-6) & (w2 >= -1e-6) & (w1 + w2 <= 1 + 1e-6)
        out[ys[inside], xs[inside]] = isl[t]
    return out


def pad_islands(ids: np.ndarray, padding: int) -> np.ndarray:
    """Grow every island ``padding`` texels into empty space (edge padding against filtering bleed)."""
    ids = ids.copy()
    for _ in range(padding):
        empty = ids < 0
        if not empty.any():
            break
        grown = ids.copy()
        for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
            shifted = np.full_like(ids, -1)
            ys = slice(max(dy, 0), ids.shape[0] + min(dy, 0))
            yd = slice(max(-dy, 0), ids.shape[0] + min(-dy, 0))
            xs = slice(max(dx, 0), ids.shape[1] + min(dx, 0))
            xd = slice(max(-dx, 0), ids.shape[1] + min(-dx, 0))
            shifted[ys, xs] = ids[yd, xd]
            take = empty & (grown < 0) & (shifted >= 0)
            grown[take] = shifted[take]
        ids = grown
    return ids


def sample_wrapped(tile: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear lookup of a tileable image (H, W[, C], rows bottom-up) at tile coordinates (wrapping)."""
    h, w = tile.shape[:2]
    x, y = u * w - 0.5, v * h - 0.5
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    fx, fy = (x - x0).astype(np.float32), (y - y0).astype(np.float32)
    if tile.ndim == 3:
        fx, fy = fx[..., None], fy[..., None]
    x0, y0 = x0 % w, y0 % h
    x1, y1 = (x0 + 1) % w, (y0 + 1) % h
    top = tile[y0, x0] * (1 - fx) + tile[y0, x1] * fx
    bot = tile[y1, x0] * (1 - fx) + tile[y1, x1] * fx
    return (top * (1 - fy) + bot * fy).astype(np.float32)


def mip_levels(tile: np.ndarray, smallest: int = 4) -> list[np.ndarray]:
    """Box-filtered 2x reductions of a tileable image (each level stays tileable), down to ``smallest`` px."""
    levels = [tile.astype(np.float32)]
    while min(levels[-1].shape[:2]) // 2 >= smallest and all(n % 2 == 0 for n in levels[-1].shape[:2]):
        t = levels[-1]
        levels.append(0.25 * (t[0::2, 0::2] + t[1::2, 0::2] + t[0::2, 1::2] + t[1::2, 1::2]))
    return levels


def bake_atlas(tile: np.ndarray, ids: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """UV-space atlas: texel (row, col) of island i shows the tile at ``scales[i]`` repeats per UV unit.

    Where an atlas texel covers more than one tile texel, the tile is read from the matching mip level
    (box-filtered), so a coarse atlas shows the fabric's average look instead of aliasing into blotches.
    """
    size_v, size_u = ids.shape
    v, u = np.meshgrid((np.arange(size_v) + 0.5) / size_v, (np.arange(size_u) + 0.5) / size_u, indexing="ij")
    s = np.where(ids >= 0, scales[np.maximum(ids, 0)], scales.mean() if len(scales) else 1.0)
    levels = mip_levels(tile)
    footprint = s * tile.shape[1] / size_u  # tile texels per atlas texel
    level = np.clip(np.floor(np.log2(np.maximum(footprint, 1.0))), 0, len(levels) - 1).astype(np.int32)
    out = np.empty(ids.shape + tile.shape[2:], np.float32)
    for k in np.unique(level):
        m = level == k
        out[m] = sample_wrapped(levels[k], u[m] * s[m], v[m] * s[m])
    return out
