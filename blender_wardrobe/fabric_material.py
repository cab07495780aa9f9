"""Engine arrays -> Blender images and a Principled BSDF material, and putting it on a mesh (main thread only).

Nothing is ever lost: every generation's images get file names of their own (a random token, kept
when objects or materials are renamed), a re-run replaces the Wardrobe material it displaces (and
its images) instead of piling up copies, and the height map is only made when displacement uses it.
"""

import os
import tempfile
import uuid

import bpy
import numpy as np

TEXTURE_DIR = "//wardrobe_textures"
TAG = "wardrobe"  # custom property on our materials (generation info) and images (the generation token)
# Pile has a fibre sheen; satin shines by its anisotropic specular instead (a sheen layer greys it).
SHEEN = {"velvet": 1.0, "corduroy": 0.8}
# Filament fabrics (satin, silk): the warp floats run along the UV map's V axis, and light off long parallel
# fibres stretches across them, so the highlight is elongated along the UV tangent (U), as silk shines.
ANISOTROPY = {"satin": 0.6, "silk": 0.75, "dupioni": 0.4}
# name in the engine's result -> (file format, colour space, float buffer)
MAPS = {
    "albedo": ("PNG", "sRGB", False),
    "normal": ("PNG", "Non-Color", False),
    "roughness": ("PNG", "Non-Color", False),
    "height": ("OPEN_EXR", "Non-Color", True),
}
SURFACE_MAPS = ("albedo", "normal", "roughness")  # what every fabric material uses; height only for displacement


class SaveError(RuntimeError):
    """Images could not be written beside the .blend; the message names the folder and the fix."""


def maps_for(displacement: bool) -> tuple[str, ...]:
    return (*SURFACE_MAPS, "height") if displacement else SURFACE_MAPS


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


def memory_images(base: str, images: dict, names=tuple(MAPS)) -> dict:
    """One in-memory Blender image per map ("<base> <map>"), pixels and colour space set; nothing on disk."""
    out = {}
    try:
        for name in names:
            fmt, colorspace, is_float = MAPS[name]
            arr = images[name]
            h, w = arr.shape[:2]
            img = out[name] = bpy.data.images.new(f"{base} {name}", w, h, alpha=False, float_buffer=is_float)
            img.colorspace_settings.name = colorspace
            img.pixels.foreach_set(_rgba(arr))
            img.file_format = fmt
    except BaseException:
        remove_images(out.values())
        raise
    return out


def remove_images(images) -> None:
    for img in list(images):
        bpy.data.images.remove(img)


def new_token(folder: str | None) -> str:
    """A name part no earlier generation used: file names never clash across objects, runs or renames."""
    while True:
        token = uuid.uuid4().hex[:10]
        taken = folder is not None and os.path.isdir(folder) and any(token in f for f in os.listdir(folder))
        if not taken and not any(img.get(TAG) == token for img in bpy.data.images):
            return token


def new_images(base: str, images: dict, names=SURFACE_MAPS) -> dict:
    """The maps as images saved beside the .blend (relative paths, unique names), or packed when unsaved."""
    folder = _texture_folder()
    token = new_token(folder)
    out = memory_images(base, images, names)
    try:
        for name, img in out.items():
            img[TAG] = token
            if folder is not None:
                ext = ".exr" if img.file_format == "OPEN_EXR" else ".png"
                path = os.path.join(folder, f"{bpy.path.clean_name(base)}_{token}_{name}{ext}")
                img.filepath_raw = path
                img.save()
                img.filepath = bpy.path.relpath(path)
                img.source = "FILE"
                img.reload()  # now backed by the file on disk
                img.colorspace_settings.name = MAPS[name][1]
            else:
                img.pack()
    except (RuntimeError, OSError) as exc:
        remove_images(out.values())
        raise SaveError(f"could not store the fabric images ({exc}): check that the .blend's folder is "
                        "writable") from exc
    return out


def _socket(node, *names):
    """The first input that exists: socket names changed between Blender 4.x and 5.x."""
    for n in names:
        if n in node.inputs:
            return node.inputs[n]
    raise KeyError(f"{node.bl_idname} has none of the inputs {names}")


