"""The one door from the add-on into the engine: its public face, ``inference/api.py``.

In the built extension the engine is vendored inside this package (``blender_wardrobe/inference``);
in a development checkout it is the top-level package next to ``blender_wardrobe/``. Both imports
are written out, so tools see the arrow; which one runs is decided by location, not by catching
ImportError, so a real error inside the engine surfaces. Importing it never imports onnxruntime.
"""

import importlib.util

if importlib.util.find_spec(f"{__package__}.inference") is not None:  # the built extension
    from .inference import api

    ENGINE_PACKAGE = f"{__package__}.inference"
else:  # a development checkout
    from inference import api

    ENGINE_PACKAGE = "inference"

# What the add-on uses (``from .engine import fabric``): the public face's names, listed once.
EngineError, __version__ = api.EngineError, api.__version__
artifacts, binding, body, body_shaper, color, fabric = api.artifacts, api.binding, api.body, api.body_shaper, \
    api.color, api.fabric
fabric_kinds, weave_draft, yarn_colors = api.fabric_kinds, api.weave_draft, api.yarn_colors
cloth_settings, garment, garment_spec = api.cloth_settings, api.garment, api.garment_spec
fabric_surface, mesh, onnx_model, runtime, uv_layout, vocabulary = api.fabric_surface, api.mesh, api.onnx_model, \
    api.runtime, api.uv_layout, api.vocabulary
