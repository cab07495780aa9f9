"""Sewing-pattern UVs: each pattern piece unrolled flat, grain (warp) along V, one texel density.

A piece is a column range of a garment grid. Unrolled, U is the arc length along each row from the
piece's centre line and V the mean length down between rows, both in metres, so a centimetre of
cloth is the same number of texels on every piece. The pieces are packed in one square with a single
scale (metres per UV unit), the way a cutting layout puts pieces on one bolt of fabric.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .garment_grid import GridPart, Panel

PIECE_GAP_M = 0.03  # between pieces in the layout: texture filtering never bleeds across


@dataclass
class Piece:
    name: str
    quads: np.ndarray  # (Q, 4) vertex ids
    uv: np.ndarray  # (Q, 4, 2) metres, before packing


def unroll(co: np.ndarray, part: GridPart, panel: Panel) -> Piece:
    cols = np.asarray(panel.columns)
    ids = part.ids[:, cols]  # (R, K)
    present = ids >= 0
    p = np.where(present[..., None], co[np.maximum(ids, 0)], np.nan)
    seg = np.nan_to_num(np.linalg.norm(np.diff(p, axis=1), axis=2))  # (R, K-1)
    along = np.concatenate([np.zeros((len(p), 1)), np.cumsum(seg, axis=1)], axis=1)
    mid = len(cols) // 2
    u = along - along[:, mid:mid + 1]
    down = np.linalg.norm(np.diff(p, axis=0), axis=2)  # (R-1, K)
    step = np.array([np.nanmean(r) if np.isfinite(r).any() else 0.0 for r in down])
    v = -np.concatenate([[0.0], np.cumsum(step)])
    ncol = part.ids.shape[1]
    cells = part.cells()
    quads, uvs = [], []
    for i in range(len(cols) - 1):
        k, k1 = cols[i], cols[i + 1]
        if k1 != (k + 1) % ncol:
            raise ValueError(f"panel {panel.name} skips from column {k} to {k1}")
        rows = np.flatnonzero(cells[:, k])
        a = part.ids
        quads.append(np.stack([a[rows, k], a[rows + 1, k], a[rows + 1, k1], a[rows, k1]], 1))
        uvs.append(np.stack([np.stack([u[rows, i], v[rows]], 1), np.stack([u[rows + 1, i], v[rows + 1]], 1),
                             np.stack([u[rows + 1, i + 1], v[rows + 1]], 1), np.stack([u[rows, i + 1], v[rows]], 1)],
                            1))
    return Piece(panel.name, np.concatenate(quads), np.concatenate(uvs))


def layout(pieces: list[Piece]) -> tuple[np.ndarray, float]:
    """Pack pieces (shelves, tallest first) into the unit square with one scale. Returns the (Q, 4, 2)
    UVs of all pieces' quads in order and the metres one UV unit spans."""
    boxes = []
    for pc in pieces:
        flat = pc.uv.reshape(-1, 2)
        boxes.append((flat.min(0), flat.max(0)))
    sizes = np.array([hi - lo for lo, hi in boxes]) + PIECE_GAP_M
    width = max(float(sizes[:, 0].max()), float(np.sqrt((sizes[:, 0] * sizes[:, 1]).sum()) * 1.15))
    order = np.argsort(-sizes[:, 1], kind="stable")
    offsets = np.zeros((len(pieces), 2))
    x = y = shelf = 0.0
    for i in order:
        w, h = sizes[i]
        if x > 0 and x + w > width:
            x, y, shelf = 0.0, y + shelf, 0.0
        offsets[i] = (x, y)
        x, shelf = x + w, max(shelf, h)
    extent = max(width, y + shelf)
    out = []
    for pc, (lo, _), off in zip(pieces, boxes, offsets, strict=True):
        out.append((pc.uv - lo + off + PIECE_GAP_M / 2) / extent)
    return np.concatenate(out), float(extent)
