"""Menu entries: Object menu and Edit Mode's Face menu (Generate Fabric), Add menu (Wardrobe Avatar)."""

import bpy

from .operators import avatar, generate_fabric


def _generate_fabric(self, context):
    self.layout.separator()
    self.layout.operator(generate_fabric.WARDROBE_OT_generate_fabric.bl_idname, icon="MATERIAL")


def _add_avatar(self, context):
    self.layout.operator(avatar.WARDROBE_OT_add_avatar.bl_idname, icon="OUTLINER_OB_ARMATURE")


MENUS = (
    ("VIEW3D_MT_object", _generate_fabric),
    ("VIEW3D_MT_edit_mesh_faces", _generate_fabric),
    ("VIEW3D_MT_add", _add_avatar),
)


def register():
    for menu, draw in MENUS:
        getattr(bpy.types, menu).append(draw)


def unregister():
    for menu, draw in MENUS:
        getattr(bpy.types, menu).remove(draw)
