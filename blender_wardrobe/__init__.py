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

from dataclasses import dataclass  # noqa: E402

import bpy  # noqa: E402

from . import body_sync, cli, menus, model_cache, operators, panels, preferences, properties  # noqa: E402

_CLASSES = (*properties.classes, *preferences.classes, *operators.classes, *panels.classes)
_HANDLERS = ("load_post", "undo_post", "redo_post")


@dataclass
class _State:
    cli_handle: object = None  # what register_cli_command returned, for unregister


_state = _State()


@bpy.app.handlers.persistent
def _forget_cached_meshes(*_args):
    # After load/undo, objects have new pointers and meshes may differ: rebuild cached arrays lazily.
    body_sync.forget()


@bpy.app.handlers.persistent
def _upgrade_loaded_file(*_args):
    properties.upgrade_saved_settings()


def register():
    for cls in _CLASSES:
        bpy.utils.register_class(cls)
    properties.register_pointers()
    menus.register()
    available = model_cache.refresh()  # what the panels show, measured once here instead of in draw
    _state.cli_handle = bpy.utils.register_cli_command(cli.COMMAND, cli.execute)
    for name in _HANDLERS:
        getattr(bpy.app.handlers, name).append(_forget_cached_meshes)
    bpy.app.handlers.load_post.append(_upgrade_loaded_file)
    if available.dependency_problem:  # still register: the UI explains the problem instead of a traceback
        print(f"Blender Wardrobe: {available.dependency_problem}")


def unregister():
    if _state.cli_handle is not None:
        bpy.utils.unregister_cli_command(_state.cli_handle)
        _state.cli_handle = None
    for name in _HANDLERS:
        handlers = getattr(bpy.app.handlers, name)
        if _forget_cached_meshes in handlers:
            handlers.remove(_forget_cached_meshes)
    if _upgrade_loaded_file in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.remove(_upgrade_loaded_file)
    body_sync.forget()
    model_cache.clear()
    operators.variations.unregister_previews()
    menus.unregister()
    properties.unregister_pointers()
    for cls in reversed(_CLASSES):
        bpy.utils.unregister_class(cls)
