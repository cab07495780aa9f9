"""Anthropometric landmarks on the template body, found once by geometric rules on the rest shape.

The landmarks are stored as template vertex ids in the template card, so they move with every
body in the template topology; ``inference.measure`` places its planes and lengths on them.
Rules follow ISO 8559-1 / ANSUR II definitions as far as a surface mesh allows.
"""

from __future__ import annotations

import numpy as np

from inference import sections


def _torso_perimeter(co, tris, z) -> float:
    points, edges = sections.section_segments(co, tris, (0, 0, z), (0, 0, 1))
    loops = sections.section_components(points, edges)
    return max(sections.hull_perimeter(lp, (0, 0, 1)) for lp in loops)


def find_landmarks(co: np.ndarray, tris: np.ndarray, breast_target: np.ndarray) -> dict[str, int]:
    """Landmark vertex ids; ``breast_target`` is the (V, 3) offset of MakeHuman's max-cup target."""
    co = co.astype(np.float64)
    x, y, z = co.T
    mid = np.abs(x) < 1e-4
    ids = np.arange(len(co))

    def pick(mask, score):
        cand = ids[mask]
        return int(cand[np.argmax(score[mask])])

    lm = {"crown": int(np.argmax(z)), "sole": int(np.argmin(z))}
    # Crotch: lowest midline point between the legs.
    lm["crotch"] = pick(mid & (z > 0.5) & (z < 1.0), -z)
    zc = z[lm["crotch"]]
    # Omphalion (navel, ANSUR waist level): the dimple, i.e. the most posterior front-midline point.
    lm["navel"] = pick(mid & (y < 0.05) & (z > zc + 0.15) & (z < zc + 0.3), y)
    # Buttock: greatest posterior protrusion (hip girth level), left side.
    lm["buttock"] = pick((x > 0.03) & (x < 0.16) & (z > zc) & (z < z[lm["navel"]]), y)
    # Deltoids: most lateral points above the armpits (bideltoid breadth; arm length starts here).
    above = z > 1.31 * z.max() / 1.666
    lm["deltoid_l"] = pick(above & (x > 0), x)
    lm["deltoid_r"] = pick(above & (x < 0), -x)
    # Neck: narrowest torso section between the shoulders and the jaw.
    zs = np.linspace(z[lm["deltoid_l"]] + 0.06, z[lm["deltoid_l"]] + 0.12, 13)
    z_neck = zs[np.argmin([_torso_perimeter(co, tris, zz) for zz in zs])]
    lm["neck"] = pick(mid & (y < 0.1), -np.abs(z - z_neck))
    # Thigh: lateral point of the left thigh just below the gluteal furrow (crotch - 3 cm).
    lm["thigh_l"] = pick((x > 0) & (x < 0.25) & (np.abs(z - (zc - 0.03)) < 0.01), x)
    # Elbow (olecranon): the arms are bent, so the outside of the bend is the left-arm point
    # farthest from the deltoid -> fingertip chord (hand excluded).
    tip = pick(x > 0, x)
    a, b = co[lm["deltoid_l"]], co[tip]
    chord = (b - a) / np.linalg.norm(b - a)
    rel = co - a
    off_chord = np.linalg.norm(rel - np.outer(rel @ chord, chord), axis=1)
    along = rel @ chord
    arm = (x > a[0] + 0.02) & (along > 0.15 * np.linalg.norm(b - a)) & (along < 0.75 * np.linalg.norm(b - a))
    lm["elbow_l"] = pick(arm, off_chord)
    # Wrist (stylion level): narrowest forearm section along the elbow -> fingertip axis.
    e = co[lm["elbow_l"]]
    axis = (b - e) / np.linalg.norm(b - e)
    best = None
    for f in np.linspace(0.35, 0.8, 46):
        origin = e + f * (b - e)
        points, edges = sections.section_segments(co, tris, origin, axis)
        loops = sections.section_components(points, edges)
        loop = min(loops, key=lambda lp: np.linalg.norm(lp.mean(0) - origin))
        per = sections.hull_perimeter(loop, axis)
        if best is None or per < best[0]:
            best = (per, loop.mean(0))
    lm["wrist_l"] = int(np.argmin(np.linalg.norm(co - best[1], axis=1)))
    # Bust point (chest girth level): the left-side vertex MakeHuman's max-cup target moves most.
    lm["bust_l"] = pick(x > 0, np.linalg.norm(breast_target, axis=1))
    return lm
