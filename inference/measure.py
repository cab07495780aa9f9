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
from .vocabulary import SLIDERS

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
BUTTOCK_SPAN = 0.5  # the buttock point lies in this lower fraction of the crotch -> omphalion height
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

    def landmark_ids(self, co: np.ndarray) -> dict[str, int]:
        """Vertex ids of the per-body landmarks, by ANSUR's geometric definitions."""
        r = self.regions
        crotch = int(r["crotch"][np.argmin(co[r["crotch"], 2])])  # lowest point between the legs
        bust = int(r["bust_l"][np.argmin(co[r["bust_l"], 1])])  # most anterior (the front is -Y)
        return {"crotch": crotch, "bust_l": bust, "buttock": self._buttock(co, co[crotch], co[self.landmarks["navel"]])}

    def landmark_points(self, co: np.ndarray) -> dict[str, np.ndarray]:
        """Landmark positions (3,) on this body: fixed vertices, then ANSUR's geometric definitions."""
        return {k: co[v] for k, v in (self.landmarks | self.landmark_ids(co)).items()}

    def _buttock(self, co: np.ndarray, crotch: np.ndarray, navel: np.ndarray) -> int:
        """Greatest posterior protrusion of the buttock, searched in the lower half of the crotch-omphalion
        span (above it, a heavy body's lower back or belly would protrude more)."""
        cand = self.regions["buttock"]
        z = co[cand, 2]
        top = crotch[2] + BUTTOCK_SPAN * (navel[2] - crotch[2])
        band = cand[(z > crotch[2]) & (z <= top)]
        band = band if len(band) else cand
        return int(band[np.argmax(co[band, 1])])  # most posterior (the back is +Y)

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

    def measure(self, co: np.ndarray) -> dict[str, float]:
        """All measurements of one body (V, 3) in metres; returns cm (weight in kg)."""
        co = self.check(co)
        lm = self.landmark_points(co)
        floor = co[:, 2].min()
        zr = self._tri_z_range(co)
        g = self._girth
        out = {
            "stature": co[:, 2].max() - floor,
            "chest": self._level_girth(co, zr, lm["bust_l"][2])[0],
            "waist": self._level_girth(co, zr, lm["navel"][2])[0],
            "hips": self._level_girth(co, zr, lm["buttock"][2])[0],
            "inseam": lm["crotch"][2] - floor,
            "shoulder": np.linalg.norm(lm["deltoid_l"] - lm["deltoid_r"]),
            "neck": self._level_girth(co, zr, lm["neck"][2])[0],
            "thigh": g(co, lm["thigh_l"], Z, near=lm["thigh_l"]),
        }
        upper = lm["elbow_l"] - lm["deltoid_l"]
        mid_arm = lm["deltoid_l"] + UPPER_ARM_FRACTION * upper
        out["upperarm"] = g(co, mid_arm, upper, centroid=mid_arm)
        out["arm_length"] = np.linalg.norm(upper) + np.linalg.norm(lm["wrist_l"] - lm["elbow_l"])
        result = {k: float(v) * 100.0 for k, v in out.items()}
        result["weight"] = self.volume(co) * BODY_DENSITY
        return result

    def slider_values(self, co: np.ndarray) -> np.ndarray:
        """The slider measurements (``vocabulary.SLIDERS`` order) of one body: ``measure`` for those only."""
        return self.slider_tape(co).values

    def slider_tape(self, co: np.ndarray) -> SliderTape:
        """The slider measurements of one body and a tape frozen on it (which vertices and section edges
        each one reads), which re-reads them on nearby bodies in one vectorised pass: a Jacobian's worth."""
        co = self.check(co)
        sole, crown = int(np.argmin(co[:, 2])), int(np.argmax(co[:, 2]))
        ids = self.landmark_ids(co)
        crotch = ids["crotch"]
        levels = {"chest": ids["bust_l"], "waist": self.landmarks["navel"], "hips": ids["buttock"]}
        zr = self._tri_z_range(co)
        girths, loops = {}, {}
        for name, v in levels.items():
            girths[name], edges, hull = self._level_girth(co, zr, co[v, 2])
            loops[name] = (v, edges[hull])
        values = {"stature": (co[crown, 2] - co[sole, 2]) * 100.0, "inseam": (co[crotch, 2] - co[sole, 2]) * 100.0,
                  "weight": self.volume(co) * BODY_DENSITY, **{k: g * 100.0 for k, g in girths.items()}}
        return SliderTape(np.array([values[n] for n in SLIDERS]), sole, crown, crotch, loops, self.tris)

    def measure_many(self, bodies: np.ndarray) -> np.ndarray:
        """(N, V, 3) bodies -> (N, len(NAMES)) measurements in NAMES order."""
        return np.array([[m[k] for k in NAMES] for m in map(self.measure, bodies)])

    def volume(self, co: np.ndarray) -> float:
        """Enclosed volume (m^3) by the divergence theorem; the template body is watertight."""
        return float(abs(_signed_volumes(co[None], self.tris)[0]))

    def _tri_z_range(self, co: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tz = co[:, 2][self.tris]
        return tz.min(1), tz.max(1)

    def _level_girth(self, co, z_range, z) -> tuple[float, np.ndarray, np.ndarray]:
        """Tape girth (m) of the largest loop of the horizontal section at ``z``, with that loop's mesh edges
        and the indices of its hull points. Only triangles spanning ``z`` are cut (the same segments as
        cutting all), and only loops whose bounding box could hold the largest hull get a hull."""
        cand = np.flatnonzero((z_range[0] < z) & (z_range[1] >= z))
        points, edges = sections.section_segments(co, self.tris[cand], (0.0, 0.0, z), Z)
        loops = sections.section_loops(points, edges)
        if not loops:
            return float("nan"), np.zeros((0, 2), np.int64), np.zeros(0, np.int64)
        ext = [np.ptp(p[:, :2], axis=0) for p, _ in loops]
        low = max(2.0 * float(np.hypot(*e)) for e in ext)  # a hull is at least twice its diameter...
        best = (-1.0, None, None)
        for (pts, edge_of), e in zip(loops, ext, strict=True):
            if 2.0 * float(e.sum()) < low:  # ...and at most its bounding box's perimeter
                continue
            hull = sections.convex_hull_indices(pts[:, :2])
            per = sections.perimeter(pts[hull, :2]) if len(hull) >= 3 else 0.0
            if per > best[0]:
                best = (per, edge_of, hull)
        return best

    def _girth(self, co, origin, normal, near=None, centroid=None) -> float:
        points, edges = sections.section_segments(co, self.tris, origin, normal)
        loops = sections.section_components(points, edges)
        if not loops:
            return float("nan")
        if near is not None:
            loop = min(loops, key=lambda lp: np.linalg.norm(lp - near, axis=1).min())
        else:
            loop = min(loops, key=lambda lp: np.linalg.norm(lp.mean(0) - centroid))
        return sections.hull_perimeter(loop, normal)


@dataclass(frozen=True)
class SliderTape:
    """Slider measurements read off one body by fixed vertices and fixed section edges (see
    ``Measurer.slider_tape``): exact on that body, first-order exact on bodies near it."""
    values: np.ndarray  # (len(SLIDERS),) on the body it was made on
    sole: int
    crown: int
    crotch: int
    loops: dict  # girth name -> (level vertex id, (H, 2) mesh edges of its hull points, in order)
    tris: np.ndarray

    def read(self, bodies: np.ndarray) -> np.ndarray:
        """(N, V, 3) bodies -> (N, len(SLIDERS)) measurements."""
        b = np.asarray(bodies, np.float64)
        z = b[:, :, 2]
        out = {"stature": (z[:, self.crown] - z[:, self.sole]) * 100.0,
               "inseam": (z[:, self.crotch] - z[:, self.sole]) * 100.0,
               "weight": np.abs(_signed_volumes(b, self.tris)) * BODY_DENSITY}
        for name, (v, edges) in self.loops.items():
            pa, pb = b[:, edges[:, 0]], b[:, edges[:, 1]]  # (N, H, 3)
            level = z[:, v][:, None]
            t = (level - pa[..., 2]) / (pb[..., 2] - pa[..., 2])
            xy = pa[..., :2] + t[..., None] * (pb[..., :2] - pa[..., :2])
            out[name] = np.linalg.norm(xy - np.roll(xy, 1, axis=1), axis=2).sum(1) * 100.0
        return np.stack([out[n] for n in SLIDERS], 1)


def _signed_volumes(bodies: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """(N, V, 3) closed meshes -> (N, V) signed volumes (m^3) by the divergence theorem with the field
    (0, 0, z): the sum over triangles of mean z times the z part of twice the area vector, over 2 * 3."""
    x, y, z = bodies[..., 0], bodies[..., 1], bodies[..., 2]
    a, b, c = tris[:, 0], tris[:, 1], tris[:, 2]
    xa, ya = x[:, a], y[:, a]
    cross_z = (x[:, b] - xa) * (y[:, c] - ya) - (y[:, b] - ya) * (x[:, c] - xa)
    return ((z[:, a] + z[:, b] + z[:, c]) * cross_z).sum(1) / 6.0
