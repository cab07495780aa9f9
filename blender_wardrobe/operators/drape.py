"""Drape: Blender's cloth simulation on a garment, the avatar as collider, baked into a shape key.

The garment hangs from its pin group (shoulders, waistband) for a bounded number of frames with the
cloth settings of its fabric kind; the last frame becomes the "Wardrobe Drape" key, relative to the
body key, so it renders and exports and still follows later body changes (re-drape on request).
Frames are stepped from a modal timer (progress, Esc); everything it added is removed at the end or on
cancel, so the scene is as it was apart from the new key.
"""

import bpy
import numpy as np
from bpy.props import EnumProperty, IntProperty

from .. import body_sync
from ..choices import FABRIC_KINDS
from ..engine import cloth_settings, vocabulary
from . import garments

DRAPE_KEY = body_sync.DRAPE_KEY
CLOTH_MODIFIER = "Wardrobe Drape"
COLLIDER_MODIFIER = "Wardrobe Collider"
CLOTH_GAP_M = 0.005  # how far the cloth keeps from the skin (Blender's collision distance and thickness)
CLOTH_STEPS = 5  # simulation steps per frame (Blender's "quality")
COLLISION_QUALITY = 3  # collision passes per step: toes and armpits are finer than the cloth's rows


class Drape:
    """One simulation: sets up, steps a frame at a time, and puts everything back."""

    def __init__(self, context, obj, frames: int, fabric: str):
        self.scene, self.obj, self.avatar = context.scene, obj, obj.wardrobe.avatar
        body_sync.settle(self.avatar)  # drape from the cleared garment, not one a drag left waiting
        self.frames, self.done = frames, 0
        self.pokes = None  # body vertices the drape left through the cloth after clearance
        self.frame_was = self.scene.frame_current
        self.old_key = obj.data.shape_keys.key_blocks.get(DRAPE_KEY) if obj.data.shape_keys else None
        self.old_mute = self.old_key.mute if self.old_key else False
        if self.old_key is not None:
            self.old_key.mute = True  # simulate from the undraped garment
        if garments.PIN_GROUP not in obj.vertex_groups:
            self._pin_top(obj)
        mod = obj.modifiers.new(CLOTH_MODIFIER, "CLOTH")
        cs = mod.settings
        cloth = cloth_settings.for_kind(fabric)
        cs.quality = CLOTH_STEPS
        cs.mass = cloth.mass
        cs.tension_stiffness, cs.compression_stiffness = cloth.tension, cloth.compression
        cs.shear_stiffness, cs.bending_stiffness = cloth.shear, cloth.bending
        cs.air_damping = cloth.air
        cs.vertex_group_mass = garments.PIN_GROUP
        cs.pin_stiffness = 1.0
        coll = mod.collision_settings
        coll.use_collision, coll.distance_min, coll.use_self_collision = True, CLOTH_GAP_M, False
        coll.collision_quality = COLLISION_QUALITY
        mod.point_cache.frame_start, mod.point_cache.frame_end = 1, frames + 1
        self.cloth = mod
        self.collider = None
        if not any(m.type == "COLLISION" for m in self.avatar.modifiers):
            self.collider = self.avatar.modifiers.new(COLLIDER_MODIFIER, "COLLISION")
        self.avatar.collision.thickness_outer = CLOTH_GAP_M
        self.avatar.collision.cloth_friction = 5.0
        self.scene.frame_set(1)

    @staticmethod
    def _pin_top(obj):
        """Garments made before pins existed (helper tights, skirt): pin their top 3 cm."""
        co = np.empty(len(obj.data.vertices) * 3, np.float32)
        obj.data.vertices.foreach_get("co", co)
        z = co.reshape(-1, 3)[:, 2]
        obj.vertex_groups.new(name=garments.PIN_GROUP).add(np.flatnonzero(z > z.max() - 0.03).tolist(), 1.0,
                                                             "REPLACE")

    def step(self) -> bool:
        """Simulate one more frame; True when all frames are done."""
        self.done += 1
        self.scene.frame_set(1 + self.done)
        return self.done >= self.frames

    def draped_co(self) -> np.ndarray:
        depsgraph = bpy.context.evaluated_depsgraph_get()
        ev = self.obj.evaluated_get(depsgraph)
        co = np.empty(len(ev.data.vertices) * 3, np.float32)
        ev.data.vertices.foreach_get("co", co)
        return co.reshape(-1, 3)

    def finish(self) -> None:
        co = self.draped_co()
        if len(co) != len(self.obj.data.vertices):
            self.restore()
            raise ValueError(f"the cloth simulation returned {len(co)} vertices for {len(self.obj.data.vertices)}")
        self.restore()
        co, self.pokes = body_sync.clear_shape(self.obj, co)  # the toes under a long hem, an armpit in a sleeve
        body = body_sync.body_key(self.obj)
        key = self.old_key or self.obj.shape_key_add(name=DRAPE_KEY, from_mix=False)
        key.relative_key = body
        key.points.foreach_set("co", np.ascontiguousarray(co, np.float32).ravel())
        key.value, key.mute = 1.0, False
        s = self.obj.wardrobe
        s.drape_sliders = [body_sync.slider_values(self.avatar)[n] for n in vocabulary.SLIDERS]
        self.obj.data.update_tag()

    def summary(self) -> str:
        text = f"Draped '{self.obj.name}' over {self.frames} frames"
        if self.pokes:
            text += (f"; {self.pokes} body vertices still through the cloth (the body outgrew it: make it again "
                     "with more ease)")
        return text

    def restore(self) -> None:
        """Remove what the drape added and go back to the frame the user was on."""
        for owner, mod in ((self.obj, self.cloth), (self.avatar, self.collider)):
            if mod is not None and owner is not None and mod.name in owner.modifiers:
                owner.modifiers.remove(mod)
        self.cloth = self.collider = None
        if self.old_key is not None:
            self.old_key.mute = self.old_mute
        self.scene.frame_set(self.frame_was)


