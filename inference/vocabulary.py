"""The words the product uses, defined once: body measurements (id, label, unit) and garments.

The add-on's sliders and panel, the batch spec, both command lines, the Python API and training all
take them from here. An id is ANSUR II's word where there is one (``stature``); the label is the
word users read (Height), the same in the panel, the CLI help and the docs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    id: str  # the key in the API, the batch spec and the model's condition
    label: str  # what users read
    unit: str  # "cm" or "kg"
    description: str


MEASUREMENTS = (
    Measurement("stature", "Height", "cm", "Stature (standing height) in cm"),
    Measurement("chest", "Chest", "cm", "Chest (bust) girth in cm"),
    Measurement("waist", "Waist", "cm", "Waist girth at the navel in cm"),
    Measurement("hips", "Hips", "cm", "Hip (buttock) girth in cm"),
    Measurement("inseam", "Inseam", "cm", "Crotch height (inseam) in cm"),
    Measurement("weight", "Weight", "kg", "Body weight in kg"),
)
SLIDERS = tuple(m.id for m in MEASUREMENTS)  # the body model's condition order (then sex)
BY_ID = {m.id: m for m in MEASUREMENTS}


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
