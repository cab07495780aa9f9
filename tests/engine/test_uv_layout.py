"""UV islands, texel density, the mapping-or-atlas decision and the baked atlas (numpy only)."""

import numpy as np
import pytest

from inference import uv_layout
from inference.fabric_surface import Cancelled, MeshUV, fabric_for_mesh


def _quads(rects):
    """Separate quads: rects = [(x0, y0, w, h, u0, v0, uw, vh)] in metres and UV units."""
    co, lv, uv = [], [], []
    for i, (x, y, w, h, u, v, uw, vh) in enumerate(rects):
        co += [(x, y, 0), (x + w, y, 0), (x + w, y + h, 0), (x, y + h, 0)]
        lv += [4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3]
        uv += [(u, v), (u + uw, v), (u + uw, v + vh), (u, v + vh)]
    n = len(rects)
    return (np.array(co, float), np.array(lv), np.arange(n) * 4, np.full(n, 4), np.array(uv, float))


def test_density_is_metres_per_uv_unit():
    co, lv, ls, lt, uv = _quads([(0, 0, 2.0, 2.0, 0, 0, 0.5, 0.5)])
    isl = uv_layout.islands(co, lv, ls, lt, uv)
    assert isl.n_islands == 1 and isl.density[0] == pytest.approx(4.0) and isl.agree
    assert uv_layout.mapping_scale(isl.reference_density, 32.0) == pytest.approx(12.5)  # 4 m / 32 cm


