"""Made-to-measure garments: a spec in centimetres and a body in, a mesh with pattern UVs out.

    garment = make(GarmentSpec("dress", length=60, flare=90), body_co)

The garment is cut around ``body_co`` (template topology, the avatar's current shape), so its ease
and lengths are this body's; bound to the same body it then follows every slider.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import garment_fit, garment_pattern, garment_shape
from .garment_grid import compact
from .garment_spec import PRESETS, GarmentError, GarmentSpec
from .measure import Measurer
from .mesh import MeshData, load_template, template_body_parts
from .vocabulary import BODY_PARTS

__all__ = ["Garment", "GarmentError", "GarmentSpec", "PRESETS", "make"]


@dataclass(frozen=True)
class Garment:
    spec: GarmentSpec
    mesh: MeshData  # quads, loop UVs laid out as pattern pieces
    pins: np.ndarray  # (V,) bool: where the garment hangs in a drape (shoulders, waistband)
    face_piece: np.ndarray  # (F,) index into ``pieces``
    pieces: tuple[str, ...]
    metres_per_uv: float  # one UV unit spans this many metres of cloth on every piece
    notes: tuple[str, ...]  # what was adjusted (a hem that would reach the floor)


def body_cut(body_co: np.ndarray, user_dir=None, measurer: Measurer | None = None) -> garment_shape.BodyCut:
    measurer = measurer or Measurer.from_template(user_dir)
    co = measurer.check(body_co)
    lm = measurer.landmark_points(co)
    return garment_shape.BodyCut.of(co, measurer.tris, template_body_parts(user_dir), lm, measurer.axilla_z(co, lm))


def make(spec: GarmentSpec, body_co: np.ndarray, user_dir=None, cut: garment_shape.BodyCut | None = None) -> Garment:
    """Cut ``spec`` around the body ``body_co`` ((V, 3) template topology, metres)."""
    cut = cut or body_cut(body_co, user_dir)
    shape = garment_shape.build(spec.checked(), cut)
    pieces = [garment_pattern.unroll(shape.co, part, panel) for part in shape.parts for panel in part.panels]
    uv, extent = garment_pattern.layout(pieces)
    co, quads, used = compact(shape.co, np.concatenate([p.quads for p in pieces]), shape.parts)
    pins = shape.pins[used]
    face_piece = np.concatenate([np.full(len(p.quads), i, np.int32) for i, p in enumerate(pieces)])
    mesh = MeshData(co.astype(np.float32), np.full(len(quads), 4, np.int32), quads.ravel().astype(np.int32),
                    uv.reshape(-1, 2).astype(np.float32))
    return Garment(spec, mesh.validate(f"{spec.kind} pattern"), pins, face_piece, tuple(p.name for p in pieces),
                   extent, tuple(shape.notes))


def layers(mesh: MeshData, sleeve_cm: float, sleeve_faces: np.ndarray | None, cut: garment_shape.BodyCut,
           parts: np.ndarray) -> list:
    """Which faces cover which body vertices, for the poke test: the bodice covers all but the head and the
    arms (and, under a sleeve, the shoulder caps it is cut over); each sleeve its arm down to its end. A hand
    beside a skirt is under nothing."""
    sleeve = np.zeros(mesh.n_faces, bool) if sleeve_faces is None else np.asarray(sleeve_faces, bool)
    face_x = np.add.reduceat(mesh.co[mesh.loop_vertex, 0], mesh.loop_start) / mesh.face_sizes
    body = parts != BODY_PARTS.index("head")
    out = []
    for side in cut.arm_axis:
        arm = parts == BODY_PARTS.index(f"arm_{side}")
        shoulder, u = garment_shape.arm_direction(cut, side)
        along = (cut.co - shoulder) @ u
        cap = (along < garment_shape.SLEEVE_CAP_SECTION) & (cut.co[:, 2] > cut.levels["axilla"])  # cut over it
        body &= ~arm | (cap & (sleeve_cm > 0))
        if sleeve_cm > 0:
            on_side = sleeve & ((face_x > 0) == (side == "l"))
            out.append((on_side, arm & (along < sleeve_cm / 100.0)))
    return [(~sleeve, body), *out]


def fit(mesh: MeshData, body_co: np.ndarray, sleeve_cm: float = 0.0, sleeve_faces: np.ndarray | None = None,
        user_dir=None) -> garment_fit.Fit:
    """Ease at chest/waist/hips and pokes of a garment ``mesh`` (vertices in the body frame) on ``body_co``;
    ``sleeve_faces`` (F,) bool are left out of the girths (a tape goes under the arms)."""
    measurer = Measurer.from_template(user_dir)
    cut = body_cut(body_co, user_dir, measurer)
    trunk = None if sleeve_faces is None else ~np.asarray(sleeve_faces, bool)
    return garment_fit.measure(mesh, body_co, measurer,
                               layers(mesh, sleeve_cm, sleeve_faces, cut, template_body_parts(user_dir)), trunk)


def sleeve_faces(g: Garment) -> np.ndarray:
    return np.array([g.pieces[i].startswith("sleeve") for i in g.face_piece])


def rest_body(user_dir=None) -> np.ndarray:
    return load_template("body", user_dir).co
