"""The demo job: a fresh scene with the avatar and a garment, rendered with Cycles on the CPU."""

import math
import os
from pathlib import Path

import bpy

from . import studio
from .choices import GARMENT_FIELDS
from .engine import garment_spec

PATTERN_DEMOS = tuple(garment_spec.PRESETS)
SILK_WINE = (0.11, 0.006, 0.022)  # linear sRGB (#5c1029): a deep wine silk


class DemoError(RuntimeError):
    """The demo cannot run; the message names the problem and the fix."""


def _check_writable(path: Path):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DemoError(f"cannot create the output folder {path.parent}: {exc}. Choose another --out path.") from exc
    if not os.access(path.parent, os.W_OK):
        raise DemoError(f"the output folder {path.parent} is not writable. Choose another --out path.")


def _shape_body(avatar, body_seed: int | None, sex: str, measurements: dict):
    """A non-default body: a seeded random body, then any explicit measurements (cm/kg) on top."""
    avatar.wardrobe.sex = sex
    if body_seed is not None and bpy.ops.wardrobe.body_random(seed=body_seed) != {"FINISHED"}:
        raise DemoError("the random body failed (see the message above)")
    for name, value in measurements.items():
        setattr(avatar.wardrobe, name, float(value))
    if avatar.wardrobe.body_message.startswith("Body"):
        raise DemoError(avatar.wardrobe.body_message)


def _dress(scene, garment_obj, fabric: str, color, fabric_size: int, fabric_seed: int):
    settings = scene.wardrobe_fabric
    if fabric == "none":
        garment_obj.data.materials.append(studio.principled("Garment", settings.color, settings.roughness))
        return
    settings.kind, settings.resolution, settings.seed = fabric, str(fabric_size), fabric_seed
    if color is not None:
        settings.color = color
    for o in bpy.context.selected_objects:
        o.select_set(False)
    garment_obj.select_set(True)
    bpy.context.view_layer.objects.active = garment_obj
    if bpy.ops.wardrobe.generate_fabric() != {"FINISHED"}:
        raise DemoError("Generate Fabric failed (see the message above)")


def _make_pattern_garment(preset: str):
    spec = garment_spec.PRESETS[preset]
    values = {n: getattr(spec, n) for n in GARMENT_FIELDS}
    if bpy.ops.wardrobe.make_garment(**values) != {"FINISHED"}:
        raise DemoError(f"making the {preset} failed (see the message above)")


def run(out, samples=32, resolution=(480, 720), garment="a_line_dress", save_blend=None, fabric="silk", color=None,
        fabric_size=512, fabric_seed=0, body_seed=7, sex="female", measurements=None, drape_frames=30) -> str:
    """Build the demo scene (a shaped avatar wearing a generated fabric) and render it; returns the PNG path."""
    path = Path(out).expanduser().resolve()
    if path.suffix.lower() != ".png":
        raise DemoError(f"--out must be a .png file, got {path.name}")
    _check_writable(path)
    scene = studio.fresh_scene()
    if bpy.ops.wardrobe.add_avatar() != {"FINISHED"}:
        raise DemoError("adding the avatar failed (see the message above)")
    avatar = bpy.context.active_object
    avatar.data.materials.append(studio.skin())
    if garment in PATTERN_DEMOS:  # cut to measure: shape the body first, then make the garment on it
        _shape_body(avatar, body_seed, sex, measurements or {})
        _make_pattern_garment(garment)
        worn = bpy.context.active_object
        _dress(scene, worn, fabric, SILK_WINE if color is None and fabric == "silk" else color, fabric_size,
               fabric_seed)
        if drape_frames > 0:
            bpy.context.view_layer.objects.active = worn
            if bpy.ops.wardrobe.drape(frames=drape_frames, fabric=fabric if fabric != "none" else "cotton") \
                    != {"FINISHED"}:
                raise DemoError("the drape failed (see the message above)")
    else:
        if garment:
            if bpy.ops.wardrobe.add_garment(part=garment) != {"FINISHED"}:
                raise DemoError(f"adding the {garment} failed (see the message above)")
            _dress(scene, bpy.context.active_object, fabric, color, fabric_size, fabric_seed)
        bpy.context.view_layer.objects.active = avatar
        _shape_body(avatar, body_seed, sex, measurements or {})  # garments follow the body
    avatar.rotation_euler.z = math.radians(-20)
    bpy.context.view_layer.update()
    studio.stage(scene, height=avatar.dimensions.z)
    studio.configure_cycles(scene, samples, resolution)
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)
    if save_blend:
        bpy.ops.wm.save_as_mainfile(filepath=str(Path(save_blend).expanduser().resolve()))
    if not path.is_file():
        raise DemoError(f"Cycles finished but {path} was not written")
    return str(path)
