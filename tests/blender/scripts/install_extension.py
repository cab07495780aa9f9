"""Install a built extension zip with package_install_files, exercise it, disable/enable, uninstall.

Prints one JSON object with what it saw. Usage: install_extension.py ZIP
"""

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

MODULE = "bl_ext.user_default.blender_wardrobe"


def registered_names() -> list[str]:
    names = [n for n in dir(bpy.types) if "wardrobe" in n.lower()]
    names += [p for p in ("wardrobe_fabric",) if hasattr(bpy.types.Scene, p)]
    names += [p for p in ("wardrobe",) if hasattr(bpy.types.Object, p)]
    return sorted(names)


out = {"blender": bpy.app.version_string}
result = bpy.ops.extensions.package_install_files(
    filepath=sys.argv[1], repo="user_default", enable_on_install=True
)
out["install"] = sorted(result)
out["enabled"] = MODULE in bpy.context.preferences.addons
mod = sys.modules.get(MODULE)
out["registered"] = registered_names()
out["cli_registered"] = mod is not None and mod._state.cli_handle is not None
out["prefs"] = type(bpy.context.preferences.addons[MODULE].preferences).__name__ if out["enabled"] else None
out["engine_package"] = mod.engine.ENGINE_PACKAGE if mod else None
out["cli_help_rc"] = mod.cli.execute(["--help"]) if mod else None
out["add_avatar"] = sorted(bpy.ops.wardrobe.add_avatar())
avatar = bpy.context.active_object
out["avatar_vertices"] = len(avatar.data.vertices)
out["avatar_uv_layers"] = [uv.name for uv in avatar.data.uv_layers]
try:
    import onnxruntime

    out["onnxruntime_file"] = onnxruntime.__file__
    out["providers"] = onnxruntime.get_available_providers()
except ImportError as exc:
    out["import_error"] = str(exc)
out["dependency_problem"] = mod.dependencies.problem() if mod else None

# What a user does first: a garment, Generate Fabric on it, a slider, save and reopen.
out["add_garment"] = sorted(bpy.ops.wardrobe.add_garment(part="skirt"))
skirt = bpy.context.active_object
settings = bpy.context.scene.wardrobe_fabric
settings.kind, settings.resolution = "denim", "256"
out["generate"] = sorted(bpy.ops.wardrobe.generate_fabric())
out["material"] = skirt.active_material.name if skirt.active_material else None
bpy.context.view_layer.objects.active = avatar
key = avatar.data.shape_keys.key_blocks["Wardrobe Body"]
before = [tuple(key.data[i].co) for i in (0, 5000)]
avatar.wardrobe.chest = 104.0
out["slider_moved"] = [tuple(key.data[i].co) for i in (0, 5000)] != before
blend = os.path.join(os.environ["BLENDER_USER_RESOURCES"], "scene.blend")
names = skirt.name, avatar.name
bpy.ops.wm.save_as_mainfile(filepath=blend)
bpy.ops.wm.open_mainfile(filepath=blend)
skirt, avatar = (bpy.data.objects[n] for n in names)
albedo = skirt.active_material.node_tree.nodes["Fabric albedo"].image
out["reopened"] = {"material": skirt.active_material.name, "albedo_size": list(albedo.size),
                   "albedo_packed": albedo.packed_file is not None, "chest": round(avatar.wardrobe.chest, 3),
                   "keys": [k.name for k in avatar.data.shape_keys.key_blocks]}
out["hidden"] = sorted(_blocker.STOCK.hidden) if _blocker.STOCK is not None else []

cycles = []
for _ in range(2):  # enable/disable twice in a row leaves nothing behind
    addon_utils.disable(MODULE, default_set=True)
    cycles.append({"after_disable": registered_names(), "cli": mod._state.cli_handle is not None})
    addon_utils.enable(MODULE, default_set=True)
    mod = sys.modules[MODULE]
    cycles.append({"after_enable": registered_names(), "cli": mod._state.cli_handle is not None})
out["cycles"] = cycles
addon_utils.disable(MODULE, default_set=True)
out["final"] = registered_names()
print("RESULT " + json.dumps(out))
sys.stdout.flush()
os._exit(0)  # bpy < 4.4 can crash at interpreter exit once a property has an update callback (blender#125376)
