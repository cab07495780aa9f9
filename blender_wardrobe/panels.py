"""The "Wardrobe" tab in the 3D View sidebar."""

import bpy

from . import dependencies, preferences
from .engine import artifacts
from .operators import avatar

FABRIC_MODEL = "fabric_generator.onnx"


class WardrobePanel:
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Wardrobe"


class VIEW3D_PT_wardrobe_fabric(WardrobePanel, bpy.types.Panel):
    bl_label = "Fabric"
    bl_idname = "VIEW3D_PT_wardrobe_fabric"

    def draw(self, context):
        layout = self.layout
        layout.use_property_split = True
        settings = context.scene.wardrobe_fabric
        for prop in ("kind", "color", "scale", "roughness", "seed", "resolution"):
            layout.prop(settings, prop)
        problem = dependencies.problem()
        if problem:
            col = layout.column()
            col.alert = True
            col.label(text="onnxruntime is missing", icon="ERROR")
            col.label(text="See Preferences > Add-ons > Blender Wardrobe")
        else:
            try:
                artifacts.find(FABRIC_MODEL, preferences.user_model_dir(context))
            except artifacts.ArtifactNotFound:
                layout.label(text="No fabric model installed yet", icon="INFO")


class VIEW3D_PT_wardrobe_body(WardrobePanel, bpy.types.Panel):
    bl_label = "Body"
    bl_idname = "VIEW3D_PT_wardrobe_body"

    def draw(self, context):
        layout = self.layout
        layout.operator(avatar.WARDROBE_OT_add_avatar.bl_idname, icon="OUTLINER_OB_ARMATURE")
        row = layout.row(align=True)
        for part, label, _ in avatar.GARMENT_ITEMS:
            row.operator(avatar.WARDROBE_OT_add_garment.bl_idname, text=label, icon="MOD_CLOTH").part = part
        obj = context.active_object
        if obj is not None and obj.wardrobe.role != "NONE":
            layout.label(text=f"{obj.name}: {obj.wardrobe.role.title()}")


classes = (VIEW3D_PT_wardrobe_fabric, VIEW3D_PT_wardrobe_body)
