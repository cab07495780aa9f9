"""Rendering one variant in bpy: body sliders, generated fabric on the garments, turntable renders.

The scene (avatar, garments, camera, lights) is built once per process; each variant changes the
body, swaps in a fresh fabric material and removes it again afterwards, so memory stays flat over
thousands of variants. Every file goes to a temporary name first and is renamed into place.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import OrderedDict
from pathlib import Path

import bpy
import numpy as np

from .. import body_sync, fabric_material, mesh_io, model_cache, studio
from ..engine import fabric_surface, garment_spec
from ..operators import avatar as avatar_ops
from ..operators import drape, garments
from ..operators.variations import read_swatch
from . import store
from .plan import Variant
from .spec import BatchSpec

EEVEE = {"BLENDER_EEVEE", "BLENDER_EEVEE_NEXT"}
SURFACE_CACHE = 32  # generated fabrics kept for the next body (variants are ordered body-major)


def _engine_id(name: str) -> str:
    if name in EEVEE:  # one name in the spec, the right one for this Blender
        return "BLENDER_EEVEE_NEXT" if bpy.app.version < (5, 0, 0) else "BLENDER_EEVEE"
    return name


class Stage:
    """The scene every variant of this process renders in."""

    def __init__(self, spec: BatchSpec):
        self.spec = spec
        ctx = bpy.context
        if spec.blend is not None:
            bpy.ops.wm.open_mainfile(filepath=str(spec.blend))
        elif not bpy.data.filepath or ctx.scene.camera is None:
            studio.fresh_scene()
        scene = bpy.context.scene
        self.avatar = next((o for o in scene.objects if o.type == "MESH" and o.wardrobe.role == "AVATAR"
                            and o.wardrobe.binding != "NONE"), None)
        if self.avatar is None:
            self.avatar = avatar_ops.create_avatar(bpy.context)
            self.avatar.data.materials.append(studio.skin())
        self.avatar.wardrobe.sex = spec.sex
        self.garments = body_sync.garments_of(self.avatar)
        if not self.garments:
            self.garments = [self._add_garment(part) for part in spec.garments]
        if scene.camera is None:
            bpy.context.view_layer.update()
            studio.stage(scene, height=1.75)
        scene.render.engine = _engine_id(spec.engine)
        if scene.render.engine == "CYCLES":
            scene.cycles.device = "CPU"
            scene.cycles.samples = spec.samples
            scene.cycles.use_denoising = False
        elif hasattr(scene, "eevee"):
            scene.eevee.taa_render_samples = spec.samples
        scene.render.resolution_x, scene.render.resolution_y = spec.resolution
        scene.render.resolution_percentage = 100
        scene.render.image_settings.file_format = "PNG"
        self.scene = scene
        self.shaper = model_cache.body_shaper(bpy.context)
        self.fabric = model_cache.fabric_model(bpy.context)
        self.base_rotation = self.avatar.rotation_euler.z
        self._surfaces = OrderedDict()  # (fabric, garment) -> FabricSurface, most recent last
        self._readings = {}  # (swatch path, width) -> SwatchReading

    def _add_garment(self, part: str):
        if part in garment_spec.PRESETS:  # made to measure on the avatar's body as it is now
            return garments.make_garment(bpy.context, self.avatar, garment_spec.PRESETS[part])
        return avatar_ops.create_garment(bpy.context, self.avatar, part)

    # -- one variant ------------------------------------------------------------------------------
    def _shape(self, variant: Variant) -> dict:
        b, av = variant.body, self.avatar
        if b.random_seed is not None:
            res = self.shaper.random(self.spec.sex, b.random_seed)
            body_sync.set_sliders(av, res.requested, style=res.style)
        else:
            # Measurements not given: the population's typical values for the given ones (like the API and CLI).
            values = body_sync.typical_for(av, self.shaper, b.measurements)
            body_sync.set_sliders(av, values, style=np.zeros(self.shaper.latent))
        body_sync.update_avatar(av, bpy.context)
        return {"name": b.name, "sex": self.spec.sex, "sliders": body_sync.slider_values(av),
                "style": [float(v) for v in av.wardrobe.style[:self.shaper.latent]],
                "warnings": av.wardrobe.body_message}

    def _fit_and_drape(self, kind: str) -> dict:
        """Per made-to-measure garment on this body: its fit (ease, pokes) and, if asked, a fresh drape with
        the cloth settings of the variant's fabric ``kind``."""
        out = {}
        for g in self.garments:
            if not g.wardrobe.pattern:
                continue
            entry = {"fit": garments.measure_fit(bpy.context, g)}
            if self.spec.drape_frames:
                d = drape.Drape(bpy.context, g, self.spec.drape_frames, kind)
                t0 = time.perf_counter()
                while not d.step():
                    pass
                d.finish()
                entry["drape_seconds"] = round(time.perf_counter() - t0, 3)
            out[g.name] = entry
        return out

    def _reading(self, f):
        """What a swatch photo is read as, once per photo for the whole batch (every body wears it)."""
        key = (f.swatch, f.swatch_width_cm)
        if key not in self._readings:
            self._readings[key] = self.fabric.read_swatch(read_swatch(f.swatch), f.swatch_width_cm)
        return self._readings[key]

    def _dress(self, variant: Variant) -> tuple[list, list, dict]:
        f, spec = variant.fabric, self.spec
        reading = None
        if f.swatch:  # the request the photo is read as
            reading = r = self._reading(f)
            kind, color, tpc, rough = r.kind, r.color, r.threads_per_cm, r.roughness
            weave = {"draft": r.draft_rows, "warp": r.warp, "weft": r.weft, "picks_per_cm": r.picks_per_cm}
        else:
            kind, color, tpc, rough, weave = f.kind, f.color, spec.threads_per_cm, None, spec.weave
        materials, images, info = [], [], {}
        for g in self.garments:
            res = self._surfaces.get((f, g.name))
            if res is None:  # a garment's UVs do not change with the body: one surface per fabric
                mesh = mesh_io.read_uv_layout(g.data)
                res = fabric_surface.fabric_for_mesh(self.fabric, mesh, kind, color, tpc, spec.fabric_size, f.seed,
                                                     rough, **weave)
                self._surfaces[(f, g.name)] = res
                while len(self._surfaces) > SURFACE_CACHE:
                    self._surfaces.popitem(last=False)
            part = g.name.rsplit(" ", 1)[-1].lower()
            mat, imgs = fabric_material.make(f"{variant.id} {part}", kind, res, uv_map=g.data.uv_layers.active.name,
                                             kept=False)
            images += imgs.values()
            g.data.materials.clear()
            g.data.materials.append(mat)
            materials.append(mat)
            info[part] = {"kind": kind, "mode": res.mode, "islands": res.info.get("islands"),
                          "tile_cm": res.tile_cm, "seconds": res.info.get("seconds")}
            if reading is not None:
                info[part]["swatch"] = {"family": reading.family, "draft": reading.draft,
                                        "threads_per_cm": round(reading.threads_per_cm, 2),
                                        "picks_per_cm": round(reading.picks_per_cm, 2), "warp": reading.warp,
                                        "weft": reading.weft, "notes": list(reading.notes)}
        return materials, images, info

    @staticmethod
    def _save_maps(images: list, folder: Path) -> list[str]:
        """The maps as 8-bit PNGs beside the renders (after rendering: saving re-points the image at a file)."""
        saved = []
        for img in images:
            name = img.name.split(" ", 1)[1].replace(" ", "_")  # "<variant> <part> <map>" -> part_map
            if name.endswith("_height"):
                continue
            final = folder / f"{name}.png"
            tmp = store.temp_path(final)
            img.filepath_raw, img.file_format = str(tmp), "PNG"
            img.save()
            os.replace(tmp, final)
            saved.append(final.name)
        return sorted(saved)

    def render(self, variant: Variant) -> dict:
        t0 = time.perf_counter()
        folder = store.reset_variant(self.spec.output, variant.id)  # nothing a killed run left survives
        body = self._shape(variant)
        f = variant.fabric
        body["garments"] = self._fit_and_drape(self._reading(f).kind if f.swatch else f.kind)
        materials, images, fabric_info = self._dress(variant)
        renders, render_s = [], 0.0
        try:
            for angle in self.spec.angles:
                self.avatar.rotation_euler.z = self.base_rotation + math.radians(angle)
                final = folder / store.render_name(angle)
                tmp = store.temp_path(final)
                self.scene.render.filepath = str(tmp)
                r0 = time.perf_counter()
                bpy.ops.render.render(write_still=True)
                render_s += time.perf_counter() - r0
                os.replace(tmp, final)
                renders.append(final.name)
            maps = self._save_maps(images, folder)
        finally:
            self.avatar.rotation_euler.z = self.base_rotation
            for mat in materials:
                bpy.data.materials.remove(mat)
            for img in images:
                bpy.data.images.remove(img)
        store.atomic_write_json(folder / "body.json", body)
        record = {"id": variant.id, "index": variant.index, "body": variant.body.name, "fabric": variant.fabric.name,
                  "kind": next(iter(fabric_info.values()))["kind"] if fabric_info else None,
                  "color": variant.fabric.color, "seed": variant.fabric.seed, "swatch": variant.fabric.swatch,
                  "renders": renders, "fabric_maps": maps,
                  "fabric_info": fabric_info, "render_seconds": round(render_s, 3),
                  "seconds": round(time.perf_counter() - t0, 3), "blender": bpy.app.version_string}
        store.atomic_write_json(folder / store.RECORD, record)  # last: marks the variant done
        return record


