"""What each fabric kind is made of: its structure (weave draft, knit, cord, pile, grain), its yarns'
colour sequences relative to the colour the user picks, and its yarn character.

A kind is a preset: users may replace its draft and its warp/weft colour sequences (a custom weave on
cotton yarn, a tartan on silk). Colour words in sequences: ``main`` (the picked colour), ``dark``,
``light``, ``shot`` (hue-turned, as the weft of a shot silk) and the named yarn colours of
``inference.color.NAMED`` (white, ecru, ...).
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np

from . import color as colour
from .vocabulary import FABRIC_KIND_IDS
from .yarn_colors import ColorSequence

FAMILIES = ("woven", "knit", "cord", "pile", "leather")


@dataclass(frozen=True)
class KindPreset:
    family: str
    draft: str | None = None  # woven: a name in weave_draft.DRAFTS
    warp: tuple = (("main", 1.0),)  # (colour word, cm) steps
    weft: tuple = (("main", 1.0),)
    align: int = 1  # stripe widths in whole multiples of this many threads (houndstooth needs the twill's 4)
    roughness: float = 0.8
    yarn_width: float = 0.85  # fraction of the thread spacing a yarn fills
    weft_width: float | None = None  # the weft's, where it differs (denim: a finer weft, mostly hidden)
    slub: float = 0.1  # thickness irregularity along a yarn
    tone: float = 0.05  # yarn-to-yarn tone irregularity
    threads_per_cm: float = 12.0  # typical density (panel default when a kind is picked)


PRESETS = {
    "cotton": KindPreset("woven", "plain", roughness=0.8, slub=0.12, threads_per_cm=14),
    "linen": KindPreset("woven", "plain", roughness=0.85, yarn_width=0.8, slub=0.45, tone=0.08, threads_per_cm=10),
    "denim": KindPreset("woven", "twill_3_1", weft=(("ecru", 1.0),), roughness=0.75, yarn_width=0.9,
                        weft_width=0.6, slub=0.25, tone=0.1, threads_per_cm=12),
    "satin": KindPreset("woven", "satin_5", roughness=0.45, yarn_width=0.95, slub=0.03, tone=0.02, threads_per_cm=24),
    "silk": KindPreset("woven", "satin_8", roughness=0.4, yarn_width=0.97, slub=0.02, tone=0.015, threads_per_cm=36),
    "dupioni": KindPreset("woven", "plain", weft=(("shot", 1.0),), roughness=0.4, yarn_width=0.9, slub=0.6,
                          tone=0.04, threads_per_cm=16),
    "chambray": KindPreset("woven", "plain", weft=(("white", 1.0),), roughness=0.8, slub=0.15, threads_per_cm=14),
    "twill": KindPreset("woven", "twill_2_1", roughness=0.75, yarn_width=0.9, slub=0.1, threads_per_cm=14),
    "basket": KindPreset("woven", "basket", roughness=0.8, slub=0.12, threads_per_cm=10),
    "herringbone": KindPreset("woven", "herringbone", weft=(("dark", 1.0),), roughness=0.8, yarn_width=0.9,
                              slub=0.2, tone=0.07, threads_per_cm=10),
    "houndstooth": KindPreset("woven", "twill_2_2", warp=(("main", 0.4), ("white", 0.4)),
                              weft=(("main", 0.4), ("white", 0.4)), align=4, roughness=0.85, yarn_width=0.9,
                              slub=0.2, tone=0.06, threads_per_cm=10),
    "tweed": KindPreset("woven", "twill_2_2", warp=(("main", 0.3), ("light", 0.1), ("main", 0.2), ("dark", 0.1)),
                        weft=(("dark", 0.2), ("main", 0.1)), roughness=0.92, yarn_width=0.85, slub=0.5, tone=0.12,
                        threads_per_cm=7),
    "stripes": KindPreset("woven", "plain", warp=(("main", 0.5), ("white", 0.5)), weft=(("white", 1.0),),
                          roughness=0.8, slub=0.1, threads_per_cm=14),
    "gingham": KindPreset("woven", "plain", warp=(("main", 0.3), ("white", 0.3)), weft=(("main", 0.3), ("white", 0.3)),
                          roughness=0.8, slub=0.1, threads_per_cm=14),
    "plaid": KindPreset("woven", "twill_2_2", warp=(("main", 1.2), ("dark", 0.5), ("main", 0.2), ("ecru", 0.1),
                                                     ("main", 0.2), ("dark", 0.5)),
                        weft=(("main", 1.2), ("dark", 0.5), ("main", 0.2), ("ecru", 0.1), ("main", 0.2), ("dark", 0.5)),
                        roughness=0.85, yarn_width=0.9, slub=0.2, tone=0.06, threads_per_cm=10),
    "corduroy": KindPreset("cord", roughness=0.9, yarn_width=0.88, slub=0.1, tone=0.04, threads_per_cm=12),
    "jersey": KindPreset("knit", roughness=0.8, slub=0.1, tone=0.04, threads_per_cm=9),
    "rib": KindPreset("knit", roughness=0.8, slub=0.1, tone=0.04, threads_per_cm=8),
    "velvet": KindPreset("pile", roughness=0.95, slub=0.3, tone=0.06, threads_per_cm=12),
    "leather": KindPreset("leather", roughness=0.55, slub=0.3, tone=0.05, threads_per_cm=10),
}
assert tuple(PRESETS) == FABRIC_KIND_IDS, "every kind in the vocabulary has a preset, in the same order"

CORD_WALE_THREADS = 4  # ends under one corduroy wale (about 3 wales per cm at 12 threads per cm)


def color_word(word: str, main) -> tuple[float, float, float]:
    """The sRGB colour a word of a kind's colour sequence stands for, given the picked ``main`` colour."""
    main = np.asarray(main, np.float64)
    if word == "main":
        return tuple(float(c) for c in main)
    if word == "dark":
        return tuple(float(c) for c in colour.linear_to_srgb(colour.srgb_to_linear(main) * 0.3))
    if word == "light":
        return tuple(float(c) for c in 0.5 * main + 0.5 * np.array(colour.parse_color("white")))
    if word == "shot":
        h, lum, sat = colorsys.rgb_to_hls(*main)
        return colorsys.hls_to_rgb((h + 0.12) % 1.0, lum * 0.8, min(1.0, sat * 1.1))
    return colour.parse_color(word)


def sequence(steps, main) -> ColorSequence:
    """A kind's colour sequence (colour words) made concrete for the picked colour."""
    return ColorSequence(tuple((color_word(w, main), cm) for w, cm in steps))
