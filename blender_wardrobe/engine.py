"""The one place the add-on imports the engine from.

In the built extension ``inference`` is vendored inside this package; in a development checkout
it is the top-level package next to ``blender_wardrobe/``. Importing it never imports onnxruntime.
"""

import importlib
import importlib.util

# Decide by location, not by catching ImportError, so a real error inside the engine surfaces.
_VENDORED = f"{__package__}.inference"
ENGINE_PACKAGE = _VENDORED if importlib.util.find_spec(_VENDORED) is not None else "inference"

inference = importlib.import_module(ENGINE_PACKAGE)
artifacts = importlib.import_module(f"{ENGINE_PACKAGE}.artifacts")
mesh = importlib.import_module(f"{ENGINE_PACKAGE}.mesh")
runtime = importlib.import_module(f"{ENGINE_PACKAGE}.runtime")
binding = importlib.import_module(f"{ENGINE_PACKAGE}.binding")
body = importlib.import_module(f"{ENGINE_PACKAGE}.body")
body_rig = importlib.import_module(f"{ENGINE_PACKAGE}.body_rig")
fabric = importlib.import_module(f"{ENGINE_PACKAGE}.fabric")
fabric_surface = importlib.import_module(f"{ENGINE_PACKAGE}.fabric_surface")
onnx_model = importlib.import_module(f"{ENGINE_PACKAGE}.onnx_model")
uv_layout = importlib.import_module(f"{ENGINE_PACKAGE}.uv_layout")
color = importlib.import_module(f"{ENGINE_PACKAGE}.color")
