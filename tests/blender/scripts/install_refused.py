"""Try to install a zip meant for another Blender; print whether Blender refused it and what it said."""

import json
import os
import sys

import bpy

out = {"blender": bpy.app.version_string}
try:
    out["install"] = sorted(bpy.ops.extensions.package_install_files(
        filepath=sys.argv[1], repo="user_default", enable_on_install=True))
except RuntimeError as exc:  # operators that report an error raise in background mode
    out["install"] = ["ERROR"]
    out["error"] = str(exc)
out["enabled"] = "bl_ext.user_default.blender_wardrobe" in bpy.context.preferences.addons
print("RESULT " + json.dumps(out))
sys.stdout.flush()
os._exit(0)  # bpy < 4.4 can crash at interpreter exit once a property has an update callback (blender#125376)
