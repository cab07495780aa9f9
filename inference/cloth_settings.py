"""How each fabric kind behaves in a cloth simulation: mass and stiffness, in Blender's cloth units.

Silk is light and fluid (low bending, folds small and many); denim heavy and stiff (few broad folds);
knits stretch. Values follow Blender's own cloth presets (Silk, Cotton, Denim, Leather) and sit
between them for the kinds those do not name.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import FABRIC_KIND_IDS


@dataclass(frozen=True)
class Cloth:
    mass: float  # kg per vertex (Blender's "vertex mass")
    tension: float  # stretch stiffness
    compression: float
    shear: float
    bending: float
    air: float  # air damping


SILK = Cloth(0.15, 5.0, 5.0, 5.0, 0.05, 1.0)
COTTON = Cloth(0.3, 15.0, 15.0, 15.0, 0.5, 1.0)
WOOL = Cloth(0.4, 15.0, 15.0, 15.0, 2.0, 1.0)
DENIM = Cloth(1.0, 40.0, 40.0, 40.0, 10.0, 1.0)
KNIT = Cloth(0.3, 5.0, 5.0, 5.0, 0.5, 1.0)
PILE = Cloth(0.5, 20.0, 20.0, 20.0, 4.0, 1.0)
LEATHER = Cloth(0.4, 80.0, 80.0, 80.0, 150.0, 1.0)

BY_KIND = {
    "cotton": COTTON, "linen": COTTON, "denim": DENIM, "satin": SILK, "silk": SILK, "dupioni": SILK,
    "chambray": COTTON, "twill": COTTON, "basket": COTTON, "herringbone": WOOL, "houndstooth": WOOL,
    "tweed": WOOL, "stripes": COTTON, "gingham": COTTON, "plaid": WOOL, "corduroy": DENIM, "jersey": KNIT,
    "rib": KNIT, "velvet": PILE, "leather": LEATHER,
}
assert set(BY_KIND) == set(FABRIC_KIND_IDS), "every fabric kind needs cloth settings"


def for_kind(kind: str) -> Cloth:
    return BY_KIND.get(kind, COTTON)
