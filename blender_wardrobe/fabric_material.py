"""Engine arrays -> Blender images and a Principled BSDF material (main thread only)."""

import os
import tempfile

import bpy
import numpy as np

TEXTURE_DIR = "//wardrobe_textures"
SHEEN = {"satin": 0.4, "velvet": 1.0}  # sheen weight for fabrics with a visible fibre sheen
# name in the engine's result -> (file format, colour space, float buffer)
MAPS = {
    "albedo": ("PNG", "sRGB", False),
    "normal": ("PNG", "Non-Color", False),
    "roughness": ("PNG", "Non-Color", False),
    "height": ("OPEN_EXR", "Non-Color", True),
}


class SaveError(RuntimeError):
    """Images could not be written beside the .blend; the message names the folder and the fix."""


def _rgba(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    out = np.ones((h, w, 4), np.float32)
    if img.ndim == 2:
        out[..., :3] = img[..., None]
    else:
        out[..., :3] = img[..., :3]
    return out.ravel()


def _texture_folder() -> str | None:
    """Absolute folder for the images of a saved .blend (None when unsaved: pack instead)."""
    if not bpy.data.filepath:
        return None
    return bpy.path.abspath(TEXTURE_DIR)


def check_writable() -> None:
    """Fail before anything is created if the images cannot be written beside the .blend."""
    folder = _texture_folder()
    if folder is None:
        return
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".wardrobe_write_test"):  # unique: no races
            pass
    except OSError as exc:
        raise SaveError(f"cannot write textures to {folder} ({exc.strerror or exc}): save the .blend somewhere "
                        "writable, or make that folder writable") from exc


def memory_images(base: str, images: dict) -> dict:
    """One in-memory Blender image per map ("<base> <map>"), pixels and colour space set; nothing on disk."""
    out = {}
    try:
        for name, (fmt, colorspace, is_float) in MAPS.items():
            arr = images[name]
            h, w = arr.shape[:2]
            img = out[name] = bpy.data.images.new(f"{base} {name}", w, h, alpha=False, float_buffer=is_float)
            img.colorspace_settings.name = colorspace
            img.pixels.foreach_set(_rgba(arr))
            img.file_format = fmt
    except BaseException:
        for img in out.values():
            bpy.data.images.remove(img)
        raise
    return out


def new_images(base: str, images: dict) -> dict:
    """The maps as images saved beside the .blend (relative paths), or packed when the .blend is unsaved."""
    folder = _texture_folder()
    out = memory_images(base, images)
    try:
        for name, img in out.items():
            if folder is not None:
                ext = ".exr" if img.file_format == "OPEN_EXR" else ".png"
                path = os.path.join(folder, bpy.path.clean_name(f"{base}_{name}") + ext)
                img.filepath_raw = path
                img.save()
                img.filepath = bpy.path.relpath(path)
                img.source = "FILE"
                img.reload()  # now backed by the file on disk
                img.colorspace_settings.name = MAPS[name][1]
            else:
                img.pack()
    except (RuntimeError, OSError) as exc:
        for img in out.values():
            bpy.data.images.remove(img)
        raise SaveError(f"could not store the fabric images ({exc}): check that the .blend's folder is "
                        "writable") from exc
    return out


def _socket(node, *names):
    """The first input that exists: socket names changed between Blender 4.x and 5.x."""
    for n in names:
        if n in node.inputs:
            return node.inputs[n]
    raise KeyError(f"{node.bl_idname} has none of the inputs {names}")


def new_material(name: str, kind: str, images: dict, mapping_scale: float, displacement: bool) -> bpy.types.Material:
    mat = bpy.data.materials.new(name)
    if mat.node_tree is None:  # Blender 4.x; 5.0 creates node trees already (use_nodes is deprecated there)
        mat.use_nodes = True
    nt = mat.node_tree
    nt.nodes.clear()
    out = nt.nodes.new("ShaderNodeOutputMaterial")
    out.location = (600, 0)
    bsdf = nt.nodes.new("ShaderNodeBsdfPrincipled")
    bsdf.location = (250, 0)
    nt.links.new(bsdf.outputs["BSDF"], out.inputs["Surface"])
    coord = nt.nodes.new("ShaderNodeTexCoord")
    coord.location = (-900, 0)
    mapping = nt.nodes.new("ShaderNodeMapping")
    mapping.name = mapping.label = "Fabric Scale"
    mapping.location = (-700, 0)
    mapping.inputs["Scale"].default_value = (mapping_scale, mapping_scale, 1.0)
    nt.links.new(coord.outputs["UV"], mapping.inputs["Vector"])
    tex = {}
    for i, key in enumerate(("albedo", "roughness", "normal", "height")):
        node = nt.nodes.new("ShaderNodeTexImage")
        node.name = node.label = f"Fabric {key}"
        node.image = images[key]
        node.extension = "REPEAT"
        node.location = (-450, 300 - i * 280)
        nt.links.new(mapping.outputs["Vector"], node.inputs["Vector"])
        tex[key] = node
    nt.links.new(tex["albedo"].outputs["Color"], bsdf.inputs["Base Color"])
    nt.links.new(tex["roughness"].outputs["Color"], bsdf.inputs["Roughness"])
    nmap = nt.nodes.new("ShaderNodeNormalMap")
    nmap.location = (0, -300)
    nt.links.new(tex["normal"].outputs["Color"], nmap.inputs["Color"])
    nt.links.new(nmap.outputs["Normal"], bsdf.inputs["Normal"])
    if kind in SHEEN:
        _socket(bsdf, "Sheen Weight", "Sheen").default_value = SHEEN[kind]
    if displacement:
        disp = nt.nodes.new("ShaderNodeDisplacement")
        disp.location = (250, -500)
        disp.inputs["Scale"].default_value = 0.001  # 1 mm of relief for the full height range
        disp.inputs["Midlevel"].default_value = 0.5
        nt.links.new(tex["height"].outputs["Color"], disp.inputs["Height"])
        nt.links.new(disp.outputs["Displacement"], out.inputs["Displacement"])
    return mat


def assign(obj: bpy.types.Object, mat: bpy.types.Material, face_mask: np.ndarray | None) -> None:
    """Put ``mat`` on the whole object, or only on the faces in ``face_mask`` (Edit Mode selection)."""
    me = obj.data
    if face_mask is None:
        me.materials.clear()
        me.materials.append(mat)
        me.polygons.foreach_set("material_index", np.zeros(len(me.polygons), np.int32))
        me.update()
        return
    me.materials.append(mat)
    slot = len(me.materials) - 1
    idx = np.zeros(len(me.polygons), np.int32)
    me.polygons.foreach_get("material_index", idx)
    idx[face_mask] = slot
    me.polygons.foreach_set("material_index", idx)
    me.update()
