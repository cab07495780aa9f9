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

from .errors import EngineError

AGREE_TOLERANCE = 0.10  # islands whose densities differ by less than this share one mapping scale
MAX_LOOPS = 20_000_000
# Fabric is sized in metres: meshes outside these are in the wrong units, not garments.
MIN_AREA_M2, MAX_AREA_M2 = 1e-6, 1e4
MIN_EXTENT_M, MAX_EXTENT_M = 1e-3, 1e3
BAKE_CHUNK = 1 << 16  # atlas texels sampled per step


class UVLayoutError(EngineError, ValueError):
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
    extent = float(np.ptp(np.asarray(co, np.float64), axis=0).max())
    if extent > MAX_EXTENT_M:
        raise UVLayoutError(f"the mesh is {extent:.3g} m across: fabric is sized in metres, so it looks like it is "
                            "in centimetres or millimetres; apply the right scale (Object > Apply > Scale)")
    if extent < MIN_EXTENT_M:
        raise UVLayoutError(f"the mesh is only {extent * 1000:.3g} mm across: fabric is sized in real units; scale "
                            "the object to its real size")


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
    total = float(area_3d.sum())
    if not np.isfinite(total) or total > MAX_AREA_M2:
        raise UVLayoutError(f"the surface is {total:.3g} m²: fabric is sized in metres, so the mesh looks like it "
                            "is in centimetres or millimetres; apply the right scale (Object > Apply > Scale)")
    if total < MIN_AREA_M2:
        raise UVLayoutError(f"the surface is only {total * 1e6:.3g} mm²: fabric is sized in real units; scale "
                            "the object to its real size")
    ok = (area_uv > 1e-12) & (area_3d > 1e-12)
    if not ok.any():
        raise UVLayoutError("the UV map is degenerate (the faces have no UV area): unwrap the mesh again")
    density = np.sqrt(np.where(ok, area_3d, 1.0) / np.where(ok, area_uv, 1.0))
    if not ok.all():  # zero-area islands get the typical density (they cover no texels anyway)
        density[~ok] = np.sqrt(area_3d[ok].sum() / area_uv[ok].sum())
    return UVIslands(face_island.astype(np.int32), density, area_3d, area_uv)


def mapping_scale(density_m_per_uv: float, tile_cm: float) -> float:
    """UV -> tile repetitions: how many tiles fit in one UV unit at the physical scale."""
    return density_m_per_uv * 100.0 / tile_cm


def rasterize_islands(loop_start, loop_total, loop_uv, face_island, size: int, progress=None,
                      chunk_texels: int = 1 << 16) -> np.ndarray:
    """(size, size) island index per texel of the UV square (-1 where no face), rows bottom-up (Blender).

    Vectorised over triangles: every triangle's bounding-box texels are enumerated together, in
    chunks of about ``chunk_texels`` candidates (bounded memory); ``progress(fraction)`` is called
    between chunks and may raise to cancel. Where UVs overlap, the later triangle wins.
    """
    tris, tri_face = _fan_triangles(np.asarray(loop_start, np.int64), np.asarray(loop_total, np.int64))
    uv = np.asarray(loop_uv, np.float64)[tris] * size - 0.5  # texel centres at integer coordinates
    a, b, c = uv[:, 0], uv[:, 1], uv[:, 2]
    det = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1])
    lo = np.clip(np.ceil(uv.min(1) - 1e-6), 0, size - 1).astype(np.int64)
    hi = np.clip(np.floor(uv.max(1) + 1e-6), 0, size - 1).astype(np.int64)
    extent = hi - lo + 1
    visible = (np.abs(det) >= 1e-12) & (uv.max(1) >= -1e-6).all(1) & (uv.min(1) <= size - 1 + 1e-6).all(1)
    count = np.where(visible & (extent > 0).all(1), extent[:, 0] * extent[:, 1], 0)
    isl = np.asarray(face_island)[tri_face]
    out = np.full((size, size), -1, np.int32)
    ends = np.cumsum(count)
    starts = 0
    done = 0
    while starts < len(tris):
        stop = max(int(np.searchsorted(ends, done + chunk_texels, side="right")), starts + 1)
        t = np.arange(starts, min(stop, len(tris)))
        t = t[count[t] > 0]
        if len(t):
            n = count[t]
            idx = np.repeat(t, n)
            k = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
            w = extent[idx, 0]
            xs, ys = lo[idx, 0] + k % w, lo[idx, 1] + k // w
            ax, ay = a[idx, 0], a[idx, 1]
            w1 = ((xs - ax) * (c[idx, 1] - ay) - (c[idx, 0] - ax) * (ys - ay)) / det[idx]
            w2 = ((b[idx, 0] - ax) * (ys - ay) - (xs - ax) * (b[idx, 1] - ay)) / det[idx]
            inside = (w1 >= -1e-6) & (w2 >= -1e-6) & (w1 + w2 <= 1 + 1e-6)
            out[ys[inside], xs[inside]] = isl[idx[inside]]
        done = int(ends[min(stop, len(tris)) - 1])
        starts = stop
        if progress is not None:
            progress(min(1.0, done / max(int(ends[-1]), 1)))
    return out


