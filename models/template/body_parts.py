"""Body part labels (trunk, head, arms, legs) per template vertex, from MakeHuman's CC0 skin weights.

Garments are cut on these: a bodice is the trunk's section without the arms, a sleeve the arm's, a
trouser leg one leg's. Each vertex takes the part of the bone that weighs most on it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from inference.vocabulary import BODY_PARTS

WEIGHTS_REL = Path("bodies/makehuman1x/rigs/default_weights.mhw")
ARM_BONES = ("upperarm", "lowerarm", "wrist", "finger", "metacarpal")
LEG_BONES = ("upperleg", "lowerleg", "foot", "toe")
HEAD_BONES = ("neck", "head", "jaw", "eye", "oculi", "orbicularis", "oris", "risorius", "levator", "special",
              "tongue")


def part_of_bone(bone: str) -> str:
    side = "l" if bone.endswith(".L") else "r"
    if bone.startswith(ARM_BONES):
        return f"arm_{side}"
    if bone.startswith(LEG_BONES):
        return f"leg_{side}"
    if bone.startswith(HEAD_BONES):
        return "head"
    return "trunk"  # spine, pelvis, clavicle, shoulder, breast, root


def body_parts(data_root: Path, n_vertices: int) -> np.ndarray:
    """(n_vertices,) uint8 index into ``vocabulary.BODY_PARTS`` for each body vertex."""
    weights = json.loads((data_root / WEIGHTS_REL).read_text())["weights"]
    best = np.zeros(n_vertices)
    part = np.full(n_vertices, BODY_PARTS.index("trunk"), np.uint8)
    for bone in sorted(weights):  # sorted: ties always go the same way
        pairs = np.asarray(weights[bone], np.float64).reshape(-1, 2)
        ids = pairs[:, 0].astype(np.int64)
        keep = ids < n_vertices
        ids, w = ids[keep], pairs[keep, 1]
        better = w > best[ids]
        best[ids[better]] = w[better]
        part[ids[better]] = BODY_PARTS.index(part_of_bone(bone))
    return part
