"""The studio the demo and headless batches render in: an empty scene, world, camera, key light and
floor framing an avatar, plain materials, and Cycles on the CPU.
"""

import bpy
from mathutils import Vector

SKIN = (0.55, 0.36, 0.27)  # linear sRGB


def principled(name: str, color, roughness: float) -> bpy.types.Material:
    mat = bpy.data.materials.new(name)
    if not mat.node_tree:  # Blender < 5.0 creates materials without nodes
        mat.use_nodes = True
    bsdf = next(n for n in mat.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    bsdf.inputs["Base Color"].default_value = (*color, 1.0)
    bsdf.inputs["Roughness"].default_value = roughness
    return mat


def look_at(obj, target: Vector):
    obj.rotation_euler = (target - obj.location).to_track_quat("-Z", "Y").to_euler()


def fresh_scene() -> bpy.types.Scene:
    bpy.ops.wm.read_homefile(use_empty=True)  # keeps preferences and enabled add-ons
    return bpy.context.scene


def skin(name: str = "Skin") -> bpy.types.Material:
    return principled(name, SKIN, 0.45)


def stage(scene, height: float):
    """World, camera (85 mm, framing a person of ``height`` m), key light and floor."""
    world = bpy.data.worlds.new("Wardrobe Demo World")
    if not world.node_tree:
        world.use_nodes = True
    world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.32, 0.34, 0.38, 1.0)
    scene.world = world

    cam = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    cam.data.lens = 85
    cam.location = (0.9, -5.6, 0.55 * height + 0.3)
    look_at(cam, Vector((0.0, 0.0, 0.5 * height)))
    scene.collection.objects.link(cam)
    scene.camera = cam

    key = bpy.data.objects.new("Key", bpy.data.lights.new("Key", "AREA"))
    key.data.energy, key.data.size = 900.0, 2.0
    key.location = (-2.5, -3.0, 3.2)
    look_at(key, Vector((0.0, 0.0, 1.0)))
    scene.collection.objects.link(key)

    floor_mesh = bpy.data.meshes.new("Floor")
    r = 3.0
    floor_mesh.from_pydata([(-r, -r, 0), (r, -r, 0), (r, r, 0), (-r, r, 0)], [], [(0, 1, 2, 3)])
    floor = bpy.data.objects.new("Floor", floor_mesh)
    floor.data.materials.append(principled("Floor", (0.5, 0.5, 0.52), 0.8))
    scene.collection.objects.link(floor)


def configure_cycles(scene, samples: int, resolution: tuple[int, int]):
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.cycles.use_denoising = False  # keep the demo dependency-free and deterministic
    scene.render.resolution_x, scene.render.resolution_y = resolution
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.render.film_transparent = False