def new_material(name: str, kind: str, images: dict, mapping_scale: float, displacement: bool,
                 uv_map: str = "") -> bpy.types.Material:
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
    for i, key in enumerate(k for k in ("albedo", "roughness", "normal", "height") if k in images):
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
    nmap.uv_map = uv_map
    nt.links.new(tex["normal"].outputs["Color"], nmap.inputs["Color"])
    nt.links.new(nmap.outputs["Normal"], bsdf.inputs["Normal"])
    if kind in SHEEN:
        _socket(bsdf, "Sheen Weight", "Sheen").default_value = SHEEN[kind]
    if kind in ANISOTROPY:
        _socket(bsdf, "Anisotropic", "Specular Anisotropic").default_value = ANISOTROPY[kind]
        tangent = nt.nodes.new("ShaderNodeTangent")
        tangent.name = tangent.label = "Fabric Grain"
        tangent.location = (0, -550)
        tangent.direction_type = "UV_MAP"  # follows the UV layout, so the sheen turns with the garment's grain
        tangent.uv_map = uv_map
        nt.links.new(tangent.outputs["Tangent"], bsdf.inputs["Tangent"])
    if displacement:
        disp = nt.nodes.new("ShaderNodeDisplacement")
        disp.location = (250, -500)
        disp.inputs["Scale"].default_value = 0.001  # 1 mm of relief for the full height range
        disp.inputs["Midlevel"].default_value = 0.5
        nt.links.new(tex["height"].outputs["Color"], disp.inputs["Height"])
        nt.links.new(disp.outputs["Displacement"], out.inputs["Displacement"])
    return mat


def make(base: str, kind: str, surface, *, displacement: bool = False, uv_map: str = "",
         kept: bool = True) -> tuple[bpy.types.Material, dict]:
    """The material and images for one generated surface (engine ``FabricSurface``): the one place that
    turns a fabric into Blender data. ``kept``: images saved beside the .blend or packed (Generate
    Fabric); otherwise in memory only (batches remove them after rendering). Raises SaveError."""
    names = maps_for(displacement)
    images = (new_images if kept else memory_images)(base, surface.images, names)
    return new_material(base, kind, images, surface.mapping_scale, displacement, uv_map), images


def _is_ours(mat) -> bool:
    return mat is not None and TAG in mat.keys()


def assign(obj: bpy.types.Object, mat: bpy.types.Material, face_mask: np.ndarray | None) -> list:
    """Put ``mat`` on the whole object, or on the faces in ``face_mask`` (Edit Mode selection).

    Returns the Wardrobe materials it displaced. With a face mask, the slot of the selected faces is
    reused when they are exactly the faces of one Wardrobe material's slot; otherwise a slot is added.
    """
    me = obj.data
    if face_mask is None:
        displaced = [m for m in me.materials if _is_ours(m)]
        me.materials.clear()
        me.materials.append(mat)
        me.polygons.foreach_set("material_index", np.zeros(len(me.polygons), np.int32))
        me.update()
        return displaced
    idx = np.zeros(len(me.polygons), np.int32)
    me.polygons.foreach_get("material_index", idx)
    slots = np.unique(idx[face_mask])
    if len(slots) == 1 and slots[0] < len(me.materials) and _is_ours(me.materials[int(slots[0])]) \
            and np.array_equal(idx == slots[0], face_mask):
        old = me.materials[int(slots[0])]
        me.materials[int(slots[0])] = mat
        me.update()
        return [old]
    me.materials.append(mat)
    idx[face_mask] = len(me.materials) - 1
    me.polygons.foreach_set("material_index", idx)
    me.update()
    return []


def retire(displaced, keep: bool) -> None:
    """Displaced Wardrobe materials: removed with their images once nothing uses them, or kept (fake user)."""
    for mat in displaced:
        if keep:
            mat.use_fake_user = True
            continue
        if mat.users > 0:  # still on another object or slot
            continue
        images = [n.image for n in mat.node_tree.nodes if n.bl_idname == "ShaderNodeTexImage" and n.image]
        bpy.data.materials.remove(mat)
        for img in images:
            if img.users == 0 and TAG in img.keys():
                bpy.data.images.remove(img)
