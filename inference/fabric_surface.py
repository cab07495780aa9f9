"""Fabric maps for one mesh: generate the tile, then fit it to the mesh's UV layout at physical scale.

This is the whole "Generate Fabric" computation without Blender: the add-on reads the mesh with
``foreach_get``, calls :func:`fabric_for_mesh` on a worker thread and only turns the returned arrays
into images and nodes. Images come back with rows bottom-up (Blender's pixel order).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import uv_layout
from .fabric import FabricModel

ATLAS_PADDING = 8  # texels of edge padding around each island in a baked atlas


class Cancelled(Exception):
    """Raised from a progress callback to stop the work between steps."""


@dataclass
class MeshUV:
    co: np.ndarray  # (V, 3) float
    loop_vertex: np.ndarray  # (L,)
    loop_start: np.ndarray  # (F,)
    loop_total: np.ndarray  # (F,)
    loop_uv: np.ndarray | None  # (L, 2) or None when the mesh has no UV map


@dataclass
class FabricSurface:
    images: dict[str, np.ndarray]  # albedo (H, W, 3) sRGB, normal (H, W, 3) in 0..1, roughness, height (H, W)
    mapping_scale: float  # UV -> image repeats (1.0 for an atlas)
    mode: str  # "mapping": one scale for all islands; "atlas": baked per-island scales in UV space
    tile_cm: float
    info: dict = field(default_factory=dict)


def fabric_for_mesh(model: FabricModel, mesh: MeshUV, kind: str, color, threads_per_cm: float | None, size: int,
                    seed: int, roughness: float | None, progress=None, draft=None, warp=None,
                    weft=None, picks_per_cm: float | None = None) -> FabricSurface:
    """Generate a tile and map it onto ``mesh`` at its physical size; ``progress(fraction, text)`` may raise
    :class:`Cancelled`. ``draft``, ``warp``, ``weft``, ``picks_per_cm``: as FabricModel.generate.

    ``info["timings_ms"]`` has the time of each step (islands, generate, rasterize, pad, bake).
    """
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(name):
        now = time.perf_counter()
        timings[name] = round((now - clock[0]) * 1000, 2)
        clock[0] = now

    def report(f, text):
        if progress is not None:
            progress(f, text)

    report(0.0, "Reading UV layout")
    isl = uv_layout.islands(mesh.co, mesh.loop_vertex, mesh.loop_start, mesh.loop_total, mesh.loop_uv)
    lap("islands")
    maps = model.generate(kind, color, threads_per_cm, size, seed, roughness, draft=draft, warp=warp, weft=weft,
                          picks_per_cm=picks_per_cm,
                          progress=lambda d, t: report(0.05 + 0.75 * d / t, f"Generating fabric {d}/{t}"))
    lap("generate")
    tile_cm = maps.info["tile_cm"]
    tile = {"albedo": np.flipud(maps.albedo), "roughness": np.flipud(maps.roughness),
            "height": np.flipud(maps.height), "normal": np.flipud(maps.normal)}
    info = dict(maps.info, islands=isl.n_islands, tile_cm=tile_cm, timings_ms=timings)
    if isl.agree:
        tile["normal"] = tile["normal"] * 0.5 + 0.5
        report(1.0, "Done")
        return FabricSurface(tile, uv_layout.mapping_scale(isl.reference_density, tile_cm), "mapping", tile_cm, info)
    report(0.8, f"Baking an atlas for {isl.n_islands} UV islands of different scale")
    ids = uv_layout.rasterize_islands(mesh.loop_start, mesh.loop_total, mesh.loop_uv, isl.face_island, size,
                                      progress=lambda f: report(0.8 + 0.05 * f, "Rasterising UV islands"))
    lap("rasterize")
    ids = uv_layout.pad_islands(ids, ATLAS_PADDING)
    lap("pad")
    report(0.88, "Sampling the fabric per island")
    scales = uv_layout.mapping_scale(isl.density, tile_cm)
    # All maps share the lookups: bake them as one stack of channels.
    names = list(tile)
    depth = [1 if tile[n].ndim == 2 else tile[n].shape[2] for n in names]
    stack = np.concatenate([tile[n].reshape(size, size, -1) for n in names], axis=2)
    baked = uv_layout.bake_atlas(stack, ids, scales)
    bounds = np.cumsum([0, *depth])
    atlas = {n: baked[..., bounds[i]:bounds[i + 1]] for i, n in enumerate(names)}
    atlas = {n: (a[..., 0] if d == 1 else a) for (n, a), d in zip(atlas.items(), depth)}
    # Tangent-space normals do not change with the scale a tile is shown at: resample and renormalise.
    n = atlas["normal"]
    atlas["normal"] = n / np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-6) * 0.5 + 0.5
    lap("bake")
    info["atlas_scale_range"] = [float(scales.min()), float(scales.max())]
    report(1.0, "Done")
    return FabricSurface(atlas, 1.0, "atlas", tile_cm, info)
