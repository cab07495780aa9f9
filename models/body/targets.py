"""MakeHuman target files (sparse vertex offsets) as dense arrays on the template body."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

import numpy as np

N_BODY = 13380
DM_TO_M = 0.1


def read_target(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Vertex ids and offsets (Blender frame, metres) of one .target or .target.gz, body vertices only."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        rows = [ln.split() for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
    if not rows:
        return np.zeros(0, np.int64), np.zeros((0, 3), np.float32)
    arr = np.array(rows, dtype=np.float64)
    idx = arr[:, 0].astype(np.int64)
    d = arr[:, 1:4]
    keep = idx < N_BODY
    # OBJ (Y up, decimetres) -> Blender (Z up, metres): x, -z, y.
    offsets = np.stack([d[:, 0], -d[:, 2], d[:, 1]], axis=1) * DM_TO_M
    return idx[keep], offsets[keep].astype(np.float32)


@lru_cache(maxsize=4096)
def dense_target(path: str) -> np.ndarray:
    """(13380, 3) float32 offsets of a target file (zeros where it does not move a vertex)."""
    idx, off = read_target(Path(path))
    out = np.zeros((N_BODY, 3), np.float32)
    out[idx] = off
    return out
