"""Judging bodies as ANSUR II measured real people, without the model's own landmarks.

Agreeing with our own tape is not enough: a body whose chest girth is right at *its* bust point can
still be wrong at the subject's real chest height. These checks read a generated body at the held-out
subject's own ANSUR heights: trunk girths at ``chestheight``, ``waistheightomphalion`` and
``buttockheight``; the crotch as the highest level at which the legs' sections are apart (no crotch
vertex); stature as the lowest-to-highest extent; feet as the lowest point against z = 0.
"""

from __future__ import annotations

import numpy as np

from inference import sections

# Girth measurement -> the ANSUR height column (our landmark names) it is read at.
GIRTH_AT = {"chest": "bust_l", "waist": "navel", "hips": "buttock"}
Z = (0.0, 0.0, 1.0)


def legs_apart(co: np.ndarray, tris: np.ndarray, z: float) -> bool:
    """Whether the horizontal section at ``z`` has a left-leg and a right-leg loop of their own (no loop
    crossing the midline). Hands hang outside |x| > 0.3 m in the template's A-pose and are ignored."""
    points, edges = sections.section_segments(co, tris, (0.0, 0.0, z), Z)
    loops = [lp for lp in sections.section_components(points, edges) if np.abs(lp[:, 0]).max() < 0.3]
    left = any(lp[:, 0].min() > 0 for lp in loops)
    right = any(lp[:, 0].max() < 0 for lp in loops)
    crossing = any(lp[:, 0].min() < 0 < lp[:, 0].max() for lp in loops)
    return left and right and not crossing


def crotch_height_cm(co: np.ndarray, tris: np.ndarray, tol: float = 2e-4) -> float:
    """Height above the lowest point of the level where the legs join the trunk (bisection)."""
    floor, top = co[:, 2].min(), co[:, 2].max()
    lo, hi = floor + 0.25 * (top - floor), floor + 0.65 * (top - floor)
    if not legs_apart(co, tris, lo) or legs_apart(co, tris, hi):
        return float("nan")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if legs_apart(co, tris, mid) else (lo, mid)
    return float((lo - floor) * 100.0)


def trunk_girth_cm(co: np.ndarray, tris: np.ndarray, height_cm: float) -> float:
    """A tape around the trunk at ``height_cm`` above the lowest point: the convex hull of every section
    loop except the arms' (loops centred more than 0.2 m off the midline, the hands in A-pose), so at or
    below the crotch it goes round both legs as a tape round the buttocks does."""
    z = co[:, 2].min() + height_cm / 100.0
    points, edges = sections.section_segments(co, tris, (0.0, 0.0, z), Z)
    loops = [lp for lp in sections.section_components(points, edges) if abs(lp[:, 0].mean()) < 0.2]
    if not loops:
        return float("nan")
    return sections.hull_perimeter(np.concatenate(loops), Z) * 100.0


def read(measurer, co: np.ndarray, ansur_heights: dict[str, float]) -> dict[str, float]:
    """A body read as ANSUR read its subject: girths (cm) at the subject's heights, crotch height and
    stature (cm) by geometry, and the lowest point's height (mm) above z = 0."""
    co = np.asarray(co, np.float64)
    out = {g: trunk_girth_cm(co, measurer.tris, ansur_heights[h]) for g, h in GIRTH_AT.items()}
    out["inseam"] = crotch_height_cm(co, measurer.tris)
    out["stature"] = float(np.ptp(co[:, 2]) * 100.0)
    out["floor_mm"] = float(co[:, 2].min() * 1000.0)
    return out
