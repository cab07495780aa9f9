"""Add the template avatar and its CC0 demo garments."""

import contextlib

import bpy
from bpy.props import EnumProperty

from .. import body_sync, mesh_io, model_cache, preferences
from ..engine import EngineError, vocabulary
from ..engine import mesh as engine_mesh
from . import body_shape

AVATAR_NAME = "Wardrobe Avatar"
GARMENT_ITEMS = [(g.id, g.label, g.description) for g in vocabulary.GARMENTS]


def link_new_object(context, name: str, data: "engine_mesh.MeshData") -> bpy.types.Object:
    me = mesh_io.new_mesh(name, data)
    obj = bpy.data.objects.new(name, me)
    context.collection.objects.link(obj)
    return obj


@contextlib.contextmanager
def removed_on_error(obj):
    """Undo the creation of ``obj`` if setting it up fails, so a failed operator leaves no half-made object."""
    try:
        yield
    except BaseException:
        me = obj.data
        bpy.data.objects.remove(obj)
        bpy.data.meshes.remove(me)
        raise


def select_only(context, obj):
    for other in context.selected_objects:
        other.select_set(False)
    obj.select_set(True)
    context.view_layer.objects.active = obj


def create_avatar(context) -> bpy.types.Object:
    """The template body as a new mesh object at the 3D cursor, standing on its feet."""
    data = engine_mesh.load_template("body", preferences.user_model_dir(context))
    obj = link_new_object(context, AVATAR_NAME, data)
    obj.location = context.scene.cursor.location
    try:
        body_shape.init_avatar(context, obj, identity=True)
    except EngineError as exc:  # still a usable body; the panel says why
        obj.wardrobe.body_message = f"Body sliders unavailable: {exc}"
    return obj


def create_garment(context, avatar: bpy.types.Object, part: str) -> bpy.types.Object:
    """A template garment, parented to ``avatar`` in its rest frame and marked to follow it."""
    data = engine_mesh.load_template(part, preferences.user_model_dir(context))
    obj = link_new_object(context, f"{avatar.name} {part.title()}", data)
    obj.parent = avatar  # identity parent inverse: the garment is authored in the body's frame
    obj.wardrobe.role = "GARMENT"
    obj.wardrobe.avatar = avatar
    # The helper garments are modelled on the rest template: bind them to it, then show the current body.
    with removed_on_error(obj):
        shaper = model_cache.body_shaper(context)
        body_sync.store_binding(obj, shaper.bind(data.co), None)
        body_sync.update_avatar(avatar, context)
    return obj


class WARDROBE_OT_add_avatar(bpy.types.Operator):
    """Add the Wardrobe template avatar (CC0 MakeHuman body, 13,380 vertices, with UVs)"""

    bl_idname = "wardrobe.add_avatar"
    bl_label = "Add Wardrobe Avatar"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        if context.mode != "OBJECT" or context.collection is None:
            cls.poll_message_set("Switch to Object Mode in a scene with an active collection")
            return False
        if context.collection.library is not None:
            cls.poll_message_set("The active collection is linked from a library: pick a local collection")
            return False
        return True

    def execute(self, context):
        try:
            obj = create_avatar(context)
        except EngineError as exc:
            self.report({"ERROR"}, f"Could not add the avatar: {exc}")
            return {"CANCELLED"}
        select_only(context, obj)
        if obj.wardrobe.body_message:
            self.report({"WARNING"}, obj.wardrobe.body_message)
        return {"FINISHED"}


class WARDROBE_OT_add_garment(bpy.types.Operator):
    """Add a CC0 demo garment fitted to the active Wardrobe avatar"""

    bl_idname = "wardrobe.add_garment"
    bl_label = "Add Demo Garment"
    bl_options = {"REGISTER", "UNDO"}

    part: EnumProperty(name="Garment", items=GARMENT_ITEMS, default="tights")

    @classmethod
    def poll(cls, context):
        obj = context.active_object
        if context.mode != "OBJECT" or obj is None or obj.wardrobe.role != "AVATAR":
            cls.poll_message_set("Select a Wardrobe avatar first (Add Wardrobe Avatar)")
            return False
        return True

    def execute(self, context):
        avatar = context.active_object
        try:
            obj = create_garment(context, avatar, self.part)
        except EngineError as exc:
            self.report({"ERROR"}, f"Could not add the garment: {exc}")
            return {"CANCELLED"}
        select_only(context, obj)
        return {"FINISHED"}


classes = (WARDROBE_OT_add_avatar, WARDROBE_OT_add_garment)