def drape_problem(obj) -> str | None:
    problem = garments.garment_problem(obj)
    if problem:
        return problem
    avatar = obj.wardrobe.avatar
    if avatar.type != "MESH" or len(avatar.data.polygons) == 0:
        return f"the avatar '{avatar.name}' has no faces to collide with: drape needs a body mesh"
    if obj.mode != "OBJECT" or avatar.mode != "OBJECT":
        return "Switch to Object Mode first"
    return None


class WARDROBE_OT_drape(bpy.types.Operator):
    """Drape the selected garment on its avatar with Blender's cloth simulation and bake the folds to a shape key"""

    bl_idname = "wardrobe.drape"
    bl_label = "Drape"
    bl_options = {"REGISTER", "UNDO"}

    frames: IntProperty(name="Frames", default=40, min=2, max=250, description="How long the cloth hangs (24 fps)")
    fabric: EnumProperty(name="Fabric", items=FABRIC_KINDS, default="silk",
                         description="Whose cloth settings to use (silk light and fluid, denim stiff)")

    _timer = None
    _drape = None

    @classmethod
    def poll(cls, context):
        return garments.allowed(cls, drape_problem(context.active_object))

    def invoke(self, context, event):
        if not self.properties.is_property_set("fabric"):
            self.fabric = context.scene.wardrobe_fabric.kind
        return self.execute(context)

    def execute(self, context):
        obj = context.active_object
        try:
            self._drape = Drape(context, obj, self.frames, self.fabric)
        except (RuntimeError, ValueError) as exc:
            self.report({"ERROR"}, f"Could not set up the drape: {exc}")
            return {"CANCELLED"}
        if bpy.app.background or context.window is None:
            try:
                while not self._drape.step():
                    pass
                self._drape.finish()
            except (RuntimeError, ValueError, ReferenceError) as exc:
                self._drape.restore()
                self.report({"ERROR"}, f"Drape failed: {exc}")
                return {"CANCELLED"}
            self.report({"INFO"}, self._drape.summary())
            return {"FINISHED"}
        wm = context.window_manager
        wm.progress_begin(0, self.frames)
        self._timer = wm.event_timer_add(0.01, window=context.window)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def _end(self, context):
        wm = context.window_manager
        if self._timer is not None:
            wm.event_timer_remove(self._timer)
            self._timer = None
        wm.progress_end()

    def modal(self, context, event):
        drape = self._drape
        if event.type == "ESC":
            drape.restore()
            self._end(context)
            self.report({"WARNING"}, "Drape cancelled: the garment is as it was")
            return {"CANCELLED"}
        if event.type != "TIMER":
            return {"RUNNING_MODAL"}
        try:
            drape.obj.name  # noqa: B018 - raises ReferenceError if the garment was deleted meanwhile
            drape.avatar.name  # noqa: B018
            finished = drape.step()
            context.window_manager.progress_update(drape.done)
            if finished:
                drape.finish()
        except ReferenceError:
            self._end(context)
            self.report({"ERROR"}, "The garment or its avatar was deleted during the drape: nothing was baked")
            return {"CANCELLED"}
        except (RuntimeError, ValueError) as exc:
            drape.restore()
            self._end(context)
            self.report({"ERROR"}, f"Drape failed: {exc}")
            return {"CANCELLED"}
        if not finished:
            return {"RUNNING_MODAL"}
        self._end(context)
        self.report({"INFO"}, drape.summary())
        return {"FINISHED"}


classes = (WARDROBE_OT_drape,)
