"""Made-to-measure garments: ease checked by an independent tape, pattern UVs, bad input."""

import numpy as np
import pytest
import trimesh

from inference import garment
from inference.garment_spec import PRESETS, GarmentError, GarmentSpec
from inference.measure import Measurer

LEVELS = {"chest": ("bust_l", "ease_chest"), "waist": ("navel", "ease_waist"), "hips": ("buttock", "ease_hips")}


@pytest.fixture(scope="module")
def body():
    return garment.rest_body().astype(np.float64)


@pytest.fixture(scope="module")
def made(body):
    return {name: garment.make(spec, body) for name, spec in PRESETS.items()}


def _tape(co, tris, z) -> float:
    """An independent tape (trimesh's section + scipy's hull): girth in cm at height z of the loop around
    the trunk (the arms' loops beside it left out)."""
    ConvexHull = pytest.importorskip("scipy.spatial").ConvexHull  # trimesh sections need scipy; py3.13 has none
    path = trimesh.Trimesh(co, tris, process=False).section(plane_origin=(0, 0, z), plane_normal=(0, 0, 1))
    loops = [lp[:, :2] for lp in path.discrete if abs(lp[:, 0].mean()) < 0.06 and len(lp) >= 3]
    return max(ConvexHull(lp).area for lp in loops) * 100.0  # a 2D hull's "area" is its perimeter


@pytest.mark.parametrize("name", list(PRESETS))
def test_ease_is_what_was_asked_within_3_mm(made, body, name):
    g, spec = made[name], PRESETS[name]
    lm = Measurer.from_template().landmark_points(body)
    trunk = np.repeat([not g.pieces[i].startswith("sleeve") for i in g.face_piece], 2)
    tris = g.mesh.triangles()[trunk]
    body_tris = Measurer.from_template().tris
    fit = garment.fit(g.mesh, body, spec.sleeve, garment.sleeve_faces(g))
    for level, (landmark, field) in LEVELS.items():
        z = lm[landmark][2]
        if not g.mesh.co[:, 2].min() < z < g.mesh.co[:, 2].max():
            continue
        body_girth = _tape(body, body_tris, z)
        ease = _tape(g.mesh.co, tris, z) - body_girth
        assert abs(fit.ease[level] - ease) < 0.3, (level, fit.ease[level], ease)  # the panel's number
        asked = getattr(spec, field)
        if asked / (2 * np.pi) >= 0.31:  # looser than the minimum gap (cloth thickness)
            assert abs(ease - asked) < 0.3, (level, ease, asked)


@pytest.mark.parametrize("name", list(PRESETS))
def test_pattern_pieces_share_one_texel_density_with_grain_down(made, name):
    g = made[name]
    m = g.mesh
    quads = m.loop_vertex.reshape(-1, 4)
    uv = m.loop_uv.reshape(-1, 4, 2)
    assert uv.min() >= 0 and uv.max() <= 1
    co = m.co.astype(np.float64)

    def area(p):  # quad area as two triangles
        return 0.5 * (np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=-1)
                      + np.linalg.norm(np.cross(p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]), axis=-1))

    uv3 = np.concatenate([uv, np.zeros((*uv.shape[:2], 1))], -1)
    density = []
    for i in range(len(g.pieces)):
        sel = g.face_piece == i
        density.append(np.sqrt(area(co[quads[sel]]).sum() / area(uv3[sel]).sum()))
    assert np.ptp(density) / np.mean(density) < 0.1, density  # metres per UV unit agree
    assert abs(np.mean(density) / g.metres_per_uv - 1) < 0.1
    # Grain: down a column (corner 0 -> 1) the cloth moves in V, not U.
    d_uv = np.abs(uv[:, 1] - uv[:, 0])
    assert np.median(d_uv[:, 1]) > 5 * np.median(d_uv[:, 0])


