"""Loaded engine models, one per (model, user folder, provider, threads): sessions are created once and reused."""

from . import preferences
from .engine import body_rig as engine_body_rig
from .engine import fabric

_cache: dict = {}


def _key(context) -> tuple:
    prefs = preferences.get(context)
    provider = prefs.execution_provider if prefs else "AUTO"
    threads = prefs.num_threads if prefs else 0
    return preferences.user_model_dir(context), provider, threads


def fabric_model(context) -> fabric.FabricModel:
    """Load (or reuse) the fabric generator. Raises ArtifactNotFound / ModelError with a message to show."""
    user_dir, provider, threads = key = _key(context)
    if ("fabric", key) not in _cache:
        _cache["fabric", key] = fabric.FabricModel.load(user_dir, provider, threads)
    return _cache["fabric", key]


def body_rig(context) -> engine_body_rig.BodyRig:
    """Load (or reuse) the body model with the template it deforms."""
    user_dir, provider, threads = key = _key(context)
    if ("body", key) not in _cache:
        _cache["body", key] = engine_body_rig.BodyRig.load(user_dir, provider, threads)
    return _cache["body", key]


def clear():
    """Forget loaded models (preferences changed, or a test swapped the model folder)."""
    _cache.clear()
