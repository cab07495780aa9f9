"""The slider hot path: template avatars take the decoder output, bound meshes follow by transfer."""

import numpy as np
import pytest
import trimesh

from inference.binding import BindingError
from inference.body_shaper import BodyShaper
from inference.mesh import load_template


@pytest.fixture(scope="module")
def shaper():
    return BodyShaper.load()


def test_template_avatar_gets_exactly_the_decoded_body(shaper):
    b = shaper.bind(shaper.rest)
    assert b.identity
    cond, _ = shaper.condition({"chest": 100.0}, "female")
    body = shaper.decode(cond, np.zeros(shaper.latent))
    np.testing.assert_allclose(shaper.deform(b, shaper.rest, None, body), body, atol=1e-5)


def test_garment_follows_by_transfer_and_keeps_its_offset(shaper):
    tights = load_template("tights").co
    b = shaper.bind(tights)
    assert not b.identity and b.n_vertices == len(tights)
    cond, _ = shaper.condition({"hips": 115.0, "weight": 90.0}, "female")
    body = shaper.decode(cond, np.zeros(shaper.latent))
    moved = shaper.deform(b, tights, None, body)
    # Each garment vertex keeps its distance to the body surface point it was bound to.
    ref_pts = (shaper.rest[b.vertex_ids] * b.weights[..., None]).sum(1)
    new_pts = (body[b.vertex_ids] * b.weights[..., None]).sum(1)
    np.testing.assert_allclose(moved - new_pts, tights - ref_pts, atol=1e-5)


def test_rotation_maps_displacements_into_the_mesh_frame(shaper):
    tights = load_template("tights").co
    b = shaper.bind(tights)
    cond, _ = shaper.condition({"waist": 95.0}, "female")
    body = shaper.decode(cond, np.zeros(shaper.latent))
    rot = np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]], np.float32)  # mesh frame turned 90 degrees
    plain = shaper.deform(b, tights, None, body) - tights
    turned = shaper.deform(b, tights, None, body, rotation=rot) - tights
    np.testing.assert_allclose(turned, plain @ rot.T, atol=1e-6)


def test_edited_mesh_is_detected(shaper):
    b = shaper.bind(load_template("skirt").co)
    with pytest.raises(ValueError, match="bind it again"):
        shaper.deform(b, np.zeros((10, 3), np.float32), None, shaper.rest)


def test_smoother_keeps_skin_tight_vertices_and_closes_gaps():
    from inference.binding import DisplacementSmoother

    # A strip of 5 vertices: the ends sit on the body, the middle three stand 5 cm off it.
    edges = np.array([[0, 1], [1, 2], [2, 3], [3, 4]])
    dist = np.array([0.0, 0.05, 0.05, 0.05, 0.0], np.float32)
    delta = np.zeros((5, 3), np.float32)
    delta[:2, 0], delta[2:, 0] = -0.02, 0.02  # bound to two different legs: would tear between 1 and 2
    out = DisplacementSmoother(edges, dist).apply(delta)
    assert out[0, 0] == pytest.approx(-0.02) and out[4, 0] == pytest.approx(0.02)  # on the body: exact
    assert np.all(np.diff(out[:, 0]) >= -1e-7) and np.abs(np.diff(out[:, 0])).max() < 0.02  # no tear
    tight = DisplacementSmoother(edges, np.zeros(5, np.float32))
    assert not tight.active and tight.apply(delta) is delta


def test_one_pose_call_moves_the_avatar_and_its_garments_like_separate_calls(shaper):
    from inference.body_shaper import Follower

    tights = load_template("tights").co
    followers = [Follower(shaper.bind(shaper.rest), shaper.rest), Follower(shaper.bind(tights), tights)]
    values, style = {"chest": 104.0, "waist": 170.0}, np.array([0.5], np.float32)  # beyond every real man
    pose = shaper.pose(values, "male", style, followers)
    cond, warnings = shaper.condition(values, "male")
    body = shaper.decode(cond, style)
    np.testing.assert_allclose(pose.body, body, atol=1e-6)
    np.testing.assert_allclose(pose.positions[0], body, atol=1e-5)
    np.testing.assert_allclose(pose.positions[1], shaper.deform(followers[1].binding, tights, None, body), atol=1e-6)
    assert pose.warnings == list(warnings) and pose.warnings  # honoured, and it says it is unusual
    assert cond[2] == pytest.approx(170.0)
    given = shaper.pose({}, "male", None, followers[:1], body=shaper.rest)  # a body from elsewhere (exact, scan)
    np.testing.assert_allclose(given.positions[0], shaper.rest, atol=1e-5) and not given.warnings


@pytest.mark.parametrize("change, match", [
    (lambda co: co * 100.0, "centimetres"),
    (lambda co: co * 0.01, "scaled down"),
    (lambda co: co[:, [0, 2, 1]] * [1, -1, 1], "lies along Y"),
    (lambda co: co + [1.5, 0, 0], "does not line up"),
])
def test_avatar_in_other_units_orientation_or_place_is_refused(shaper, change, match):
    foreign = trimesh.remesh.subdivide(shaper.rest, shaper.tris)[0]  # another topology: no identity shortcut
    with pytest.raises(BindingError, match=match):
        shaper.bind_avatar(change(np.asarray(foreign, np.float64)))


def test_upright_metre_avatar_binds(shaper):
    foreign = trimesh.remesh.subdivide(shaper.rest, shaper.tris)[0]
    b = shaper.bind_avatar(np.asarray(foreign, np.float64))
    assert b.n_vertices == len(foreign) and np.percentile(b.distance, 95) < 0.001
