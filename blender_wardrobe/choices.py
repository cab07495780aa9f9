"""The choices of the add-on's settings (enum items, sizes), apart from the properties that use them.

Operators, the CLI and the body sync read them from here, so none of them imports ``properties``
(whose update callbacks import them back).
"""

from .engine import garment_spec, vocabulary, weave_draft

FABRIC_KINDS = [(k.id, k.label, "") for k in vocabulary.FABRIC_KINDS]  # the engine's words, as enum items
FABRIC_KIND_IDS = vocabulary.FABRIC_KIND_IDS
DRAFTS = [("KIND", "Kind's own", "The weave of the chosen fabric kind")] + [
    (name, weave_draft.DRAFT_LABELS[name], "") for name in weave_draft.DRAFTS] + [
    ("CUSTOM", "Custom", "Your own draft: rows of # (warp up) and . (weft up), split by /")]
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
PATTERN_GARMENTS = [(g.id, g.label, g.description) for g in vocabulary.PATTERN_GARMENT_LIST]
GARMENT_PRESETS = [("CUSTOM", "Custom", "Your own measurements")] + [
    (name, name.replace("_", " ").title(), f"{spec.kind}: length {spec.length:g} cm, sleeve {spec.sleeve:g} cm, "
     f"flare {spec.flare:g} cm") for name, spec in garment_spec.PRESETS.items()]
GARMENT_FIELDS = ("kind", "ease_chest", "ease_waist", "ease_hips", "length", "sleeve", "flare", "neckline")