def test_garments_are_quad_meshes_with_pins(made):
    for name, g in made.items():
        assert (g.mesh.face_sizes == 4).all()
        assert 0 < g.pins.sum() < 0.2 * g.mesh.n_vertices, name
        assert np.isfinite(g.mesh.co).all()
    assert 4_000 < made["maxi_dress"].mesh.n_vertices < 15_000


def test_garment_follows_a_flare_and_a_length(body, made):
    a_line, sheath = made["a_line_dress"], made["sheath_dress"]
    hem = lambda g: g.mesh.co[g.mesh.co[:, 2] < g.mesh.co[:, 2].min() + 0.005]  # noqa: E731
    width = lambda p: np.ptp(p[:, 0])  # noqa: E731
    assert width(hem(a_line)) > width(hem(sheath)) + 0.1
    waist = Measurer.from_template().landmark_points(body)["navel"][2]
    for name in ("sheath_dress", "a_line_dress"):
        g = made[name]
        assert abs((waist - g.mesh.co[:, 2].min()) * 100 - PRESETS[name].length) < 0.5


@pytest.mark.parametrize("bad, message", [
    (dict(kind="cape"), "unknown garment"),
    (dict(ease_chest=float("nan")), "finite"),
    (dict(ease_hips=500.0), "outside"),
    (dict(sleeve=120.0), "sleeve"),
    (dict(length=0.0), "length"),
    (dict(kind="trousers", flare=200.0), "flare"),
])
def test_bad_garment_requests_name_the_fix(bad, message):
    with pytest.raises(GarmentError, match=message):
        GarmentSpec(**bad).checked()


def test_trousers_too_short_for_the_body_are_refused(body):
    with pytest.raises(GarmentError, match="above the crotch"):
        garment.make(GarmentSpec("trousers", length=10.0), body)


def test_a_hem_below_the_floor_is_raised_and_said(body):
    g = garment.make(GarmentSpec("dress", length=150.0), body)
    assert any("floor" in n for n in g.notes)
    assert g.mesh.co[:, 2].min() > body[:, 2].min() + 0.015


def test_folds_raise_normal_variation():
    from inference.garment_fit import normal_variation

    g = garment.make(PRESETS["sheath_dress"], garment.rest_body())
    flat = normal_variation(g.mesh)
    rng = np.random.default_rng(0)
    wrinkled = g.mesh.co + rng.normal(0, 0.004, g.mesh.co.shape).astype(np.float32)
    assert normal_variation(g.mesh, wrinkled) > 2 * flat


@pytest.mark.parametrize("name", list(PRESETS))
def test_no_body_vertex_through_the_cloth_on_the_body_it_was_cut_on(made, body, name):
    g = made[name]
    fit = garment.fit(g.mesh, body, g.spec.sleeve, garment.sleeve_faces(g))
    assert fit.pokes == 0, fit.summary()


def test_a_sleeveless_dress_follows_other_bodies_without_pokes():
    from inference.binding import DisplacementSmoother
    from inference.body_shaper import BodyShaper

    shaper = BodyShaper.load()
    start = shaper.random("female", 11).vertices
    g = garment.make(PRESETS["a_line_dress"], start)
    b = shaper.bind(g.mesh.co, reference=start)
    # as the add-on follows a garment
    smoother = DisplacementSmoother(np.unique(g.mesh.loop_edges(), axis=0), b.distance)
    for i, sex in enumerate(("female", "male", "female", "male")):
        other = shaper.random(sex, 1000 + i).vertices
        co = shaper.deform(b, g.mesh.co, start, other, None, smoother)
        moved = type(g.mesh)(co.astype(np.float32), g.mesh.face_sizes, g.mesh.loop_vertex)
        fit = garment.fit(moved, other)
        assert fit.pokes == 0, (sex, fit.summary())
        assert abs(fit.ease["chest"] - PRESETS["a_line_dress"].ease_chest) < 1.0  # ease follows the body


