"""ISO 8559-1 / ANSUR II-style body measurements on any mesh in the template topology.

One implementation serves training labels, sliders, tests and evaluation. Girths are tape
measures (convex hull perimeters of horizontal plane sections, see ``sections``) at landmark
levels found on each body by ANSUR II's geometric definitions: the bust point (most anterior
point of the breast), the lowest point between the legs (crotch), the greatest posterior
protrusion of the buttocks, the omphalion (navel) and the axilla (where the arm's section leaves
the trunk's). Heights are from the floor (the body's lowest point). Lengths in cm, weight in kg
(closed-mesh volume times a whole-body density).
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
# Where each per-body landmark is searched: template vertices within this radius (m) of the
# template card's landmark vertex, plus a side/midline filter. The rule then picks one per body.
SEARCH_RADIUS = {"crotch": 0.08, "bust_l": 0.03, "buttock": 0.10}
MIDLINE_M = 1e-4
# ANSUR II columns (mm) of the landmark heights, by our landmark name.
ANSUR_HEIGHTS = {"crotch": "crotchheight", "buttock": "buttockheight", "navel": "waistheightomphalion",
                 "bust_l": "chestheight", "axilla": "axillaheight", "crown": "stature"}


class TopologyError(EngineError, ValueError):
    """A mesh is not in the template topology where one is required."""


def _search_regions(rest: np.ndarray, landmarks: dict[str, int]) -> dict[str, np.ndarray]:
    """Candidate vertex ids of each per-body landmark, from the template's rest shape."""
    out = {}
    for name, radius in SEARCH_RADIUS.items():
        near = np.linalg.norm(rest - rest[landmarks[name]], axis=1) < radius
        if name == "crotch":
            near &= np.abs(rest[:, 0]) < MIDLINE_M
        else:  # left side, off the midline
            near &= rest[:, 0] > 0.02
        out[name] = np.flatnonzero(near)
    return out


@dataclass(frozen=True)
class Measurer:
    tris: np.ndarray  # (T, 3) template triangles
    landmarks: dict[str, int]  # template card: fixed vertex ids (also the search centres)
    n_vertices: int
    regions: dict[str, np.ndarray]  # candidate vertex ids of the per-body landmarks

    @classmethod
    def from_template(cls, user_dir=None) -> Measurer:
        body = mesh_mod.load_template("body", user_dir)
        card = mesh_mod.template_card(user_dir)
        landmarks = dict(card["landmarks"])
        regions = _search_regions(body.co.astype(np.float64), landmarks)
        return cls(body.triangles(), landmarks, body.n_vertices, regions)

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

    def landmark_points(self, co: np.ndarray) -> dict[str, np.ndarray]:
        """Landmark positions (3,) on this body: fixed vertices, then ANSUR's geometric definitions."""
        lm = {k: co[v] for k, v in self.landmarks.items()}
        r = self.regions
        lm["crotch"] = co[r["crotch"][np.argmin(co[r["crotch"], 2])]]  # lowest point between the legs
        lm["bust_l"] = co[r["bust_l"][np.argmin(co[r["bust_l"], 1])]]  # most anterior (front is -Y)
        lm["buttock"] = co[r["buttock"][np.argmax(co[r["buttock"], 1])]]  # most posterior
        return lm

    def landmark_heights(self, co: np.ndarray) -> dict[str, float]:
        """Heights above the floor (cm) of the ANSUR II landmarks of ``ANSUR_HEIGHTS``, axilla included."""
        co = self.check(co)
        floor = co[:, 2].min()
        lm = self.landmark_points(co)
        out = {k: (lm[k][2] - floor) * 100.0 for k in ANSUR_HEIGHTS if k in lm}
        out["axilla"] = (self.axilla_z(co, lm) - floor) * 100.0
        return out

    def axilla_z(self, co: np.ndarray, lm: dict | None = None, tol: float = 2e-4) -> float:
        """Height (m) of the left armpit: the highest level at which the arm's horizontal section
        is a loop of its own, apart from the trunk's (bisection on that topology change)."""
        lm = lm or self.landmark_points(co)
        arm = lm["elbow_l"]
        lo, hi = float(lm["bust_l"][2]) - 0.10, float(lm["deltoid_l"][2])

        def arm_apart(z: float) -> bool:
            points, edges = sections.section_segments(co, self.tris, (0, 0, z), Z)
            loops = sections.section_components(points, edges)
            near = [lp for lp in loops if lp[:, 0].min() > 0]  # wholly on the left: the arm alone
            return any(np.abs(lp[:, 0] - arm[0]).min() < 0.15 for lp in near)

        if not arm_apart(lo):
            return lo
        while hi - lo > tol:
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if arm_apart(mid) else (lo, mid)
        return lo

    def girth_at_height(self, co: np.ndarray, height_cm: float) -> float:
        """Tape girth (cm) of the trunk's horizontal section ``height_cm`` above the floor: the largest
        loop's convex hull, as an ANSUR tape at a given landmark height would read it."""
        co = self.check(co)
        z = co[:, 2].min() + height_cm / 100.0
        return self._girth(co, (0.0, 0.0, z), Z, largest=True) * 100.0

    def measure(self, co: np.ndarray) -> dict[str, float]:
        """All measurements of one body (V, 3) in metres; returns cm (weight in kg)."""
        co = self.check(co)
        lm = self.landmark_points(co)
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
