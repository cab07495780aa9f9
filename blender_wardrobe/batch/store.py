"""Output folder: atomic writes, which variants are done, the JSON-lines manifest.

A variant is done when its ``variant.json`` exists; it is written last, by rename, so a run killed
at any moment leaves either a complete variant or one that the next run redoes. The manifest is
rebuilt from those files and replaced by rename, so readers never see a torn line, even with
several shards writing to the same folder.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

MANIFEST = "manifest.jsonl"
RECORD = "variant.json"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())


def temp_path(final: Path) -> Path:
    """A sibling temporary name for writers that need a path (Blender's image/render savers)."""
    return final.with_name(f".{final.stem}.partial{os.getpid()}{final.suffix}")


def render_name(angle: float) -> str:
    """The file of one turntable view: one per whole degree, modulo 360."""
    return f"render_{int(round(angle)) % 360:03d}.png"


def reset_variant(output: Path, variant_id: str) -> Path:
    """The variant's folder, emptied of what an interrupted run left (temporary and partial files).

    Only unfinished variants are reset, and each variant belongs to exactly one shard, so no other
    writer uses this folder.
    """
    d = variant_dir(output, variant_id)
    if (d / RECORD).exists():
        raise ValueError(f"variant '{variant_id}' is finished: it is never rendered again")
    d.mkdir(parents=True, exist_ok=True)
    for leftover in d.iterdir():
        if leftover.is_file() or leftover.is_symlink():
            leftover.unlink()
    return d


def variant_dir(output: Path, variant_id: str) -> Path:
    d = (output / variant_id).resolve()
    if d.parent != output.resolve():  # names are validated; this is the last line of defence
        raise ValueError(f"variant '{variant_id}' would be written outside {output}")
    return d


def is_done(output: Path, variant_id: str) -> bool:
    return (variant_dir(output, variant_id) / RECORD).is_file()


def records(output: Path) -> list[dict]:
    out = []
    for rec in sorted(output.glob(f"*/{RECORD}")):
        try:
            out.append(json.loads(rec.read_text()))
        except (OSError, json.JSONDecodeError):
            continue  # a record is written by rename, so this is a foreign file: ignore it
    return sorted(out, key=lambda r: r["index"])


def rebuild_manifest(output: Path) -> int:
    lines = [json.dumps(r, sort_keys=True) for r in records(output)]
    atomic_write_bytes(output / MANIFEST, ("\n".join(lines) + ("\n" if lines else "")).encode())
    return len(lines)
