"""The demo job: a fresh scene with the avatar and a garment, rendered with Cycles on the CPU."""

import math
import os
from pathlib import Path

import bpy
from mathutils import Vector

SKIN = (0.55, 0.36, 0.27)  # linear sRGB


class DemoError(RuntimeError):
    """The demo cannot run; the message names the problem and the fix."""


def _principled(name: str, color, roughness: float) -> bpy.types.Material:
    mat = bpy.data.materials.new(name)
    if not mat.node_tree:  # Blender < 5.0 creates materials without nodes
        mat.use_nodes = True
    bsdf = next(n for n in mat.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    bsdf.inputs["Base Color"].default_value = (*color, 1.0)
    bsdf.inputs["Roughness"].default_value = roughness
    return mat


def _look_at(obj, target: Vector):
    obj.rotation_euler = (target - obj.location).to_track_quat("-Z", "Y").to_euler()


def _fresh_scene() -> bpy.types.Scene:
    bpy.ops.wm.read_homefile(use_empty=True)  # keeps preferences and enabled add-ons
    return bpy.context.scene


def _stage(scene, height: float):
    world = bpy.data.worlds.new("Wardrobe Demo World")
    if not world.node_tree:
        world.use_nodes = True
    world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.32, 0.34, 0.38, 1.0)
    scene.world = world

    cam = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    cam.data.lens = 85
    cam.location = (0.9, -5.6, 0.55 * height + 0.3)
    _look_at(cam, Vector((0.0, 0.0, 0.5 * height)))
    scene.collection.objects.link(cam)
    scene.camera = cam

    key = bpy.data.objects.new("Key", bpy.data.lights.new("Key", "AREA"))
    key.data.energy, key.data.size = 900.0, 2.0
    key.location = (-2.5, -3.0, 3.2)
    _look_at(key, Vector((0.0, 0.0, 1.0)))
    scene.collection.objects.link(key)

    floor_mesh = bpy.data.meshes.new("Floor")
    r = 3.0
    floor_mesh.from_pydata([(-r, -r, 0), (r, -r, 0), (r, r, 0), (-r, r, 0)], [], [(0, 1, 2, 3)])
    floor = bpy.data.objects.new("Floor", floor_mesh)
    floor.data.materials.append(_principled("Floor", (0.5, 0.5, 0.52), 0.8))
    scene.collection.objects.link(floor)


def _configure_cycles(scene, samples: int, resolution: tuple[int, int]):
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.cycles.use_denoising = False  # keep the demo dependency-free and deterministic
    scene.render.resolution_x, scene.render.resolution_y = resolution
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.render.film_transparent = False


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
        garment_obj.data.materials.append(_principled("Garment", settings.color, settings.roughness))
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


def run(out, samples=32, resolution=(480, 720), garment="skirt", save_blend=None, fabric="denim", color=None,
        fabric_size=512, fabric_seed=0, body_seed=7, sex="female", measurements=None) -> str:
    """Build the demo scene (a shaped avatar wearing a generated fabric) and render it; returns the PNG path."""
    path = Path(out).expanduser().resolve()
    if path.suffix.lower() != ".png":
        raise DemoError(f"--out must be a .png file, got {path.name}")
    _check_writable(path)
    scene = _fresh_scene()
    if bpy.ops.wardrobe.add_avatar() != {"FINISHED"}:
        raise DemoError("adding the avatar failed (see the message above)")
    avatar = bpy.context.active_object
    avatar.data.materials.append(_principled("Skin", SKIN, 0.45))
    if garment:
        if bpy.ops.wardrobe.add_garment(part=garment) != {"FINISHED"}:
            raise DemoError(f"adding the {garment} failed (see the message above)")
        _dress(scene, bpy.context.active_object, fabric, color, fabric_size, fabric_seed)
    bpy.context.view_layer.objects.active = avatar
    _shape_body(avatar, body_seed, sex, measurements or {})  # garments follow the body
    avatar.rotation_euler.z = math.radians(-20)
    bpy.context.view_layer.update()
    _stage(scene, height=avatar.dimensions.z)
    _configure_cycles(scene, samples, resolution)
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)
    if save_blend:
        bpy.ops.wm.save_as_mainfile(filepath=str(Path(save_blend).expanduser().resolve()))
    if not path.is_file():
        raise DemoError(f"Cycles finished but {path} was not written")
    return str(path)