def _load_pixels(path: Path) -> np.ndarray:
    img = bpy.data.images.load(str(path), check_existing=False)
    try:
        w, h = img.size
        px = np.empty(w * h * 4, np.float32)
        img.pixels.foreach_get(px)
        return px.reshape(h, w, 4)
    finally:
        bpy.data.images.remove(img)


def contact_sheet(output: Path, columns: int = 6, thumb_h: int = 240) -> Path | None:
    """One image with the first render of every finished variant (grid order = manifest order)."""
    recs = [r for r in store.records(output) if r.get("renders")]
    if not recs:
        return None
    rows = math.ceil(len(recs) / columns)
    first = _load_pixels(output / recs[0]["id"] / recs[0]["renders"][0])
    th, tw = thumb_h, max(1, round(thumb_h * first.shape[1] / first.shape[0]))  # keep the render's aspect
    sheet = np.ones((rows * th, min(columns, len(recs)) * tw, 4), np.float32)
    legend = []
    for k, rec in enumerate(recs):
        px = _load_pixels(output / rec["id"] / rec["renders"][0])
        h, w = px.shape[:2]
        ys = (np.arange(th) * h / th).astype(int)
        xs = (np.arange(tw) * w / tw).astype(int)
        r, c = divmod(k, columns)
        sheet[(rows - 1 - r) * th:(rows - r) * th, c * tw:(c + 1) * tw] = px[ys][:, xs]
        legend.append({"row": r, "column": c, "id": rec["id"]})
    out = bpy.data.images.new("contact sheet", sheet.shape[1], sheet.shape[0], alpha=False)
    try:
        out.pixels.foreach_set(sheet.ravel())
        final = output / "contact_sheet.png"
        tmp = store.temp_path(final)
        out.filepath_raw, out.file_format = str(tmp), "PNG"
        out.save()
        os.replace(tmp, final)
    finally:
        bpy.data.images.remove(out)
    store.atomic_write_bytes(output / "contact_sheet.json", (json.dumps(legend, indent=1) + "\n").encode())
    return final
