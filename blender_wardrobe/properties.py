"""Settings stored on the scene and on objects, so they save with the .blend."""

import bpy
from bpy.props import EnumProperty, FloatProperty, FloatVectorProperty, IntProperty, PointerProperty

# Vocabulary of the fabric generator's conditions (issue: fabric GAN); kept in one place.
FABRIC_KINDS = [
    ("cotton", "Cotton (plain weave)", ""),
    ("linen", "Linen (plain weave)", ""),
    ("denim", "Denim (twill)", ""),
    ("satin", "Satin / Silk", ""),
    ("basket", "Basket weave", ""),
    ("herringbone", "Herringbone / Tweed", ""),
    ("jersey", "Jersey knit", ""),
    ("rib", "Rib knit", ""),
    ("velvet", "Velvet / Pile", ""),
    ("leather", "Leather grain", ""),
    ("stripes", "Yarn-dyed stripes", ""),
    ("plaid", "Gingham / Plaid", ""),
]
RESOLUTIONS = [(str(n), f"{n} px", "") for n in (256, 512, 1024, 2048, 4096)]
ROLES = [
    ("NONE", "None", "Not managed by Blender Wardrobe"),
    ("AVATAR", "Avatar", "A body driven by the Wardrobe body sliders"),
    ("GARMENT", "Garment", "A garment that follows its avatar"),
]


class WardrobeFabricSettings(bpy.types.PropertyGroup):
    kind: EnumProperty(name="Fabric", items=FABRIC_KINDS, default="cotton")
    color: FloatVectorProperty(
        name="Colour", subtype="COLOR", size=3, min=0.0, max=1.0, default=(0.16, 0.27, 0.45)
    )
    scale: FloatProperty(
        name="Threads per cm", default=12.0, min=1.0, max=80.0, description="Weave density (physical scale)"
    )
    roughness: FloatProperty(name="Roughness", default=0.7, min=0.0, max=1.0, subtype="FACTOR")
    seed: IntProperty(name="Seed", default=0, min=0)
    resolution: EnumProperty(name="Resolution", items=RESOLUTIONS, default="1024")


class WardrobeObjectSettings(bpy.types.PropertyGroup):
    role: EnumProperty(name="Role", items=ROLES, default="NONE")
    avatar: PointerProperty(name="Avatar", type=bpy.types.Object, description="The avatar this garment follows")


classes = (WardrobeFabricSettings, WardrobeObjectSettings)


def register_pointers():
    bpy.types.Scene.wardrobe_fabric = PointerProperty(type=WardrobeFabricSettings)
    bpy.types.Object.wardrobe = PointerProperty(type=WardrobeObjectSettings)


def unregister_pointers():
    del bpy.types.Object.wardrobe
    del bpy.types.Scene.wardrobe_fabric
