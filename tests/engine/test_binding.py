"""Closest points, binding and offset transfer."""

import numpy as np
import pytest
import trimesh

from inference import closest, mesh
from inference.binding import Binding


@pytest.fixture(scope="module")
def body():
    b = mesh.load_template("body")
    return b.co.astype(np.float64), b.triangles()


def _brute(points, co, tris):
    out = []
    for p in points:
        q, _ = closest.closest_on_triangles(np.repeat(p[None], len(tris), 0), co[tris[:, 0]], co[tris[:, 1]],
                                            co[tris[:, 2]])
        out.append(np.linalg.norm(q - p, axis=1).min())
    return np.array(out)


def test_closest_points_match_brute_force_near_the_surface(body):
    co, tris = body
    rng = np.random.default_rng(0)
    pts = co[rng.integers(0, len(co), 200)] + rng.normal(0, 0.002, (200, 3))
    _, bary, d = closest.closest_points(pts, co, tris)
    np.testing.assert_allclose(d, _brute(pts, co, tris), atol=1e-9)
    assert np.allclose(bary.sum(1), 1) and (bary >= -1e-12).all()


def test_closest_on_triangle_regions():
    a, b, c = np.array([[0.0, 0, 0]]), np.array([[1.0, 0, 0]]), np.array([[0.0, 1, 0]])
    cases = {(0.2, 0.2, 1.0): (0.2, 0.2, 0), (-1, -1, 0): (0, 0, 0), (2, -1, 0): (1, 0, 0), (0.5, -1, 0): (0.5, 0, 0),
             (1, 1, 0): (0.5, 0.5, 0)}
    for p, expected in cases.items():
        q, _ = closest.closest_on_triangles(np.array([p], float), a, b, c)
        np.testing.assert_allclose(q[0], expected, atol=1e-12)


def test_template_binds_to_itself_as_identity(body):
    co, tris = body
    bind = Binding.compute(co, co, tris)
    assert bind.identity
    off = np.random.default_rng(1).normal(0, 0.01, co.shape)
    np.testing.assert_allclose(bind.transfer(off), off, atol=1e-7)


def test_foreign_topology_follows_a_smooth_offset(body):
    co, tris = body
    v, f = trimesh.remesh.subdivide(co, tris)  # a different topology over the same surface
    bind = Binding.compute(v, co, tris)
    assert not bind.identity and bind.n_vertices == len(v) and bind.distance.max() < 1e-6
    offset = np.stack([0.02 * co[:, 2], 0.01 * co[:, 0], 0.05 * co[:, 2] ** 2], 1)  # smooth field
    moved = bind.transfer(offset)
    truth = np.stack([0.02 * v[:, 2], 0.01 * v[:, 0], 0.05 * v[:, 2] ** 2], 1)
    assert np.abs(moved - truth).max() < 2e-3  # linear interpolation of a smooth field


@pytest.mark.parametrize("bad, match", [(np.zeros((0, 3)), "empty"), (np.full((10, 3), np.nan), "NaN")])
def test_binding_bad_meshes(body, bad, match):
    co, tris = body
    with pytest.raises(ValueError, match=match):
        Binding.compute(bad, co, tris)


def test_grid_search_is_exact_near_and_far_from_the_surface(body):
    co, tris = body
    rng = np.random.default_rng(1)
    near = co[rng.integers(0, len(co), 300)] + rng.normal(0, 0.01, (300, 3))
    far = rng.uniform(-1.0, 1.0, (60, 3)) + [0, 0, 1.0]  # some inside the body, some a metre away
    pts = np.concatenate([near, far])
    _, bary, d = closest.closest_points(pts, co, tris, chunk=97)  # several chunks, ragged last one
    np.testing.assert_allclose(d, _brute(pts, co, tris), atol=1e-9)
    assert np.allclose(bary.sum(1), 1)


def test_closest_points_reports_progress_and_can_be_cancelled(body):
    co, tris = body
    seen = []

    class Stop(Exception):
        pass

    def progress(f):
        seen.append(f)
        if f > 0.3:
            raise Stop

    with pytest.raises(Stop):
        closest.closest_points(co + 0.001, co, tris, chunk=1000, progress=progress)
    assert seen[0] == 0.0 and 0.3 < seen[-1] < 0.5  # stopped at the first chunk past 30 %


def test_vertices_on_no_triangle_do_not_hide_the_closest_triangle(body):
    co, tris = body
    rng = np.random.default_rng(2)
    pts = co[rng.integers(0, len(co), 200)] + rng.normal(0, 0.01, (200, 3))
    front = tris[co[tris].mean(1)[:, 1] < 0]  # half the surface: the back's vertices are on no triangle
    _, _, d = closest.closest_points(pts, co, front)
    np.testing.assert_allclose(d, _brute(pts, co, front), atol=1e-9)


def test_within_finds_exactly_what_is_that_close(body):
    co, tris = body
    rng = np.random.default_rng(3)
    pts = co[rng.integers(0, len(co), 300)] + rng.normal(0, 0.03, (300, 3))
    truth = _brute(pts, co, tris)
    tri, _, d = closest.closest_points(pts, co, tris, within=0.02)
    close = truth <= 0.02
    assert 0 < close.sum() < len(pts)
    np.testing.assert_allclose(d[close], truth[close], atol=1e-9)
    assert np.isinf(d[~close]).all() and (tri[~close] == -1).all()
