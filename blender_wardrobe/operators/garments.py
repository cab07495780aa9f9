"""Made-to-measure garments: make one around the avatar's current body, measure its fit, drape it."""

import json
from dataclasses import asdict

import bpy
import numpy as np
from bpy.props import EnumProperty, FloatProperty

from .. import body_sync, editable, mesh_io, model_cache, preferences
from ..choices import GARMENT_FIELDS, PATTERN_GARMENTS
from ..engine import EngineError, garment, garment_spec, vocabulary
from ..garment_data import PIECE, PIECES, sleeve_faces, spec_of
from . import avatar as avatar_ops

PIN_GROUP = "Wardrobe Pin"  # where a drape hangs the garment from (shoulders, waistband)


def _avatar_problem(obj) -> str | None:
    if obj is None or obj.type != "MESH" or obj.wardrobe.role != "AVATAR":
        return "Select a Wardrobe avatar first (Add Wardrobe Avatar): garments are cut around its body"
    if obj.wardrobe.binding == "NONE":
        return f"'{obj.name}' is not bound to the body model yet: Bind Avatar first"
    return editable.problem(obj)


def garment_problem(obj) -> str | None:
    if obj is None or obj.type != "MESH" or obj.wardrobe.role != "GARMENT":
        return "Select a Wardrobe garment (Make Garment on an avatar)"
    if obj.wardrobe.avatar is None or obj.wardrobe.avatar.name not in bpy.data.objects:
        return f"'{obj.name}' has lost its avatar: make the garment again on an avatar"
    return editable.problem(obj)


def allowed(cls, problem: str | None) -> bool:
    """A poll's answer: True without a problem, else False with the problem as the poll message."""
    if problem:
        cls.poll_message_set(problem)
        return False
    return True


def key_co(obj, name: str) -> np.ndarray | None:
    kb = obj.data.shape_keys.key_blocks.get(name) if obj.data.shape_keys else None
    if kb is None:
        return None
    co = np.empty(len(obj.data.vertices) * 3, np.float32)
    kb.points.foreach_get("co", co)
    return co.reshape(-1, 3)


def measure_fit(context, obj) -> str:
    """Ease and pokes of ``obj`` on its avatar's current body, stored on the garment and returned."""
    avatar = obj.wardrobe.avatar
    body_sync.settle(avatar)  # a drag's garments may still be waiting to be cleared
    shaper = model_cache.body_shaper(context)
    body, _, _, _ = body_sync.current_body(avatar, shaper)
    co = key_co(obj, body_sync.BODY_KEY)
    co = mesh_io.read_co(obj.data) if co is None else co
    spec = spec_of(obj)
    sleeve = spec.sleeve if spec is not None else 90.0  # a helper garment: judge the whole arm
    report = garment.fit(mesh_io.read_mesh(obj.data, co), body, sleeve, sleeve_faces(obj),
                         preferences.user_model_dir(context)).summary()
    obj.wardrobe.fit_report = report
    obj.wardrobe.fit_sliders = [body_sync.slider_values(avatar)[n] for n in vocabulary.SLIDERS]
    return report


def make_garment(context, avatar, spec) -> bpy.types.Object:
    """Cut ``spec`` around the avatar's current body, bind it to that body and add it to the scene."""
    shaper = model_cache.body_shaper(context)
    body, condition, style, _ = body_sync.current_body(avatar, shaper)
    g = garment.make(spec, body, preferences.user_model_dir(context))
    obj = avatar_ops.link_new_object(context, f"{avatar.name} {spec.kind.title()}", g.mesh)
    with avatar_ops.removed_on_error(obj):
        obj.parent = avatar
        obj.wardrobe.role = "GARMENT"
        obj.wardrobe.avatar = avatar
        obj.wardrobe.pattern = json.dumps(asdict(spec))
        obj[PIECES] = list(g.pieces)
        obj["wardrobe_metres_per_uv"] = g.metres_per_uv
        me = obj.data
        me.attributes.new(PIECE, "INT", "FACE").data.foreach_set("value", g.face_piece)
        obj.vertex_groups.new(name=PIN_GROUP).add(np.flatnonzero(g.pins).tolist(), 1.0, "REPLACE")
        body_sync.store_binding(obj, shaper.bind(g.mesh.co, reference=body), (condition, style))
        body_sync.update_avatar(avatar, context)
        measure_fit(context, obj)
    return obj


class WARDROBE_OT_make_garment(bpy.types.Operator):
    """Cut a garment to measure around the active avatar's current body (sewing-pattern UVs, grain along the warp)"""

    bl_idname = "wardrobe.make_garment"
    bl_label = "Make Garment"
    bl_options = {"REGISTER", "UNDO"}

    kind: EnumProperty(name="Garment", items=PATTERN_GARMENTS, default="dress", options={"SKIP_SAVE"})
    ease_chest: FloatProperty(name="Chest Ease (cm)", default=6.0, min=-30.0, max=80.0, options={"SKIP_SAVE"})
    ease_waist: FloatProperty(name="Waist Ease (cm)", default=4.0, min=-30.0, max=80.0, options={"SKIP_SAVE"})
    ease_hips: FloatProperty(name="Hip Ease (cm)", default=6.0, min=-30.0, max=80.0, options={"SKIP_SAVE"})
    length: FloatProperty(name="Length (cm)", default=55.0, min=1.0, max=200.0, options={"SKIP_SAVE"})
    sleeve: FloatProperty(name="Sleeve (cm)", default=0.0, min=0.0, max=90.0, options={"SKIP_SAVE"})
    flare: FloatProperty(name="Flare (cm)", default=0.0, min=0.0, max=400.0, options={"SKIP_SAVE"})
    neckline: FloatProperty(name="Neckline (cm)", default=8.0, min=0.0, max=35.0, options={"SKIP_SAVE"})

    @classmethod
    def poll(cls, context):
        if context.mode != "OBJECT":
            return allowed(cls, "Switch to Object Mode first")
        return allowed(cls, _avatar_problem(context.active_object))

    def invoke(self, context, event):
        settings = context.scene.wardrobe_garment  # the panel's values, unless the caller set them
        for name in GARMENT_FIELDS:
            if not self.properties.is_property_set(name):
                setattr(self, name, getattr(settings, name))
        return self.execute(context)

    def execute(self, context):
        avatar = context.active_object
        try:
            spec = garment_spec.GarmentSpec(**{n: getattr(self, n) for n in GARMENT_FIELDS}).checked()
            obj = make_garment(context, avatar, spec)
        except EngineError as exc:
            self.report({"ERROR"}, f"Could not make the {self.kind}: {exc}")
            return {"CANCELLED"}
        avatar_ops.select_only(context, obj)
        self.report({"INFO"}, f"{obj.name}: {obj.wardrobe.fit_report}")
        return {"FINISHED"}


class WARDROBE_OT_garment_fit(bpy.types.Operator):
    """Measure the selected garment's ease (chest, waist, hips) and pokes on its avatar's current body"""

    bl_idname = "wardrobe.garment_fit"
    bl_label = "Measure Fit"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context):
        return allowed(cls, garment_problem(context.active_object))

    def execute(self, context):
        try:
            report = measure_fit(context, context.active_object)
        except (EngineError, ValueError) as exc:
            self.report({"ERROR"}, f"Could not measure the fit: {exc}")
            return {"CANCELLED"}
        self.report({"INFO"}, report)
        return {"FINISHED"}


classes = (WARDROBE_OT_make_garment, WARDROBE_OT_garment_fit)
