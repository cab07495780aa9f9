"""Loaded engine models, one per (model, user folder, provider, threads): sessions are created once and reused.

Also what the panels show about the models (installed? how many body-style sliders?), measured here
when the add-on starts or its preferences change, so that ``draw`` never touches the disk.
"""

from dataclasses import dataclass

from . import dependencies, preferences
from .engine import EngineError, artifacts, fabric, onnx_model
from .engine import body as engine_body
from .engine import body_shaper as engine_body_shaper


@dataclass(frozen=True)
class Availability:
    dependency_problem: str  # "" when onnxruntime is importable
    fabric_model: bool  # a fabric model card is installed
    body_latent: int  # body-style sliders the body model has (0: no usable body model)


@dataclass
class _State:
    available: Availability = Availability("", True, 0)  # replaced by refresh(); draw only reads it


_state = _State()
_cache: dict = {}  # (model, user folder, provider, threads) -> loaded model


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


def body_shaper(context) -> engine_body_shaper.BodyShaper:
    """Load (or reuse) the body model with the template it deforms."""
    user_dir, provider, threads = key = _key(context)
    if ("body", key) not in _cache:
        _cache["body", key] = engine_body_shaper.BodyShaper.load(user_dir, provider, threads)
    return _cache["body", key]


def clear():
    """Forget loaded models (unregister, or a test swapped the model folder)."""
    _cache.clear()


def refresh(context=None) -> Availability:
    """Measure what the panels show (files and cards: never call this from draw)."""
    user_dir = preferences.user_model_dir(context)
    try:
        artifacts.find(fabric.CARD, user_dir)
        has_fabric = True
    except EngineError:
        has_fabric = False
    try:
        latent = int(onnx_model.load_card(engine_body.CARD, user_dir)[0]["latent"])
    except (EngineError, KeyError, TypeError, ValueError):
        latent = 0
    _state.available = Availability(dependencies.problem(), has_fabric, latent)
    preferences.set_dependency_problem(_state.available.dependency_problem)
    return _state.available


def availability() -> Availability:
    """The last measured availability (cheap: for draw)."""
    return _state.available


def _models_changed():
    clear()
    refresh()


preferences.on_models_changed(_models_changed)
