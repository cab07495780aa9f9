"""Fabric variations: N seeds (or N variations of a swatch photo) shown as previews to pick from.

The previews are UI-only (``bpy.utils.previews``); picking one sets the seed. For a swatch, what the
photo is read as (kind, weave draft, yarn colours and sequences, densities, roughness) goes into the
Fabric panel's settings, where the user sees and can change it, so Generate Fabric makes that fabric at
the mesh's physical scale. Swatch previews are made at the photo's own pixel scale, fitted to its fine
texture statistics, so they can be compared with the photo side by side.
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


def load_pixels(path: str, what: str = "swatch") -> np.ndarray:
    """An image file as (H, W, 3) float sRGB, read by Blender (any format it can load); nothing is kept."""
    name = os.path.basename(path)
    if not path or not os.path.isfile(path):
        raise fabric.FabricInputError(f"{what} image '{path}' does not exist: choose an image file")
    try:
        img = bpy.data.images.load(path, check_existing=False)
    except RuntimeError as exc:
        raise fabric.FabricInputError(f"cannot read the {what} '{name}' ({exc}): use a PNG or JPEG image") from exc
    try:
        w, h = img.size
        if w == 0 or h == 0:  # Blender "loads" any file lazily; an unreadable one has no pixels
            raise fabric.FabricInputError(f"cannot read the {what} '{name}': it is not an image Blender can load. "
                                          "Use a PNG or JPEG image")
        px = np.empty(w * h * 4, np.float32)
        img.pixels.foreach_get(px)
        rgb = px.reshape(h, w, 4)[::-1, :, :3]
        if img.colorspace_settings.name != "sRGB" or img.is_float:  # Blender gives linear floats: back to sRGB
            rgb = color_management.pixels_to_srgb(rgb)
        return np.ascontiguousarray(np.clip(rgb, 0, 1), np.float32)
    finally:
        bpy.data.images.remove(img)


def read_swatch(path: str) -> np.ndarray:
    """A swatch photo's pixels, checked by the engine (too small, one flat colour, ...: its words)."""
    rgb = load_pixels(path)
    fabric.check_swatch(rgb)
    return rgb


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
                photo = read_swatch(bpy.path.abspath(s.swatch_path))  # decoded here: bpy.data on the main thread
                rough = None
                if s.swatch_roughness_path:
                    rough = load_pixels(bpy.path.abspath(s.swatch_roughness_path), "roughness map").mean(2)
                width = s.swatch_width_cm or None
                self._kind = None

                def work(progress):
                    reading = model.read_swatch(photo, width, rough)
                    progress(0.1, "Swatch read")
                    maps = model.variations_of(reading, n, PREVIEW_SIZE, seed0,
                                               lambda d, t: progress(0.1 + 0.9 * d / t, f"Variation {d}/{t}"))
                    return reading, [(seed0 + i, m.albedo) for i, m in enumerate(maps)]
            else:
                request = dict(kind=s.kind, color=color_management.to_srgb(s.color), threads_per_cm=s.threads_per_cm,
                               roughness=s.roughness, **weave_request(s))
                model.structure(request["kind"], request["color"], request["threads_per_cm"], PREVIEW_SIZE, seed0,
                                request.get("draft"), request.get("warp"), request.get("weft"),
                                request.get("picks_per_cm"))
                self._kind = request["kind"]

                def work(progress):
                    out = []
                    for i in range(n):
                        progress(i / n, f"Variation {i + 1}/{n}")
                        maps = model.generate(size=PREVIEW_SIZE, seed=seed0 + i, **request)
                        out.append((seed0 + i, maps.albedo))
                    return None, out
        except EngineError as exc:
            return str(exc)
        self.job = jobs.Job(work)
        return None

    def finish(self, context):
        reading, results = self.job.result
        kind = reading.kind if reading is not None else self._kind
        pcoll = _collection()
        pcoll.clear()
        items = []
        for i, (seed, albedo) in enumerate(results):
            name = f"seed_{seed}"
            prev = pcoll.new(name)
            prev.image_size = (PREVIEW_SIZE, PREVIEW_SIZE)
            rgba = np.ones((PREVIEW_SIZE, PREVIEW_SIZE, 4), np.float32)
            rgba[..., :3] = color_management.srgb_to_pixels(albedo[::-1])  # previews are drawn as linear colour
            prev.image_pixels_float.foreach_set(rgba.ravel())
            items.append((name, f"Seed {seed}", f"{kind}, seed {seed}", prev.icon_id, i))
        _state.items = items
        if reading is not None:  # the swatch as read: into the panel, where the user sees and can change it
            apply_reading(context.scene.wardrobe_fabric, reading)
        text = f"{len(items)} variations of {kind}"
        if reading is not None:
            text += f" from the swatch ({describe(reading)})" + "".join(f"; {n}" for n in reading.notes)
        self.report({"WARNING" if reading is not None and reading.unsure else "INFO"}, text)
        return {"FINISHED"}


def describe(reading) -> str:
    """One line for the panel: what the photo was read as."""
    weave = reading.draft or reading.family
    return (f"{reading.kind}, {weave}, {reading.threads_per_cm:.0f}x{reading.picks_per_cm:.0f} threads/cm, "
            f"{len(reading.palette)} yarn colour{'s' if len(reading.palette) > 1 else ''}")


def apply_reading(s, reading) -> None:
    """A swatch reading into the Fabric panel settings (so Generate Fabric makes that fabric)."""
    s.kind = reading.kind  # (sets the kind's typical density and roughness: replaced by the photo's next)
    s.color = color_management.from_srgb(reading.color)
    s.threads_per_cm, s.roughness = reading.threads_per_cm, reading.roughness
    s.picks_per_cm = 0.0 if abs(reading.picks_per_cm - reading.threads_per_cm) < 0.05 else reading.picks_per_cm
    if reading.draft_rows is not None:
        s.draft, s.draft_text = "CUSTOM", "/".join(reading.draft_rows.splitlines())
    else:
        s.draft = "KIND"
    s.warp_colors, s.weft_colors = reading.warp, reading.weft
    s.swatch_report = describe(reading)


def unregister_previews():
    if _state.collection is not None:
        import bpy.utils.previews

        bpy.utils.previews.remove(_state.collection)
        _state.collection = None
    _state.items = []


classes = (WARDROBE_OT_fabric_variations,)
