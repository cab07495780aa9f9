"""The choices of the add-on's settings (enum items, sizes), apart from the properties that use them.

Operators, the CLI and the body sync read them from here, so none of them imports ``properties``
(whose update callbacks import them back).
"""

# The fabric generator's kinds with their labels (the model card lists the same ids; a test holds them equal).
FABRIC_KINDS = [
    ("cotton", "Cotton (plain weave)", ""),
    ("linen", "Linen (plain weave)", ""),
    ("denim", "Denim (twill)", ""),
    ("satin", "Satin / Silk", ""),
    ("basket", "Basket weave", ""),
    ("herringbone", "Herringbone", ""),
    ("tweed", "Tweed", ""),
    ("jersey", "Jersey knit", ""),
    ("rib", "Rib knit", ""),
    ("velvet", "Velvet / Pile", ""),
    ("leather", "Leather grain", ""),
    ("stripes", "Yarn-dyed stripes", ""),
    ("plaid", "Gingham / Plaid", ""),
]
FABRIC_KIND_IDS = tuple(k for k, _, _ in FABRIC_KINDS)
RESOLUTIONS = [(str(n), f"{n} px", "") for n in (256, 512, 1024, 2048, 4096)]
ROLES = [
    ("NONE", "None", "Not managed by Blender Wardrobe"),
    ("AVATAR", "Avatar", "A body driven by the Wardrobe body sliders"),
    ("GARMENT", "Garment", "A garment that follows its avatar"),
]
SEXES = [("female", "Female", "Female body statistics"), ("male", "Male", "Male body statistics")]
BINDINGS = [
    ("NONE", "Not bound", "This mesh does not follow the body model yet"),
    ("IDENTITY", "Template", "The mesh is in the template topology: vertices map 1:1"),
    ("SURFACE", "Surface", "Each vertex follows a point on the reference body's surface"),
]
STYLE_SIZE = 8  # room for the body model's latent ("body style"); the panel shows as many as the model has