def test_the_side_of_a_crease_is_read_from_its_pseudonormal():
    """An inverted V (two trouser legs meeting at a crotch seam): a point above the seam is inside the cloth
    though either face's own normal, at the seam, says outside for half of such points."""
    from inference.garment_fit import cloth_side
    from inference.mesh import MeshData

    # Two planes meeting at the ridge x = 0, z = 0, falling away at 45 degrees; normals point down-outward.
    # Three vertex rows along y, so the ridge's middle vertex is not on the cloth's edge.
    co = np.array([[x, y, -abs(x)] for y in (-1, 0, 1) for x in (-1, 0, 1)], np.float32)  # index 3 * row + col
    quads = np.array([[r * 3 + c, r * 3 + c + 3, r * 3 + c + 4, r * 3 + c + 1] for r in (0, 1) for c in (0, 1)])
    cloth = MeshData(co, np.full(4, 4, np.int32), quads.ravel().astype(np.int32))
    a, b, c = co[quads[0, :3]]
    assert np.cross(b - a, c - a)[2] < 0  # outward: down, into the gap between the legs
    points = np.array([[x, y, 0.05] for x in (-0.01, 0.0, 0.01) for y in (0.0, 0.5)])  # at the vertex, on the edge
    side = cloth_side(cloth, points)
    assert (side.signed < 0).all() and side.interior.all()
    below = cloth_side(cloth, np.array([[0.0, 0.0, -0.05]]))
    assert below.signed[0] > 0


@pytest.mark.parametrize("name, case", [("t_shirt", 3), ("trousers", 3)])
def test_clearance_pushes_the_cloth_out_where_a_changed_body_pokes_through(name, case):
    """A set-in sleeve on a broader body (the armpit rises into it) and trousers on another body: the
    transferred garment has body vertices through it; after a pose with clearance none are, and a garment
    with its own transform (turned, moved) is pushed the same way in its own frame."""
    from inference.binding import DisplacementSmoother
    from inference.body_shaper import BodyShaper, Follower

    shaper = BodyShaper.load()
    start = shaper.random("female", 11).vertices
    g = garment.make(PRESETS[name], start)
    b = shaper.bind(g.mesh.co, reference=start)
    smoother = DisplacementSmoother(np.unique(g.mesh.loop_edges(), axis=0), b.distance)
    other = shaper.random(("female", "male")[case % 2], 2000 + case).vertices
    sleeves = garment.sleeve_faces(g)
    clearance = shaper.clearance(g.mesh, g.spec.sleeve, sleeves)
    follower = Follower(b, g.mesh.co, start, smoother, clearance=clearance)
    plain = shaper.pose({}, "female", None, [follower], body=other)
    assert plain.pokes is None
    mesh = type(g.mesh)
    before = garment.fit(mesh(plain.positions[0], g.mesh.face_sizes, g.mesh.loop_vertex), other, g.spec.sleeve,
                         sleeves)
    cleared = shaper.pose({}, "female", None, [follower], body=other, clear=True)
    after = garment.fit(mesh(cleared.positions[0], g.mesh.face_sizes, g.mesh.loop_vertex), other,
                        g.spec.sleeve, sleeves)
    assert before.pokes > 0 and after.pokes == 0 and cleared.pokes == [0], (before.summary(), after.summary())
    assert np.linalg.norm(cleared.positions[0] - plain.positions[0], axis=1).max() < 0.06

    turn = np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]], np.float64)  # garment frame -> body frame
    frame = np.eye(4)
    frame[:3, :3], frame[:3, 3] = turn, (0.3, -0.2, 0.1)
    own = (g.mesh.co - frame[:3, 3]) @ turn  # its basis in its own frame (turn is orthonormal)
    moved = Follower(b, own.astype(np.float32), start, smoother, frame=frame, clearance=clearance)
    turned = shaper.pose({}, "female", None, [moved], body=other, clear=True)
    placed = turned.positions[0] @ turn.T + frame[:3, 3]
    assert turned.pokes == [0]
    np.testing.assert_allclose(placed, cleared.positions[0], atol=1e-4)  # float32 rounding, not another push
