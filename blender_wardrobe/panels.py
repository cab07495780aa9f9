"""The "Wardrobe" tab in the 3D View sidebar."""

import bpy

from . import body_sync, model_cache
from .engine import vocabulary
from .operators import avatar, body_shape, drape, garments, generate_fabric, variations


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
        for prop in ("kind", "color", "threads_per_cm", "picks_per_cm", "roughness", "seed", "resolution",
                     "displacement"):
            layout.prop(settings, prop)
        weave = layout.box()  # the weave designer: draft and yarn colour sequences
        weave.prop(settings, "draft")
        if settings.draft == "CUSTOM":
            weave.prop(settings, "draft_text")
        weave.prop(settings, "warp_colors")
        weave.prop(settings, "weft_colors")
        available = model_cache.availability()  # measured outside draw: drawing never touches the disk
        if available.dependency_problem:
            col = layout.column()
            col.alert = True
            col.label(text="onnxruntime is missing", icon="ERROR")
            col.label(text="See Preferences > Add-ons > Blender Wardrobe")
            return
        if not available.fabric_model:
            layout.label(text="No fabric model installed", icon="ERROR")
            return
        mesh_problem = generate_fabric.mesh_problem(context.active_object)
        if mesh_problem:
            layout.label(text=mesh_problem, icon="INFO")
            if context.active_object is not None and context.active_object.type == "MESH":
                layout.operator(generate_fabric.WARDROBE_OT_unwrap.bl_idname, icon="UV")
        layout.operator(generate_fabric.WARDROBE_OT_generate_fabric.bl_idname, icon="MATERIAL")
        box = layout.box()
        box.prop(settings, "swatch_path")
        if settings.swatch_path:
            box.prop(settings, "swatch_width_cm")
            box.prop(settings, "swatch_roughness_path")
        if settings.swatch_report:
            box.label(text=settings.swatch_report, icon="INFO")
        row = box.row(align=True)
        row.prop(settings, "variations")
        row.operator(variations.WARDROBE_OT_fabric_variations.bl_idname, icon="IMGDISPLAY")
        box.template_icon_view(context.window_manager, "wardrobe_variation", show_labels=True, scale=5.0)
        if settings.last_provider:
            box = layout.box()
            box.label(text=f"Last: {settings.last_seconds:.2f} s on {settings.last_provider}", icon="TIME")
            box.label(text=settings.last_report)


class VIEW3D_PT_wardrobe_body(WardrobePanel, bpy.types.Panel):
    bl_label = "Body"
    bl_idname = "VIEW3D_PT_wardrobe_body"

    def draw(self, context):
        layout = self.layout
        layout.operator(avatar.WARDROBE_OT_add_avatar.bl_idname, icon="OUTLINER_OB_ARMATURE")
        obj = context.active_object
        layout.operator(body_shape.WARDROBE_OT_bind.bl_idname, icon="LINKED")
        if obj is None or obj.type != "MESH" or obj.wardrobe.role == "NONE":
            layout.label(text="Select an avatar, or a mesh to bind", icon="INFO")
            return
        s = obj.wardrobe
        if s.role == "GARMENT":
            layout.label(text=f"Garment of {s.avatar.name if s.avatar else '(no avatar)'}: see Garment",
                         icon="MOD_CLOTH")
            return
        col = layout.column(align=True)
        col.use_property_split = True
        col.prop(s, "sex")
        for i, name in enumerate(vocabulary.SLIDERS):
            row = col.row(align=True)
            row.prop(s, name, text=f"{vocabulary.BY_ID[name].label}{' (typical)' if s.inferred[i] else ''}")
            row.prop(s, "locked", index=i, text="", icon="LOCKED" if s.locked[i] else "UNLOCKED", emboss=False)
        opts = layout.row(align=True)
        opts.prop(s, "follow", toggle=True, icon="LINKED")
        opts.prop(s, "match_exactly", toggle=True, icon="DRIVER_DISTANCE")
        latent = model_cache.availability().body_latent
        if latent:
            box = layout.box()
            box.label(text="Body Style")
            for i in range(latent):
                box.prop(s, "style", index=i, text=f"Style {i + 1}", slider=True)
        if s.body_message:
            warn = layout.column()
            warn.alert = True
            warn.label(text=s.body_message[:120], icon="ERROR")
        row = layout.row(align=True)
        row.operator(body_shape.WARDROBE_OT_body_random.bl_idname, icon="FILE_REFRESH")
        row.operator(body_shape.WARDROBE_OT_body_reset.bl_idname, icon="LOOP_BACK")
        layout.operator(body_shape.WARDROBE_OT_body_exact.bl_idname, icon="DRIVER_DISTANCE")
        layout.operator(body_shape.WARDROBE_OT_body_bake.bl_idname, icon="SHAPEKEY_DATA")
        layout.operator(body_shape.WARDROBE_OT_fit_scan.bl_idname, icon="OUTLINER_OB_POINTCLOUD")
        row = layout.row(align=True)
        for part, label, _ in avatar.GARMENT_ITEMS:
            row.operator(avatar.WARDROBE_OT_add_garment.bl_idname, text=label, icon="MOD_CLOTH").part = part
        garments = body_sync.garments_of(obj)
        if garments:
            layout.label(text=f"{len(garments)} garment(s) follow this body", icon="CHECKMARK")


def _changed_since(avatar_obj, sliders) -> bool:
    """Whether the avatar's sliders moved since ``sliders`` were recorded (a fit or a drape)."""
    if avatar_obj is None:
        return False
    return any(abs(a - b) > 1e-3 for a, b in zip(sliders, body_sync.slider_values(avatar_obj).values(), strict=True))


class VIEW3D_PT_wardrobe_garment(WardrobePanel, bpy.types.Panel):
    bl_label = "Garment"
    bl_idname = "VIEW3D_PT_wardrobe_garment"

    def draw(self, context):
        layout = self.layout
        obj = context.active_object
        if obj is not None and obj.type == "MESH" and obj.wardrobe.role == "GARMENT":
            self._draw_garment(layout, obj)
            return
        settings = context.scene.wardrobe_garment
        col = layout.column(align=True)
        col.use_property_split = True
        for prop in ("preset", "kind", "ease_chest", "ease_waist", "ease_hips", "length", "sleeve", "flare",
                     "neckline"):
            col.prop(settings, prop)
        layout.operator(garments.WARDROBE_OT_make_garment.bl_idname, icon="MOD_CLOTH")

    @staticmethod
    def _draw_garment(layout, obj):
        s = obj.wardrobe
        avatar_obj = s.avatar
        layout.label(text=f"Garment of {avatar_obj.name if avatar_obj else '(no avatar)'}", icon="MOD_CLOTH")
        if s.fit_report:
            box = layout.box()
            stale = _changed_since(avatar_obj, s.fit_sliders)
            box.label(text="Fit" + (" (body changed since: measure again)" if stale else ""), icon="DRIVER_DISTANCE")
            for line in s.fit_report.split("; "):
                box.label(text=line[:110])
        layout.operator(garments.WARDROBE_OT_garment_fit.bl_idname, icon="DRIVER_DISTANCE")
        layout.operator(drape.WARDROBE_OT_drape.bl_idname, icon="PHYSICS")
        if obj.data.shape_keys and drape.DRAPE_KEY in obj.data.shape_keys.key_blocks:
            if _changed_since(avatar_obj, s.drape_sliders):
                layout.label(text="The body changed since the drape: Drape again", icon="ERROR")


classes = (VIEW3D_PT_wardrobe_fabric, VIEW3D_PT_wardrobe_body, VIEW3D_PT_wardrobe_garment)
