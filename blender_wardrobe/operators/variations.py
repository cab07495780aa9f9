"""Fabric variations: N seeds (or N variations of a swatch photo) shown as previews to pick from.

The previews are UI-only (``bpy.utils.previews``); picking one sets the seed. For a swatch, what the
photo is read as (kind, colour, density, roughness) goes into the Fabric panel's settings, where the
user sees and can change it, so Generate Fabric makes exactly what the preview showed.
"""

import os
from dataclasses import dataclass, field

import bpy
import numpy as np

from .. import color_management, jobs, model_cache
from ..engine import EngineError, fabric
from .generate_fabric import weave_request

PREVIEW_SIZE = 128
@dataclass
class _State:
    collection: object = None  # bpy.utils.previews collection, made on first use
    items: list = field(default_factory=list)  # enum items: (identifier, label, description, icon_id, number)


_state = _State()


def _collection():
    if _state.collection is None:
        import bpy.utils.previews

        _state.collection = bpy.utils.previews.new()
    return _state.collection


def variation_items(self, context):
    return _state.items or [("NONE", "No variations yet", "Press Variations to make some", 0, 0)]


def on_pick(self, context):
    """Picking a preview sets the seed it was made with."""
    if self.wardrobe_variation == "NONE":
        return
    seed = int(self.wardrobe_variation.split("_")[-1])
    context.scene.wardrobe_fabric.seed = seed


def read_swatch(path: str) -> np.ndarray:
    """An image file as (H, W, 3) float sRGB, read by Blender (any format it can load); nothing is kept."""
    if not path or not os.path.isfile(path):
        raise fabric.FabricInputError(f"swatch image '{path}' does not exist: choose an image file")
    try:
        img = bpy.data.images.load(path, check_existing=False)
    except RuntimeError as exc:
        raise fabric.FabricInputError(f"cannot read the swatch '{os.path.basename(path)}' ({exc}): "
                                      "use a PNG or JPEG photo of the fabric") from exc
    try:
        w, h = img.size
        if w == 0 or h == 0:  # Blender "loads" any file lazily; an unreadable one has no pixels
            raise fabric.FabricInputError(f"cannot read the swatch '{os.path.basename(path)}': it is not an image "
                                          "Blender can load. Use a PNG or JPEG photo of the fabric")
        if w < 32 or h < 32:
            raise fabric.FabricInputError(f"the swatch is {w} x {h} px: use a photo of at least 32 x 32 px")
        px = np.empty(w * h * 4, np.float32)
        img.pixels.foreach_get(px)
        rgb = px.reshape(h, w, 4)[::-1, :, :3]
        if img.colorspace_settings.name != "sRGB" or img.is_float:  # Blender gives linear floats: back to sRGB
            rgb = color_management.pixels_to_srgb(rgb)
        return np.ascontiguousarray(np.clip(rgb, 0, 1), np.float32)
    finally:
        bpy.data.images.remove(img)


class WARDROBE_OT_fabric_variations(jobs.JobOperator, bpy.types.Operator):
    """Make previews of several seeds of the current fabric (or of the swatch photo) to pick from"""

    bl_idname = "wardrobe.fabric_variations"
    bl_label = "Variations"
    bl_options = {"REGISTER"}
    job_label = "Variations"

    @classmethod
    def poll(cls, context):
        if jobs.busy():
            cls.poll_message_set("Another Wardrobe job is running")
            return False
        return True

    def prepare(self, context):
        s = context.scene.wardrobe_fabric
        n, seed0 = s.variations, s.seed
        try:
            model = model_cache.fabric_model(context)
            if s.swatch_path:
                guess = model.read_swatch(read_swatch(bpy.path.abspath(s.swatch_path)))
                request = dict(kind=guess.kind, color=guess.color, threads_per_cm=guess.threads_per_cm,
                               roughness=guess.roughness)
            else:
                request = dict(kind=s.kind, color=color_management.to_srgb(s.color), threads_per_cm=s.threads_per_cm,
                               roughness=s.roughness, **weave_request(s))
                guess = None
            model.structure(request["kind"], request["color"], request["threads_per_cm"], PREVIEW_SIZE, seed0,
                            request.get("draft"), request.get("warp"), request.get("weft"))
        except EngineError as exc:
            return str(exc)
        self._guess, self._kind = guess, request["kind"]

        def work(progress):
            out = []
            for i in range(n):
                progress(i / n, f"Variation {i + 1}/{n}")
                maps = model.generate(size=PREVIEW_SIZE, seed=seed0 + i, **request)
                out.append((seed0 + i, maps.albedo))
            return out

        self.job = jobs.Job(work)
        return None

    def finish(self, context):
        pcoll = _collection()
        pcoll.clear()
        items = []
        for i, (seed, albedo) in enumerate(self.job.result):
            name = f"seed_{seed}"
            prev = pcoll.new(name)
            prev.image_size = (PREVIEW_SIZE, PREVIEW_SIZE)
            rgba = np.ones((PREVIEW_SIZE, PREVIEW_SIZE, 4), np.float32)
            rgba[..., :3] = color_management.srgb_to_pixels(albedo[::-1])  # previews are drawn as linear colour
            prev.image_pixels_float.foreach_set(rgba.ravel())
            items.append((name, f"Seed {seed}", f"{self._kind}, seed {seed}", prev.icon_id, i))
        _state.items = items
        g = self._guess
        if g is not None:  # the swatch as read: into the panel, where the user sees and can change it
            s = context.scene.wardrobe_fabric
            s.kind = g.kind  # (sets the kind's typical density and roughness: replaced by the photo's next)
            s.color = color_management.from_srgb(g.color)
            s.threads_per_cm, s.roughness = g.threads_per_cm, g.roughness
            s.draft, s.warp_colors, s.weft_colors = "KIND", "", ""
        self.report({"INFO"}, f"{len(items)} variations of {self._kind}" + (" from the swatch" if g else ""))
        return {"FINISHED"}


def unregister_previews():
    if _state.collection is not None:
        import bpy.utils.previews

        bpy.utils.previews.remove(_state.collection)
        _state.collection = None
    _state.items = []


classes = (WARDROBE_OT_fabric_variations,)
