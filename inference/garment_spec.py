"""What a made-to-measure garment is: its kind and its measurements in centimetres, checked once.

Ease is garment girth minus body girth at the body's chest, waist and hip levels (negative: a
stretch fabric, drawn skin-tight and reported as such). Length runs from the waist (navel level)
down to the hem; a sleeve from the shoulder point down the arm (0: sleeveless); flare is girth
added at the hem over a sheath (an A-line's swing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from .errors import EngineError
from .vocabulary import PATTERN_GARMENTS


class GarmentError(EngineError, ValueError):
    """A garment that cannot be made as asked; the message names the fix."""


@dataclass(frozen=True)
class GarmentSpec:
    kind: str = "dress"  # one of vocabulary.PATTERN_GARMENTS
    ease_chest: float = 6.0  # cm
    ease_waist: float = 4.0
    ease_hips: float = 6.0
    length: float = 55.0  # cm, waist (navel) to hem
    sleeve: float = 0.0  # cm, shoulder point down the arm; 0 = sleeveless
    flare: float = 0.0  # cm of hem girth over a sheath
    neckline: float = 8.0  # cm, depth of the front neckline below the base of the neck

    def checked(self) -> GarmentSpec:
        if self.kind not in PATTERN_GARMENTS:
            raise GarmentError(f"unknown garment '{self.kind}': choose one of {', '.join(PATTERN_GARMENTS)}")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "kind" and not (isinstance(value, int | float) and math.isfinite(value)):
                raise GarmentError(f"garment {f.name} must be a finite number of cm, got {value!r}")
        for name in ("ease_chest", "ease_waist", "ease_hips"):
            value = getattr(self, name)
            if not -30.0 <= value <= 80.0:
                raise GarmentError(f"{name} {value:g} cm is outside -30..80 cm: ease is garment girth minus body "
                                   "girth (a few cm for a fitted garment, 20+ for an oversized one)")
        if self.length <= 0:
            raise GarmentError(f"length {self.length:g} cm must be above 0: it runs from the waist down to the hem")
        if not 0.0 <= self.sleeve <= 90.0:
            raise GarmentError(f"sleeve {self.sleeve:g} cm is outside 0..90 cm (0 is sleeveless; a long sleeve "
                               "reaches the wrist at about 60 cm)")
        if not 0.0 <= self.flare <= 400.0:
            raise GarmentError(f"flare {self.flare:g} cm is outside 0..400 cm (girth added at the hem; a full "
                               "circle skirt adds about 300 cm)")
        if self.kind == "trousers" and self.flare > 60:
            raise GarmentError(f"trouser flare {self.flare:g} cm is above 60 cm per leg hem: use a skirt or dress")
        if not 0.0 <= self.neckline <= 35.0:
            raise GarmentError(f"neckline {self.neckline:g} cm is outside 0..35 cm below the base of the neck")
        return self

    def with_values(self, **values) -> GarmentSpec:
        return replace(self, **values).checked()


# Starting points a user picks and then adjusts (cm).
PRESETS = {
    "sheath_dress": GarmentSpec("dress", 6.0, 4.0, 5.0, 58.0, 0.0, 0.0, 8.0),
    "a_line_dress": GarmentSpec("dress", 6.0, 4.0, 8.0, 62.0, 0.0, 90.0, 8.0),
    "maxi_dress": GarmentSpec("dress", 6.0, 5.0, 10.0, 92.0, 22.0, 120.0, 10.0),
    "mini_dress": GarmentSpec("dress", 6.0, 4.0, 6.0, 35.0, 14.0, 30.0, 6.0),
    "t_shirt": GarmentSpec("top", 10.0, 12.0, 10.0, 14.0, 20.0, 0.0, 4.0),
    "trousers": GarmentSpec("trousers", 0.0, 2.0, 10.0, 92.0, 0.0, 8.0, 0.0),
}
