"""Add-on preferences: execution provider, threads and a user model folder."""

from dataclasses import dataclass, field

import bpy
from bpy.props import EnumProperty, IntProperty, StringProperty

from .engine import runtime

ADDON_ID = __package__  # "blender_wardrobe", or "bl_ext.<repo>.blender_wardrobe" as an extension

PROVIDER_ITEMS = [
    ("AUTO", "Auto", "Best available: CUDA, DirectML, CoreML, then CPU"),
    ("CPU", "CPU", "Run on the CPU"),
    ("CUDA", "CUDA", "NVIDIA GPU through onnxruntime-gpu (falls back to CPU if unavailable)"),
    ("DIRECTML", "DirectML", "Any DirectX 12 GPU on Windows (falls back to CPU if unavailable)"),
    ("COREML", "CoreML", "Apple Neural Engine / GPU on macOS (falls back to CPU if unavailable)"),
]


class WardrobePreferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    execution_provider: EnumProperty(name="Execution Provider", items=PROVIDER_ITEMS, default="AUTO")
    num_threads: IntProperty(
        name="Threads", default=0, min=0, max=256, description="CPU threads for inference; 0 = all cores"
    )
    user_model_dir: StringProperty(
        name="User Model Folder",
        subtype="DIR_PATH",
        description="Folder with .onnx models and cards that override the shipped ones",
        update=lambda self, context: _models_changed(context),
    )

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "execution_provider")
        layout.prop(self, "num_threads")
        layout.prop(self, "user_model_dir")
        problem = _state.dependency_problem
        box = layout.box()
        if problem:
            box.alert = True
            for i, line in enumerate(_wrap(problem)):
                box.label(text=line, icon="ERROR" if i == 0 else "BLANK1")
        else:
            box.label(text=runtime.status().message, icon="CHECKMARK")


def _wrap(text: str, width: int = 90) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if len(cur) + len(w) + 1 > width and cur:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return lines + ([cur] if cur else [])


@dataclass
class _State:
    dependency_problem: str = ""  # what the box in draw shows about onnxruntime (measured by model_cache)
    on_models_changed: list = field(default_factory=list)  # callbacks: model_cache registers itself


_state = _State()


def on_models_changed(callback):
    """Call ``callback()`` when the model folder changes (model_cache: it reads these preferences, so
    importing it here would make a circle)."""
    _state.on_models_changed.append(callback)


def _models_changed(context):
    for callback in _state.on_models_changed:
        callback()


def set_dependency_problem(text: str):
    _state.dependency_problem = text


def get(context=None) -> "WardrobePreferences | None":
    """The add-on's preferences, or None when it is registered without being enabled (scripts)."""
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon else None


def user_model_dir(context=None) -> str | None:
    prefs = get(context)
    path = bpy.path.abspath(prefs.user_model_dir) if prefs and prefs.user_model_dir else ""
    return path or None


classes = (WardrobePreferences,)
