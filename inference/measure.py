"""ISO 8559-1-style body measurements on any mesh in the template topology.

One implementation serves training labels, sliders, tests and evaluation. Girths are tape
measures (convex hull perimeters of plane sections, see ``sections``), levels and lengths are
placed on landmark vertex ids from the template card, so they move with the body. Lengths in cm,
weight in kg (closed-mesh volume times a whole-body density).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import mesh as mesh_mod
from . import sections
from .errors import EngineError

# name -> (unit, ANSUR II column(s) it is compared with)
MEASUREMENTS = {
    "stature": ("cm", "stature"),
    "chest": ("cm", "chestcircumference"),
    "waist": ("cm", "waistcircumference"),
    "hips": ("cm", "buttockcircumference"),
    "inseam": ("cm", "crotchheight"),
    "shoulder": ("cm", "bideltoidbreadth"),
    "neck": ("cm", "neckcircumference"),
    "thigh": ("cm", "thighcircumference"),
    "upperarm": ("cm", "bicepscircumferenceflexed"),
    "arm_length": ("cm", "acromionradialelength+radialestylionlength"),
    "weight": ("kg", "weightkg"),
}
NAMES = tuple(MEASUREMENTS)
BODY_DENSITY = 1010.0  # kg/m^3, whole body with lungs (Siri-style average for adults)
UPPER_ARM_FRACTION = 0.5  # of deltoid -> elbow: mid upper arm (between acromion and olecranon)
Z = np.array([0.0, 0.0, 1.0])


class TopologyError(EngineError, ValueError):
    """A mesh is not in the template topology where one is required."""


@dataclass(frozen=True)
class Measurer:
    tris: np.ndarray  # (T, 3) template triangles
    landmarks: dict[str, int]
    n_vertices: int

    @classmethod
    def from_template(cls, user_dir=None) -> Measurer:
        body = mesh_mod.load_template("body", user_dir)
        card = mesh_mod.template_card(user_dir)
        return cls(body.triangles(), dict(card["landmarks"]), body.n_vertices)

    def check(self, co: np.ndarray) -> np.ndarray:
        co = np.asarray(co, np.float64)
        if co.ndim != 2 or co.shape != (self.n_vertices, 3):
            raise TopologyError(
                f"expected {self.n_vertices} template vertices, got an array of shape {co.shape}: "
                "this mesh is not in the template topology; bind it to the template first"
            )
        if not np.isfinite(co).all():
            raise mesh_mod.MeshError("body has non-finite (NaN/inf) vertex positions")
        return co

    def measure(self, co: np.ndarray) -> dict[str, float]:
        """All measurements of one body (V, 3) in metres; returns cm (weight in kg)."""
        co = self.check(co)
        lm = {k: co[v] for k, v in self.landmarks.items()}
        floor = co[:, 2].min()
        g = self._girth
        out = {
            "stature": co[:, 2].max() - floor,
            "chest": g(co, lm["bust_l"], Z, largest=True),
            "waist": g(co, lm["navel"], Z, largest=True),
            "hips": g(co, lm["buttock"], Z, largest=True),
            "inseam": lm["crotch"][2] - floor,
            "shoulder": np.linalg.norm(lm["deltoid_l"] - lm["deltoid_r"]),
            "neck": g(co, lm["neck"], Z, largest=True),
            "thigh": g(co, lm["thigh_l"], Z, near=lm["thigh_l"]),
        }
        upper = lm["elbow_l"] - lm["deltoid_l"]
        mid_arm = lm["deltoid_l"] + UPPER_ARM_FRACTION * upper
        out["upperarm"] = g(co, mid_arm, upper, centroid=mid_arm)
        out["arm_length"] = np.linalg.norm(upper) + np.linalg.norm(lm["wrist_l"] - lm["elbow_l"])
        result = {k: float(v) * 100.0 for k, v in out.items()}
        result["weight"] = self.volume(co) * BODY_DENSITY
        return result

    def measure_many(self, bodies: np.ndarray) -> np.ndarray:
        """(N, V, 3) bodies -> (N, len(NAMES)) measurements in NAMES order."""
        return np.array([[m[k] for k in NAMES] for m in map(self.measure, bodies)])

    def volume(self, co: np.ndarray) -> float:
        """Enclosed volume (m^3) by the divergence theorem; the template body is watertight."""
        a, b, c = co[self.tris[:, 0]], co[self.tris[:, 1]], co[self.tris[:, 2]]
        return float(abs(np.einsum("ij,ij->i", a, np.cross(b, c)).sum()) / 6.0)

    def _girth(self, co, origin, normal, largest=False, near=None, centroid=None) -> float:
        points, edges = sections.section_segments(co, self.tris, origin, normal)
        loops = sections.section_components(points, edges)
        if not loops:
            return float("nan")
        if largest:
            return max(sections.hull_perimeter(lp, normal) for lp in loops)
        if near is not None:
            loop = min(loops, key=lambda lp: np.linalg.norm(lp - near, axis=1).min())
        else:
            loop = min(loops, key=lambda lp: np.linalg.norm(lp.mean(0) - centroid))
        return sections.hull_perimeter(loop, normal)
