"""Loading shipped ONNX models safely: model card, sha256 and signature checks, lazy sessions."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import artifacts, runtime
from .errors import EngineError


class ModelError(EngineError, RuntimeError):
    """A model file is missing, corrupt or does not match its card; the message names the fix."""


def load_card(card_name: str, user_dir=None) -> tuple[dict, Path]:
    """The model card (JSON) and the folder it was found in."""
    path = artifacts.find(card_name, user_dir)
    try:
        return json.loads(path.read_text()), path.parent
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"model card {path} is unreadable ({exc}): reinstall the add-on or re-export the model") \
            from exc


def sha256_file(path) -> str:
    """The file's sha256 (hex), read in 1 MiB blocks: the one hashing helper of engine, export and cards."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def open_session(folder: Path, spec: dict, provider: str = "AUTO", threads: int = 0):
    """An onnxruntime session for ``spec`` (a card entry: file, sha256, inputs, outputs), verified."""
    path = Path(folder) / spec["file"]
    if not path.is_file():
        raise ModelError(f"model file {path} is missing: reinstall the add-on or copy it next to its card")
    digest = sha256_file(path)
    if digest != spec["sha256"]:
        raise ModelError(
            f"model file {path.name} does not match its card (sha256 {digest[:12]}… != {spec['sha256'][:12]}…): "
            "the file is corrupt or from another version; reinstall the add-on or re-export the model"
        )
    ort = _import_ort()
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = int(threads)
    try:
        sess = ort.InferenceSession(str(path), opts, providers=runtime.choose_providers(provider))
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
        raise ModelError(f"onnxruntime could not load {path.name} ({exc}): reinstall the add-on") from exc
    got_in = {i.name: len(i.shape) for i in sess.get_inputs()}
    got_out = {o.name: len(o.shape) for o in sess.get_outputs()}
    want_in = {k: len(v) for k, v in spec["inputs"].items()}
    want_out = {k: len(v) for k, v in spec["outputs"].items()}
    if got_in != want_in or got_out != want_out:
        raise ModelError(
            f"model file {path.name} has inputs {got_in} / outputs {got_out}, its card expects {want_in} / "
            f"{want_out}: the model and its card are from different versions"
        )
    return sess


def _import_ort():
    st = runtime.status()
    if not st.available:
        raise ModelError(st.message)
    import onnxruntime

    return onnxruntime

