"""The engine's public face: what the Blender add-on, its batch runner and its CLI may use.

The add-on imports the engine only here (through ``blender_wardrobe/engine.py``), so this list is
the whole contract between the two layers; everything else in ``inference/`` is the engine's own.
Every error the engine reports to a caller is an :class:`EngineError`.
"""

from . import (
    __version__,
    artifacts,  # where shipped and user models are found
    binding,  # any mesh bound to the template surface
    body,  # measurements (SLIDERS) -> bodies; the body model
    body_shaper,  # the body model plus bindings: what a slider tick computes
    cloth_settings,  # how each fabric kind drapes (mass, stiffness)
    color,  # sRGB, linear, Lab, CIEDE2000, colour parsing
    fabric,  # a fabric request -> tileable PBR maps; the fabric model
    fabric_kinds,  # what each kind is made of: draft, colour sequences, typical density and roughness
    fabric_surface,  # a mesh's UV layout + a fabric -> maps at physical scale (mapping or atlas)
    garment,  # made-to-measure garments (spec in cm + body -> mesh with pattern UVs) and their fit
    garment_spec,  # what a garment is: kind, ease, lengths, flare (checked)
    mesh,  # the template meshes
    onnx_model,  # model cards and verified sessions
    runtime,  # onnxruntime's availability and providers
    uv_layout,  # UV islands, texel density, layout checks
    vocabulary,  # measurements (id, label, unit) and garments: the product's words
    weave_draft,  # weave drafts (presets, WIF loom drafts, '#'/'.' rows)
    yarn_colors,  # yarn colour sequences in cm (stripes, checks)
)
from .errors import EngineError

__all__ = ["EngineError", "__version__", "artifacts", "binding", "body", "body_shaper", "cloth_settings", "color",
           "fabric", "fabric_kinds", "fabric_surface", "garment", "garment_spec", "mesh", "onnx_model", "runtime",
           "uv_layout", "vocabulary", "weave_draft", "yarn_colors"]