def test_faces_sharing_uv_corners_are_one_island_and_uv_seams_split():
    # Two quads sharing an edge in 3D; joined in UV -> one island, cut in UV -> two.
    co = np.array([(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (2, 0, 0), (2, 1, 0)], float)
    lv = np.array([0, 1, 2, 3, 1, 4, 5, 2])
    ls, lt = np.array([0, 4]), np.array([4, 4])
    joined = np.array([(0, 0), (.5, 0), (.5, .5), (0, .5), (.5, 0), (1, 0), (1, .5), (.5, .5)], float)
    assert uv_layout.islands(co, lv, ls, lt, joined).n_islands == 1
    cut = joined.copy()
    cut[4:] += (0, 0.5)
    assert uv_layout.islands(co, lv, ls, lt, cut).n_islands == 2


def test_islands_at_different_scales_disagree():
    co, lv, ls, lt, uv = _quads([(0, 0, 1, 1, 0, 0, .4, .4), (2, 0, 1, 1, .5, .5, .2, .2)])
    isl = uv_layout.islands(co, lv, ls, lt, uv)
    assert isl.n_islands == 2 and not isl.agree
    np.testing.assert_allclose(sorted(isl.density), [2.5, 5.0])


@pytest.mark.parametrize("problem,match", [("no_uv", "no UV map"), ("empty", "empty"), ("nan", "NaN"),
                                            ("flat", "degenerate")])
def test_bad_layouts_name_the_fix(problem, match):
    co, lv, ls, lt, uv = _quads([(0, 0, 1, 1, 0, 0, .5, .5)])
    if problem == "no_uv":
        uv = None
    elif problem == "empty":
        co, lv, ls, lt, uv = co[:0], lv[:0], ls[:0], lt[:0], uv[:0]
    elif problem == "nan":
        co[0, 0] = np.nan
    else:
        uv[:] = 0.25
    with pytest.raises(uv_layout.UVLayoutError, match=match):
        uv_layout.islands(co, lv, ls, lt, uv)


def test_rasterize_and_pad_islands():
    co, lv, ls, lt, uv = _quads([(0, 0, 1, 1, 0, 0, .5, .5), (2, 0, 1, 1, .5, .5, .5, .5)])
    isl = uv_layout.islands(co, lv, ls, lt, uv)
    ids = uv_layout.rasterize_islands(ls, lt, uv, isl.face_island, 16)
    assert (ids[:8, :8] == isl.face_island[0]).all() and (ids[8:, 8:] == isl.face_island[1]).all()
    assert (ids[:8, 8:] == -1).all()
    padded = uv_layout.pad_islands(ids, 2)
    assert (padded[:6, 8:10] == isl.face_island[0]).all() and (padded[:6, 10:] == -1).all()


def _brute_force_raster(uv, face_island, size):
    """Every texel centre against every triangle, later triangles winning (the reference)."""
    out = np.full((size, size), -1, np.int32)
    ys, xs = np.mgrid[0:size, 0:size]
    for t in range(len(uv) // 3):
        a, b, c = uv[3 * t:3 * t + 3] * size - 0.5
        det = (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])
        if abs(det) < 1e-12:
            continue
        w1 = ((xs - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (ys - a[1])) / det
        w2 = ((b[0] - a[0]) * (ys - a[1]) - (xs - a[0]) * (b[1] - a[1])) / det
        out[(w1 >= -1e-6) & (w2 >= -1e-6) & (w1 + w2 <= 1 + 1e-6)] = face_island[t]
    return out


@pytest.mark.parametrize("chunk", [64, 1 << 16])
def test_vectorised_rasterisation_equals_the_per_texel_reference(chunk):
    rng = np.random.default_rng(3)
    n = 300
    uv = rng.uniform(-0.3, 1.3, (3 * n, 2))  # triangles inside, across and outside the UV square
    uv[3:6] = uv[3]  # a degenerate one
    ls, lt, fi = np.arange(n) * 3, np.full(n, 3), rng.integers(0, 5, n)
    got = uv_layout.rasterize_islands(ls, lt, uv, fi, 48, chunk_texels=chunk)
    np.testing.assert_array_equal(got, _brute_force_raster(uv, fi, 48))


def test_rasterisation_reports_progress_and_can_be_stopped():
    rng = np.random.default_rng(4)
    uv = rng.uniform(0, 1, (3 * 200, 2))
    ls, lt, fi = np.arange(200) * 3, np.full(200, 3), np.zeros(200, np.int64)
    seen = []
    uv_layout.rasterize_islands(ls, lt, uv, fi, 64, progress=seen.append, chunk_texels=256)
    assert len(seen) > 5 and seen == sorted(seen) and seen[-1] == 1.0

    def stop(fraction):
        if fraction > 0.3:
            raise Cancelled

    with pytest.raises(Cancelled):
        uv_layout.rasterize_islands(ls, lt, uv, fi, 64, progress=stop, chunk_texels=256)


def test_atlas_shows_each_island_at_its_own_scale():
    tile = np.zeros((8, 8), np.float32)
    tile[:, :4] = 1  # one vertical stripe per tile
    ids = np.zeros((64, 64), np.int32)
    ids[:, 32:] = 1
    atlas = uv_layout.bake_atlas(tile, ids, np.array([1.0, 4.0]))
    crossings = [int((np.abs(np.diff(atlas[10, sl])) > 0.5).sum()) for sl in (slice(0, 32), slice(32, 64))]
    assert crossings[1] >= 3 * crossings[0]  # 4x the repeats -> ~4x the stripe edges


def test_fabric_for_mesh_mapping_and_atlas(fabric_model):
    co, lv, ls, lt, uv = _quads([(0, 0, 0.64, 0.64, 0, 0, 1, 1)])
    res = fabric_for_mesh(fabric_model, MeshUV(co, lv, ls, lt, uv), "denim", "#2b4a6f", 12, 64, 1, None)
    # 0.64 m of UV square at the tile's physical size (12 threads/cm, whole draft repeats per 64 px tile)
    assert res.mode == "mapping" and res.mapping_scale == pytest.approx(64 / res.tile_cm)
    assert res.tile_cm == pytest.approx(res.info["threads"] / 12)
    assert res.images["albedo"].shape == (64, 64, 3) and res.images["height"].shape == (64, 64)
    assert 0 <= res.images["normal"].min() and res.images["normal"].max() <= 1
    co, lv, ls, lt, uv = _quads([(0, 0, 1, 1, 0, 0, .4, .4), (2, 0, 1, 1, .5, .5, .2, .2)])
    res = fabric_for_mesh(fabric_model, MeshUV(co, lv, ls, lt, uv), "denim", "#2b4a6f", 12, 64, 1, None)
    assert res.mode == "atlas" and res.mapping_scale == 1.0 and res.info["islands"] == 2
    n = res.images["normal"] * 2 - 1
    np.testing.assert_allclose(np.linalg.norm(n, axis=-1), 1, atol=1e-3)


def test_fabric_for_mesh_can_be_cancelled(fabric_model):
    co, lv, ls, lt, uv = _quads([(0, 0, 1, 1, 0, 0, 1, 1)])

    def stop(fraction, text):
        if fraction > 0.1:
            raise Cancelled

    with pytest.raises(Cancelled):
        fabric_for_mesh(fabric_model, MeshUV(co, lv, ls, lt, uv), "denim", "#2b4a6f", 12, 256, 1, None,
                        progress=stop)
