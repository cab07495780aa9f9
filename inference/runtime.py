"""onnxruntime availability and execution-provider choice, without importing it at module load."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from .errors import EngineError


class RuntimeProblem(EngineError, RuntimeError):
    """onnxruntime cannot be used here; the message says how to install it."""


class ProviderError(EngineError, ValueError):
    """An execution provider name the engine does not know."""


# Preference value -> onnxruntime provider name. AUTO tries them in this order, CPU last.
PROVIDERS = {
    "CUDA": "CUDAExecutionProvider",
    "DIRECTML": "DmlExecutionProvider",
    "COREML": "CoreMLExecutionProvider",
    "CPU": "CPUExecutionProvider",
}
INSTALL_HINT = (
    "Install the Blender Wardrobe build that bundles onnxruntime for your platform, or install it "
    "into Blender's Python: <blender python> -m pip install onnxruntime"
)


@dataclass(frozen=True)
class RuntimeStatus:
    available: bool
    version: str = ""
    providers: tuple[str, ...] = field(default_factory=tuple)
    error: str = ""

    @property
    def message(self) -> str:
        if self.available:
            return f"onnxruntime {self.version} ({', '.join(self.providers)})"
        return f"onnxruntime is not importable ({self.error}). {INSTALL_HINT}"


def status() -> RuntimeStatus:
    """Whether onnxruntime can be imported here, its version and available providers."""
    try:
        ort = importlib.import_module("onnxruntime")
        return RuntimeStatus(True, ort.__version__, tuple(ort.get_available_providers()))
    except Exception as exc:  # ImportError, or a broken binary raising OSError
        return RuntimeStatus(False, error=f"{type(exc).__name__}: {exc}")


def choose_providers(preference: str = "AUTO", available: tuple[str, ...] | None = None) -> list[str]:
    """Providers to pass to an InferenceSession for a preference (AUTO/CPU/CUDA/DIRECTML/COREML).

    An explicit accelerator that is not available falls back to CPU (onnxruntime would too);
    the caller reports which provider actually ran from ``session.get_providers()``.
    """
    if available is None:
        st = status()
        if not st.available:
            raise RuntimeProblem(st.message)
        available = st.providers
    preference = preference.upper()
    if preference not in PROVIDERS and preference != "AUTO":
        raise ProviderError(f"unknown execution provider '{preference}': use AUTO, {', '.join(PROVIDERS)}")
    wanted = list(PROVIDERS) if preference == "AUTO" else list(dict.fromkeys([preference, "CPU"]))
    chosen = [PROVIDERS[p] for p in wanted if PROVIDERS[p] in available]
    return chosen or ["CPUExecutionProvider"]
