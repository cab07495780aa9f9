"""Garment surfaces cut to measure around one body (template topology, metres, Z up, facing -Y).

Every row of a garment is a tape-measure loop: the convex hull of the body's horizontal section (the
trunk without the arms; both legs under a dress; one leg in a trouser leg; the arm across a sleeve),
grown outwards by ease / 2 pi. Growing a convex loop by d lengthens it by exactly 2 pi d, so the row
at the body's chest level is the chest girth plus the chest ease. Columns are rays at fixed angles from
each row's centre, so they run straight down the body: the grain line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import sections
from .garment_grid import GridPart, Panel, VertexPool
from .garment_spec import GarmentError, GarmentSpec
from .vocabulary import BODY_PARTS

ROW_STEP = 0.015  # m between rows: ~10k vertices for a sleeved midi dress
COLUMNS = 96  # around the trunk (a multiple of 4: centre front/back and side seams are columns)
SLEEVE_COLUMNS = 32
INNER_COLUMNS = 8  # between the legs, from the back to the front of the crotch
MIN_GAP = 0.003  # m: cloth never closer to the skin than this (its thickness)
SLEEVE_EASE = 0.08  # m of girth over the arm
ARMHOLE_DROP = 0.03  # m the armhole reaches below the armpit
ARMHOLE_HALF_ANGLE = np.radians(40)  # around each side seam, seen from the body's axis
STRAP_WIDTH = 0.035  # m between the armhole and the base of the neck, over the shoulder
TROUSER_HEM_M = 0.06  # m above the floor: the lowest a trouser hem goes (the ankle; below, it would wrap the foot)
CROTCH_DROP = 0.03  # m the crotch seam hangs below the body's crotch (room for every body the trousers follow)
WAISTBAND_RISE = 0.015  # m the waistband sits above the waist (navel) level
YOKE_ABOVE_ARMPIT = 0.03  # m: a sleeved bodice hangs from its rows this far above the armpit and up
SLEEVE_CAP = 0.05  # m the sleeve reaches above the shoulder joint, under the bodice (sewn in)
SLEEVE_CAP_SECTION = 0.03  # m below the joint: the arm's own section, the cap's shape
DISK = np.stack([np.cos(np.linspace(0, 2 * np.pi, 32, endpoint=False)),
                 np.sin(np.linspace(0, 2 * np.pi, 32, endpoint=False))], 1)
Z = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True)
class BodyCut:
    """A body as garments are cut on it: levels (m) and the triangle sets each kind of row cuts."""
    co: np.ndarray  # (V, 3) float64
    tris: np.ndarray  # (T, 3)
    levels: dict  # z of neck, chest, waist, hips, crotch, floor, axilla
    no_arm: np.ndarray  # (T,) triangles of trunk, head and legs
    arm: dict  # side -> (T,) triangles of that arm
    arm_axis: dict  # side -> (shoulder, wrist) joint centres (3,) on the arm's axis
    tri_z: tuple  # (T,) lowest and highest z of each triangle


    @classmethod
    def of(cls, co: np.ndarray, tris: np.ndarray, part: np.ndarray, landmarks: dict, axilla: float) -> BodyCut:
        co = np.asarray(co, np.float64)
        tp = np.asarray(part)[tris]
        arm_ids = {"l": BODY_PARTS.index("arm_l"), "r": BODY_PARTS.index("arm_r")}
        arm = {s: (tp == i).any(1) for s, i in arm_ids.items()}
        floor = float(co[:, 2].min())
        levels = {"neck": landmarks["neck"][2], "chest": landmarks["bust_l"][2], "waist": landmarks["navel"][2],
                  "hips": landmarks["buttock"][2], "crotch": landmarks["crotch"][2], "floor": floor, "axilla": axilla}
        axis = {}
        for s, sign in (("l", 1.0), ("r", -1.0)):
            mirror = np.array([sign, 1.0, 1.0])
            pts = co[np.asarray(part) == arm_ids[s]]
            axis[s] = _arm_joints(pts, *(np.asarray(landmarks[k], np.float64) * mirror
                                         for k in ("deltoid_l", "wrist_l")))
        tz = co[:, 2][tris]
        return cls(co, tris, {k: float(v) for k, v in levels.items()}, ~(arm["l"] | arm["r"]), arm, axis,
                   (tz.min(1), tz.max(1)))


def _arm_joints(arm_pts, deltoid, wrist) -> tuple[np.ndarray, np.ndarray]:
    """Shoulder and wrist centres on the arm's axis: the principal direction of the arm vertices along the
    deltoid -> wrist segment, through their centroid. (One straight axis: the template's elbow landmark sits
    at mid upper arm, and an A-pose arm is nearly straight.)"""
    d = wrist - deltoid
    t = np.clip((arm_pts - deltoid) @ d / (d @ d), 0, 1)
    near = np.linalg.norm(arm_pts - (deltoid + t[:, None] * d), axis=1) < 0.08
    pts = arm_pts[near & (t > 0.1) & (t < 0.9)]
    c = pts.mean(0)
    u = np.linalg.svd(pts - c, full_matrices=False)[2][0]
    u = u if u @ d > 0 else -u
    return c + ((deltoid - c) @ u) * u, c + ((wrist - c) @ u) * u


def arm_direction(cut: BodyCut, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(shoulder joint centre, unit vector down the arm) of one side."""
    shoulder, wrist = cut.arm_axis[side]
    return shoulder, (wrist - shoulder) / np.linalg.norm(wrist - shoulder)


