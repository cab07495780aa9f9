"""Where shipped artifacts (template meshes, .onnx models and their cards) are found.

Search order: an explicit user folder (add-on preference or ``WARDROBE_MODEL_DIR``), then the
folder shipped beside this package: ``blender_wardrobe/artifacts`` when ``inference`` is vendored
inside the built extension, ``models/shipped`` in a development checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import EngineError

ENV_VAR = "WARDROBE_MODEL_DIR"
_HERE = Path(__file__).resolve().parent
SHIPPED_CANDIDATES = (_HERE.parent / "artifacts", _HERE.parent / "models" / "shipped")


class ArtifactNotFound(EngineError, FileNotFoundError):
    """A required artifact is missing from every search location."""


def shipped_dir() -> Path | None:
    """The folder of artifacts that came with this copy of the engine, if any."""
    for cand in SHIPPED_CANDIDATES:
        if cand.is_dir():
            return cand
    return None


def search_dirs(user_dir: str | os.PathLike | None = None) -> list[Path]:
    dirs = []
    for extra in (user_dir, os.environ.get(ENV_VAR)):
        if extra:
            dirs.append(Path(extra).expanduser())
    shipped = shipped_dir()
    if shipped is not None:
        dirs.append(shipped)
    return dirs


def find(name: str, user_dir: str | os.PathLike | None = None) -> Path:
    """Path of artifact ``name``, the first match in :func:`search_dirs`."""
    dirs = search_dirs(user_dir)
    for d in dirs:
        path = d / name
        if path.is_file():
            return path
    looked = ", ".join(str(d) for d in dirs) or "(no artifact folder found)"
    raise ArtifactNotFound(
        f"Artifact '{name}' not found (looked in: {looked}). Reinstall the add-on, or set the "
        f"user model folder in the add-on preferences / {ENV_VAR} to a folder that contains it."
    )
