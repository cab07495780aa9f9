"""Training checkpoints shared by every trainer: atomic saves, one-call restores."""

from __future__ import annotations

from pathlib import Path

import torch


def save(path: Path, state: dict) -> None:
    """Write via a temporary file and rename, so a kill mid-write never corrupts the checkpoint."""
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def restore(path: Path, **objects) -> dict | None:
    """Load ``path`` if it exists into each named module/optimiser/scheduler; returns the raw dict."""
    path = Path(path)
    if not path.is_file():
        return None
    ck = torch.load(path, weights_only=False)
    for key, obj in objects.items():
        obj.load_state_dict(ck[key])
    return ck