# -- rows ---------------------------------------------------------------------------------------------
def section_hull(cut: BodyCut, select: np.ndarray, origin, normal, basis) -> np.ndarray | None:
    """Convex hull (H, 2) in ``basis`` (2, 3) coordinates of the section of the ``select`` triangles."""
    if normal is Z:  # horizontal: only triangles spanning the level
        z = origin[2]
        select = select & (cut.tri_z[0] < z) & (cut.tri_z[1] >= z)
    tris = cut.tris[select]
    pts, _ = sections.section_segments(cut.co, tris, origin, normal)
    if len(pts) < 2:
        return None
    flat = (pts.reshape(-1, 3) - np.asarray(origin)) @ np.asarray(basis).T
    hull = sections.convex_hull_2d(flat)
    return hull if len(hull) >= 3 else None


def grown(hull: np.ndarray, d: float) -> np.ndarray:
    """The hull grown outwards by ``d`` (Minkowski sum with a disc): perimeter + 2 pi d."""
    return sections.convex_hull_2d((hull[:, None, :] + d * DISK[None]).reshape(-1, 2)) if d > 0 else hull


def ray_points(hull: np.ndarray, centre: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Where rays from ``centre`` (inside the convex ``hull``) at ``angles`` leave it: (N, 2).
    Angle 0 points to -Y (the front), pi/2 to +X (the body's left)."""
    dirs = np.stack([np.sin(angles), -np.cos(angles)], 1)
    a, b = hull, np.roll(hull, -1, axis=0)
    e = b - a  # (H, 2)
    w = a - centre
    den = dirs[:, None, 0] * e[None, :, 1] - dirs[:, None, 1] * e[None, :, 0]  # (N, H)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (w[None, :, 0] * e[None, :, 1] - w[None, :, 1] * e[None, :, 0]) / den
        s = (w[None, :, 0] * dirs[:, None, 1] - w[None, :, 1] * dirs[:, None, 0]) / den
    t = np.where((s >= -1e-9) & (s <= 1 + 1e-9) & (t > 0), t, np.inf)
    return centre + dirs * t.min(1)[:, None]


def centre_of(hull: np.ndarray) -> np.ndarray:
    return 0.5 * (hull.min(0) + hull.max(0))


XY = np.array([[1.0, 0, 0], [0, 1.0, 0]])


def _horizontal_row(cut, select, z, d, angles, centre=None, over=False):
    """One row: the section hull at z grown by d. ``over``: grown in 3D (sections d above and below too),
    so the row clears a surface that is not vertical (the top of the shoulders) by d as well."""
    hull = section_hull(cut, select, (0.0, 0.0, z), Z, XY)
    if hull is None:
        raise GarmentError(f"the body has no section at {z * 100:.0f} cm: the garment reaches past the body "
                           "(shorten it)")
    if over:
        rings = [grown(hull, d)]
        for f in (-1.0, -0.6, 0.6):
            h = section_hull(cut, select, (0.0, 0.0, z + f * d), Z, XY)
            if h is not None:
                rings.append(grown(h, d * np.sqrt(1 - f * f)))
        hull = sections.convex_hull_2d(np.concatenate(rings))
    else:
        hull = grown(hull, d)
    c = centre_of(hull) if centre is None else centre
    xy = ray_points(hull, c, angles)
    if centre is None and len(angles) >= 3:  # rays cut the hull's corners: scale back to its perimeter
        xy = c + (xy - c) * (sections.perimeter(hull) / sections.perimeter(xy))
    return np.column_stack([xy, np.full(len(xy), z)])


def _levels(top: float, bottom: float, keep: list[float]) -> np.ndarray:
    """Row heights from ``top`` down to ``bottom`` about ROW_STEP apart, hitting every ``keep`` level."""
    marks = sorted({top, bottom, *[k for k in keep if bottom < k < top]}, reverse=True)
    out = [marks[0]]
    for hi, lo in zip(marks, marks[1:]):
        n = max(1, math.ceil((hi - lo) / ROW_STEP))
        out.extend(hi - (hi - lo) * np.arange(1, n + 1) / n)
    return np.array(out)


def _ease_at(spec: GarmentSpec, cut: BodyCut, z: float) -> float:
    """Girth ease (m) at height z: the chest, waist and hip eases, linear in between."""
    lv = cut.levels
    zs = [lv["hips"], lv["waist"], lv["chest"]]
    es = [spec.ease_hips, spec.ease_waist, spec.ease_chest]
    return float(np.interp(z, zs, es)) / 100.0


def _gap(ease_m: float) -> float:
    return max(ease_m / (2 * np.pi), MIN_GAP)


# -- garments -------------------------------------------------------------------------------------------
@dataclass
class Shape:
    co: np.ndarray  # (V, 3)
    parts: list[GridPart]
    hem_z: float
    notes: list[str]
    pins: np.ndarray  # (V,) bool: where the garment hangs (shoulders, waistband)


def build(spec: GarmentSpec, cut: BodyCut) -> Shape:
    spec = spec.checked()
    if spec.kind == "trousers":
        return _trousers(spec, cut)
    return _dress(spec, cut)


def _hem(spec: GarmentSpec, cut: BodyCut, notes: list[str]) -> float:
    lv = cut.levels
    hem = lv["waist"] - spec.length / 100.0
    above = TROUSER_HEM_M if spec.kind == "trousers" else 0.02  # trousers stop at the ankle, over the foot
    lowest = lv["floor"] + above
    if hem < lowest:
        notes.append(f"length {spec.length:g} cm reaches the floor from this body's waist "
                     f"({(lv['waist'] - lv['floor']) * 100:.0f} cm high): hem set {above * 100:g} cm above the floor")
        hem = lowest
    return hem


def _flare_at(spec, cut, z, hem) -> float:
    top = cut.levels["hips"]
    if spec.flare <= 0 or z >= top:
        return 0.0
    return spec.flare / 100.0 * (top - z) / max(top - hem, 1e-6) / (2 * np.pi)


def _dress(spec: GarmentSpec, cut: BodyCut) -> Shape:
    """Dress and top: one bodice-and-skirt tube from the shoulders to the hem whose columns each end on
    the neckline, a shoulder strap or the armhole; sleeves as their own tubes."""
    notes: list[str] = []
    lv = cut.levels
    hem = _hem(spec, cut, notes)
    top = lv["neck"] - 0.03  # the base of the neck: where the shoulder line meets it
    if hem >= lv["chest"]:
        raise GarmentError(f"length {spec.length:g} cm ends above the chest: a top or dress needs at least "
                           f"{(lv['waist'] - lv['chest']) * 100 + 5:.0f} cm")
    zs = _levels(top, hem, [lv["chest"], lv["waist"], lv["hips"], lv["crotch"]])
    angles = 2 * np.pi * np.arange(COLUMNS) / COLUMNS
    over_from = lv["chest"] + 0.04  # above the bust the body turns over the shoulders
    # A sleeved bodice covers the shoulder caps down to where the sleeve is set in.
    upper = cut.no_arm | _shoulder_caps(cut) if spec.sleeve > 0 else cut.no_arm
    rows = np.stack([_horizontal_row(cut, upper if z > lv["axilla"] else cut.no_arm, z,
                                     _gap(_ease_at(spec, cut, z)) + _flare_at(spec, cut, z, hem), angles,
                                     over=z > over_from) for z in zs])
    tops = _column_tops(spec, rows, zs, angles, top)
    # A set-in sleeve: the bodice stays whole over the shoulder and the sleeve's cap runs into it.
    holes = None if spec.sleeve > 0 else _armholes(cut, angles, top)
    rows, removed = _band(rows, zs, tops, lv["chest"], holes)
    pool = VertexPool()
    q = COLUMNS // 4
    bodice = GridPart(pool.add(rows), True, [Panel("front", np.arange(-q, q + 1) % COLUMNS),
                                             Panel("back", np.arange(q, 3 * q + 1))], removed)
    parts = [bodice]
    if spec.sleeve > 0:
        parts += [_sleeve(spec, cut, side, pool) for side in ("l", "r")]
    co = pool.array()
    pins = np.zeros(len(co), bool)
    pins[bodice.ids[0]] = True  # it hangs from its top edge: neckline, straps, armholes
    if spec.sleeve > 0:  # and a sleeved one from its whole shoulder yoke, where the sleeves are set in under it
        pins[bodice.ids[co[bodice.ids, 2] > lv["axilla"] + YOKE_ABOVE_ARMPIT]] = True
    for p in parts[1:]:
        pins[p.ids[:2].ravel()] = True  # a sleeve's top two rows are sewn into the armhole
    return Shape(co, parts, hem, notes, pins)


def _shoulder_caps(cut) -> np.ndarray:
    """(T,) arm triangles above the sleeve seam: no further than SLEEVE_CAP_SECTION down the arm's axis."""
    centres = cut.co[cut.tris].mean(1)
    out = np.zeros(len(cut.tris), bool)
    for side in cut.arm_axis:
        shoulder, u = arm_direction(cut, side)
        out |= cut.arm[side] & ((centres - shoulder) @ u < SLEEVE_CAP_SECTION)
    return out


def _column_tops(spec, rows, zs, angles, top) -> np.ndarray:
    """(C,) height where each column ends: a U neckline in front (``spec.neckline`` deep, 2 cm at the
    back), the base of the neck elsewhere (over the shoulders)."""
    shoulder_row = int(np.argmin(np.abs(zs - (top - 0.05))))
    x = np.abs(rows[shoulder_row, :, 0])
    neck_w = 0.06 + 0.002 * spec.neckline
    depth = np.where(np.cos(angles) > 0, spec.neckline / 100.0, 0.02)
    z = np.full(len(angles), top)
    neck = x < neck_w
    z[neck] = top - depth[neck] * np.sqrt(1 - (x[neck] / neck_w) ** 2)
    return z


def _armholes(cut, angles, top) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sleeveless armholes as holes in the (angle, height) grid: an ellipse around each side seam from
    below the armpit up to a strap's width under the shoulder line, so a strap runs over the shoulder.
    Returns (C,) hole top, hole bottom and whether each column crosses a hole."""
    bottom = cut.levels["axilla"] - ARMHOLE_DROP
    upper = top - STRAP_WIDTH
    centre, half = 0.5 * (upper + bottom), 0.5 * (upper - bottom)
    u = np.minimum(np.abs(np.angle(np.exp(1j * (angles - np.pi / 2)))),
                   np.abs(np.angle(np.exp(1j * (angles + np.pi / 2))))) / ARMHOLE_HALF_ANGLE
    hole = u < 1
    s = np.sqrt(np.clip(1 - u**2, 0, None))
    return centre + half * s, centre - half * s, hole


def _band(rows: np.ndarray, zs: np.ndarray, tops: np.ndarray, keep_below: float, holes=None):
    """Resample the upper rows so every column runs from its own top down to a common level in the same
    number of rows: a grid with a clean top edge (no stair steps) and horizontal rows below. With
    ``holes`` (top, bottom, crossing) the band is two bands, the row between them cut out where a column
    crosses a hole, so armhole edges are rows too. The band stops above ``keep_below`` (the chest row
    stays a true tape-measure row) when the cut allows. Returns the rows and the cells cut out."""
    lowest_cut = float(tops.min()) if holes is None else min(float(tops.min()), float(holes[1].min()))
    low = lowest_cut - 0.02
    if lowest_cut > keep_below + 0.004:
        low = max(low, keep_below + 0.002)
    below = zs < low
    rz = zs[::-1]  # increasing, for np.interp

    def resample(z_from, z_to):
        k = max(2, math.ceil(float((z_from - z_to).max()) / ROW_STEP) + 1)
        t = np.linspace(0.0, 1.0, k)
        out = np.empty((k, rows.shape[1], 3))
        for c in range(rows.shape[1]):
            target = z_from[c] + (z_to[c] - z_from[c]) * t
            for j in range(3):
                out[:, c, j] = np.interp(target, rz, rows[::-1, c, j])
        return out

    if holes is None:
        band = resample(tops, np.full_like(tops, low))
        out = np.concatenate([band, rows[below]])
        return out, np.zeros((len(out) - 1, rows.shape[1]), bool)
    hole_top, hole_bottom, crossing = holes
    mid = np.minimum(hole_top, tops - 0.005)
    split_top = np.where(crossing, mid, np.minimum(0.5 * (hole_top + hole_bottom), tops - 0.005))
    split_bottom = np.where(crossing, np.minimum(hole_bottom, split_top - 0.002), split_top - ROW_STEP / 2)
    upper = resample(tops, split_top)
    lower = resample(split_bottom, np.full_like(tops, low))
    out = np.concatenate([upper, lower, rows[below]])
    removed = np.zeros((len(out) - 1, rows.shape[1]), bool)
    removed[len(upper) - 1] = crossing | np.roll(crossing, -1)  # the cell after column c spans c and c + 1
    return out, removed


def _plane_basis(u: np.ndarray) -> np.ndarray:
    """(2, 3): 'front' (-Y made perpendicular to u) and u x front, for rows across a limb."""
    f = np.array([0.0, -1.0, 0.0])
    f = f - (f @ u) * u
    f /= np.linalg.norm(f)
    return np.stack([f, np.cross(u, f)])


def _sleeve(spec, cut, side, pool) -> GridPart:
    """A tube along the arm from just inside the armhole to ``spec.sleeve`` cm below the shoulder."""
    shoulder, u = arm_direction(cut, side)
    reach = float(np.linalg.norm(cut.arm_axis[side][1] - shoulder))
    length = min(spec.sleeve / 100.0, reach - 0.01)
    ss = np.linspace(-SLEEVE_CAP, length, max(3, math.ceil((length + SLEEVE_CAP) / ROW_STEP) + 1))
    # Clockwise in the (front, u x front) plane: with rows running down the arm the quads face outwards.
    angles = -2 * np.pi * np.arange(SLEEVE_COLUMNS) / SLEEVE_COLUMNS
    d = _gap(SLEEVE_EASE)
    rows = []
    for s in ss:
        # Above the arm's own section (the cap, sewn under the bodice's armhole) the sleeve keeps the
        # shape it has just below the shoulder joint.
        at = max(s, SLEEVE_CAP_SECTION)
        p = shoulder + u * at
        basis = _plane_basis(u)
        hull = section_hull(cut, cut.arm[side], p, u, basis)
        if hull is None:
            raise GarmentError("the arm has no section along the sleeve: the avatar's arms are not where the body "
                               "model puts them (shorten the sleeve)")
        hull = grown(hull, d)
        xy = ray_points(hull, centre_of(hull), angles)
        rows.append(p + u * (s - at) + xy @ basis)
    ids = pool.add(np.stack(rows))
    seam = SLEEVE_COLUMNS // 2  # under the arm
    cols = (np.arange(SLEEVE_COLUMNS + 1) + seam) % SLEEVE_COLUMNS
    return GridPart(ids, True, [Panel(f"sleeve_{side}", cols)])


def _trousers(spec: GarmentSpec, cut: BodyCut) -> Shape:
    """Waistband to crotch as one tube; below, one tube per leg; the two legs share the crotch seam."""
    notes: list[str] = []
    lv = cut.levels
    hem = _hem(spec, cut, notes)
    if hem >= lv["crotch"] - 0.05:
        raise GarmentError(f"length {spec.length:g} cm ends above the crotch: trousers need at least "
                           f"{(lv['waist'] - lv['crotch']) * 100 + 5:.0f} cm (shorts start there)")
    crotch_row = lv["crotch"] - CROTCH_DROP
    waistband = lv["waist"] + WAISTBAND_RISE
    zs_up = _levels(waistband, crotch_row, [lv["waist"], lv["hips"]])
    angles = 2 * np.pi * np.arange(COLUMNS) / COLUMNS
    upper = np.stack([_horizontal_row(cut, cut.no_arm, z, _gap(_ease_at(spec, cut, z)), angles) for z in zs_up])
    pool = VertexPool()
    up_ids = pool.add(upper)
    half = COLUMNS // 2
    cf, cb = upper[-1, 0], upper[-1, half]
    t = np.arange(1, INNER_COLUMNS + 1) / (INNER_COLUMNS + 1)
    inner = cb + t[:, None] * (cf - cb)  # the crotch seam, back to front, just under the body
    inner_ids = pool.add(inner)
    zs_leg = _levels(crotch_row, hem, [])[1:]
    knee = 0.5 * (lv["crotch"] + lv["floor"])
    d_leg = _gap(spec.ease_hips / 100.0)  # each leg as loose round the thigh as the seat is round the hips
    parts = []
    for side, sign in (("l", 1.0), ("r", -1.0)):
        if side == "l":
            top_ids = np.concatenate([up_ids[-1, :half + 1], inner_ids])
            loop = np.concatenate([upper[-1, :half + 1], inner])
        else:
            top_ids = np.concatenate([up_ids[-1, half:], up_ids[-1, :1], inner_ids[::-1]])
            loop = np.concatenate([upper[-1, half:], upper[-1, :1], inner[::-1]])
        select = cut.no_arm & (np.sign(cut.co[cut.tris].mean(1)[:, 0]) == sign)
        first = section_hull(cut, select, (0.0, 0.0, zs_leg[0]), Z, XY)
        c0 = centre_of(first)
        rel = loop[:, :2] - c0
        phi = np.arctan2(rel[:, 0], -rel[:, 1])  # same convention as ray_points
        rows = []
        for z in zs_leg:
            flare = 0.0 if z > knee else spec.flare / 100.0 * (knee - z) / max(knee - hem, 1e-6) / (2 * np.pi)
            row = _horizontal_row(cut, select, z, d_leg + flare, phi)
            row[:, 0] = sign * np.maximum(sign * row[:, 0], MIN_GAP)  # a leg never crosses into the other
            rows.append(row)
        leg_ids = pool.add(np.stack(rows))
        n_up = len(zs_up)
        ncol = len(top_ids)
        ids = np.full((n_up + len(zs_leg), ncol), -1, np.int64)
        if side == "l":
            ids[:n_up, :half + 1] = up_ids[:, :half + 1]
        else:
            ids[:n_up, :half + 1] = np.column_stack([up_ids[:, half:], up_ids[:, :1]])
        ids[n_up - 1] = top_ids
        ids[n_up:] = leg_ids
        q = half // 2
        mid_inner = half + 1 + INNER_COLUMNS // 2
        if side == "l":  # columns: CF .. left side (q) .. CB (half), then the inseam back -> front
            front = np.r_[np.arange(mid_inner, ncol), np.arange(0, q + 1)]
            back = np.arange(q, mid_inner + 1)
        else:  # CB .. right side (q) .. CF (half), then the inseam front -> back
            back = np.r_[np.arange(mid_inner, ncol), np.arange(0, q + 1)]
            front = np.arange(q, mid_inner + 1)
        parts.append(GridPart(ids, True, [Panel(f"front_{side}", front), Panel(f"back_{side}", back)]))
    co = pool.array()
    pins = co[:, 2] > waistband - 0.03  # the waistband
    return Shape(co, parts, hem, notes, pins)
