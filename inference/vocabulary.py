"""The words the product uses, defined once: body measurements (id, label, unit), garments, fabric kinds.

The add-on's sliders and panel, the batch spec, both command lines, the Python API and training all
take them from here. An id is ANSUR II's word where there is one (``stature``); the label is the
word users read (Height), the same in the panel, the CLI help and the docs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    id: str  # the model's condition name (ANSUR II's word) and the key of stored sliders
    label: str  # what users read: the panel, the CLI flag (--height), the batch spec and API key (height)
    unit: str  # "cm" or "kg"
    description: str
    soft_range: tuple[float, float]  # a slider's drag range (typing may go to half / 1.5 times it)

    @property
    def key(self) -> str:
        """The word users type for it (batch spec, API, CLI): the label in lower case."""
        return self.label.lower()


MEASUREMENTS = (
    Measurement("stature", "Height", "cm", "Stature (standing height) in cm", (135.0, 210.0)),
    Measurement("chest", "Chest", "cm", "Chest (bust) girth in cm", (70.0, 140.0)),
    Measurement("waist", "Waist", "cm", "Waist girth at the navel in cm", (55.0, 140.0)),
    Measurement("hips", "Hips", "cm", "Hip (buttock) girth in cm", (75.0, 145.0)),
    Measurement("inseam", "Inseam", "cm", "Crotch height (inseam) in cm", (60.0, 100.0)),
    Measurement("weight", "Weight", "kg", "Body weight in kg", (40.0, 150.0)),
)
SLIDERS = tuple(m.id for m in MEASUREMENTS)  # the body model's condition order (then sex)
BY_ID = {m.id: m for m in MEASUREMENTS}
USER_KEYS = tuple(m.key for m in MEASUREMENTS)  # height, chest, waist, hips, inseam, weight


def measurement_id(word: str) -> str | None:
    """The id of a measurement given by its user word (height) or its id (stature); None if neither."""
    for m in MEASUREMENTS:
        if word in (m.key, m.id):
            return m.id
    return None


@dataclass(frozen=True)
class Garment:
    id: str
    label: str
    description: str


GARMENTS = (
    Garment("tights", "Tights", "Full-body tights (MakeHuman CC0 helper geometry)"),
    Garment("skirt", "Skirt", "Skirt (MakeHuman CC0 helper geometry)"),
)
GARMENT_IDS = tuple(g.id for g in GARMENTS)

# Garments cut to measure on the current body (inference.garment_spec), with sewing-pattern UVs.
PATTERN_GARMENT_LIST = (
    Garment("dress", "Dress", "Dress made to measure: sheath to A-line, sleeveless or sleeved, mini to maxi"),
    Garment("top", "Top", "Top / T-shirt made to measure, with or without sleeves"),
    Garment("trousers", "Trousers", "Trousers made to measure, waist to hem"),
)
PATTERN_GARMENTS = tuple(g.id for g in PATTERN_GARMENT_LIST)

# Body regions a garment is cut on (template vertex labels from the skin weights). "l" is the body's
# left, +X in Blender (the avatar faces -Y).
BODY_PARTS = ("trunk", "head", "arm_l", "arm_r", "leg_l", "leg_r")


@dataclass(frozen=True)
class FabricKind:
    id: str  # the condition the fabric model is trained on (its card lists the same ids, in this order)
    label: str


FABRIC_KINDS = (
    FabricKind("cotton", "Cotton (plain weave)"),
    FabricKind("linen", "Linen (slubbed plain weave)"),
    FabricKind("denim", "Denim (3/1 twill, white weft)"),
    FabricKind("satin", "Satin (5-end)"),
    FabricKind("silk", "Silk charmeuse (8-end satin)"),
    FabricKind("dupioni", "Silk dupioni / shantung"),
    FabricKind("chambray", "Chambray"),
    FabricKind("twill", "Twill (2/1)"),
    FabricKind("basket", "Basket weave"),
    FabricKind("herringbone", "Herringbone"),
    FabricKind("houndstooth", "Houndstooth"),
    FabricKind("tweed", "Tweed"),
    FabricKind("stripes", "Yarn-dyed stripes"),
    FabricKind("gingham", "Gingham"),
    FabricKind("plaid", "Plaid / Tartan"),
    FabricKind("corduroy", "Corduroy"),
    FabricKind("jersey", "Jersey knit"),
    FabricKind("rib", "Rib knit"),
    FabricKind("velvet", "Velvet / Pile"),
    FabricKind("leather", "Leather grain"),
)
FABRIC_KIND_IDS = tuple(k.id for k in FABRIC_KINDS)
