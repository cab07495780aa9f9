"""Enable the add-on from the checkout while onnxruntime is hidden; print what the user is told."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _blocker  # noqa: E402

_blocker.install()

# isort: off
import bpy  # noqa: E402  (must come first: it puts addon_utils on sys.path)
import addon_utils  # noqa: E402
# isort: on

sys.path.insert(0, sys.argv[1])  # repository root
mod = addon_utils.enable("blender_wardrobe", default_set=True, handle_error=None)
out = {"enabled": mod is not None}
if mod is not None:
    out["problem"] = mod.dependencies.problem()
    out["runtime_message"] = mod.engine.runtime.status().message
    out["avatar"] = sorted(bpy.ops.wardrobe.add_avatar())  # the non-ML parts still work
    addon_utils.disable("blender_wardrobe", default_set=True)
print("RESULT " + json.dumps(out))
sys.stdout.flush()
os._exit(0)  # bpy < 4.4 can crash at interpreter exit once a property has an update callback (blender#125376)
