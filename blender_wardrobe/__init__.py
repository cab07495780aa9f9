"""Blender Wardrobe: generated PBR fabrics and body-shape sliders (thin bpy shell over `inference`)."""

# Legacy add-on metadata; Blender 4.2+ reads blender_manifest.toml when installed as an extension.
bl_info = {
    "name": "Blender Wardrobe",
    "author": "Blender Wardrobe developers",
    "version": (0, 1, 0),
    "blender": (4, 2, 0),
    "location": "3D View > Sidebar > Wardrobe",
    "description": "Generated PBR fabrics and body-shape sliders for garments",
    "category": "Material",
}

import bpy  # noqa: E402

from . import cli, dependencies, operators, panels, preferences, properties  # noqa: E402

_CLASSES = (*properties.classes, *preferences.classes, *operators.classes, *panels.classes)
_cli_handle = None


def register():
    global _cli_handle
    for cls in _CLASSES:
        bpy.utils.register_class(cls)
    properties.register_pointers()
    _cli_handle = bpy.utils.register_cli_command(cli.COMMAND, cli.execute)
    problem = dependencies.problem()
    if problem:  # still register: the UI explains the problem instead of a traceback
        print(f"Blender Wardrobe: {problem}")


def unregister():
    global _cli_handle
    if _cli_handle is not None:
        bpy.utils.unregister_cli_command(_cli_handle)
        _cli_handle = None
    properties.unregister_pointers()
    for cls in reversed(_CLASSES):
        bpy.utils.unregister_class(cls)
