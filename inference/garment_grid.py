"""Garment surfaces as grids of rows and columns, the shape every pattern garment is built in.

A part (bodice, sleeve, trouser leg) is a (rows, columns) array of vertex ids, -1 where the part has
no vertex; a cell whose four corners exist is a quad. Columns run down the garment (the straight
grain, along the warp), rows around it. Pattern pieces are column ranges of a part, so cutting
and unrolling them into UVs needs no search for seams.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Panel:
    name: str  # e.g. "front", "sleeve_l"
    columns: np.ndarray  # column indices in order across the piece (a column may repeat: cut there)


@dataclass
class GridPart:
    ids: np.ndarray  # (R, C) int64 vertex ids, -1 where absent
    cyclic: bool  # the last column joins the first
    panels: list[Panel] = field(default_factory=list)
    removed: np.ndarray | None = None  # (R-1, C or C-1) cells cut away (neckline, armholes)

    def cells(self) -> np.ndarray:
        """(R-1, Cc) bool: the quads this part has (four corners present, not removed)."""
        a = self.ids
        b = np.roll(a, -1, axis=1) if self.cyclic else a[:, 1:]
        a = a if self.cyclic else a[:, :-1]
        ok = (a[:-1] >= 0) & (a[1:] >= 0) & (b[:-1] >= 0) & (b[1:] >= 0)
        if self.removed is not None:
            ok &= ~self.removed
        return ok


class VertexPool:
    """Vertices shared between parts (a sleeve's rows are its own; trouser legs share the crotch row)."""

    def __init__(self):
        self._chunks: list[np.ndarray] = []
        self.n = 0

    def add(self, points: np.ndarray) -> np.ndarray:
        pts = np.asarray(points, np.float64)
        ids = np.arange(self.n, self.n + pts.shape[0] * (pts.shape[1] if pts.ndim == 3 else 1))
        flat = pts.reshape(-1, 3)
        self._chunks.append(flat)
        self.n += len(flat)
        return ids.reshape(pts.shape[:-1])

    def array(self) -> np.ndarray:
        return np.concatenate(self._chunks) if self._chunks else np.zeros((0, 3))


def compact(co: np.ndarray, faces: np.ndarray, parts: list[GridPart]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop vertices no quad uses; renumber faces and parts. Returns (co, faces, which old vertices were kept)."""
    used = np.zeros(len(co), bool)
    used[faces.ravel()] = True
    remap = np.full(len(co) + 1, -1, np.int64)  # remap[-1] stays -1 for absent ids
    remap[:-1][used] = np.arange(used.sum())
    for p in parts:
        p.ids = np.where(p.ids >= 0, remap[p.ids], -1)
    return co[used], remap[faces], used
