"""What Make Garment keeps on a garment object: its pattern (the spec it was cut from) and which faces are on
which pattern piece. Read by the fit, the drape and the body's clearance."""

import json

import numpy as np

from .engine import garment_spec

PIECES = "wardrobe_pieces"  # object property: the piece names, in the order the face attribute indexes
PIECE = "wardrobe_piece"  # face attribute: index into PIECES


def spec_of(obj) -> "garment_spec.GarmentSpec | None":
    """The spec a made-to-measure garment was cut from (None: a helper garment or one bound by hand)."""
    return garment_spec.GarmentSpec(**json.loads(obj.wardrobe.pattern)) if obj.wardrobe.pattern else None


def sleeve_faces(obj) -> np.ndarray | None:
    """(F,) bool faces on sleeve pieces, or None where the object has no pieces."""
    me, names = obj.data, obj.get(PIECES)
    if PIECE not in me.attributes or not names:
        return None
    piece = np.zeros(len(me.polygons), np.int32)
    me.attributes[PIECE].data.foreach_get("value", piece)
    return np.array([n.startswith("sleeve") for n in names])[piece]