def pad_islands(ids: np.ndarray, padding: int) -> np.ndarray:
    """Grow every island ``padding`` texels into empty space (edge padding against filtering bleed).

    One texel per step into each empty texel from its 4 neighbours (where two islands meet an empty
    texel at once, the higher index takes it); small integer maxima over shifted views, no copies.
    """
    v = (np.asarray(ids) + 1).astype(np.int16 if ids.max(initial=0) < 32000 else np.int32)  # 0: empty
    n = np.empty_like(v)
    for _ in range(padding):
        empty = v == 0
        if not empty.any():
            break
        n.fill(0)
        np.maximum(n[1:], v[:-1], out=n[1:])
        np.maximum(n[:-1], v[1:], out=n[:-1])
        np.maximum(n[:, 1:], v[:, :-1], out=n[:, 1:])
        np.maximum(n[:, :-1], v[:, 1:], out=n[:, :-1])
        np.copyto(v, n, where=empty)
    return v.astype(np.int32) - 1


def _bilinear_wrapped(tile: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear lookup at pixel coordinates (texel centres at integers), wrapping; (N[, C]) float32."""
    h, w = tile.shape[:2]
    flat = tile.reshape(h * w, -1)
    x0f, y0f = np.floor(x), np.floor(y)
    fx, fy = (x - x0f).astype(np.float32)[:, None], (y - y0f).astype(np.float32)[:, None]
    x0, y0 = x0f.astype(np.int64) % w, y0f.astype(np.int64) % h
    x1, y1 = (x0 + 1) % w, (y0 + 1) % h
    r0, r1 = y0 * w, y1 * w
    top = np.take(flat, r0 + x0, axis=0)
    top += (np.take(flat, r0 + x1, axis=0) - top) * fx
    bot = np.take(flat, r1 + x0, axis=0)
    bot += (np.take(flat, r1 + x1, axis=0) - bot) * fx
    top += (bot - top) * fy
    return top if tile.ndim == 3 else top[:, 0]


def sample_wrapped(tile: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear lookup of a tileable image (H, W[, C], rows bottom-up) at tile coordinates (wrapping)."""
    h, w = tile.shape[:2]
    u, v = np.asarray(u), np.asarray(v)
    out = _bilinear_wrapped(tile.astype(np.float32, copy=False), u.ravel() * w - 0.5, v.ravel() * h - 0.5)
    return out.reshape(u.shape + tile.shape[2:])


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
    Texels no island covers get the fabric's mean (only mip filtering ever reads them).
    """
    size_v, size_u = ids.shape
    levels = mip_levels(tile)
    flat_ids = ids.ravel()
    out = np.empty((flat_ids.size,) + tile.shape[2:], np.float32)
    out[flat_ids < 0] = levels[-1].mean(axis=(0, 1))
    for i, s in enumerate(np.asarray(scales, np.float64)):
        texels = np.flatnonzero(flat_ids == i)
        if len(texels) == 0:
            continue
        footprint = s * tile.shape[1] / size_u  # tile texels per atlas texel
        lvl = levels[int(np.clip(np.floor(np.log2(max(footprint, 1.0))), 0, len(levels) - 1))]
        h, w = lvl.shape[:2]
        for c0 in range(0, len(texels), BAKE_CHUNK):  # small temporaries: they stay in cache and heap
            t = texels[c0:c0 + BAKE_CHUNK]
            rows, cols = np.divmod(t, size_u)
            x = (cols + 0.5) * (s * w / size_u) - 0.5
            y = (rows + 0.5) * (s * h / size_v) - 0.5
            out[t] = _bilinear_wrapped(lvl, x, y)
    return out.reshape(ids.shape + tile.shape[2:])
