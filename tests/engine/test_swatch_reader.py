"""Swatch photo -> fabric request: what the reader measures on photos whose truth is known (tiles the
engine itself made at a known weave, density and colours, then treated as photos), lighting, the
posterior, variations (tileable, the photo's statistics) and every bad input."""

import numpy as np
import pytest

from inference import color
from inference import texture_metrics as tm
from inference.fabric import FabricInputError, FabricModel, check_swatch
from inference.swatch_detail import detail_stats, match_detail
from inference.swatch_palette import yarn_palette
from inference.swatch_reader import read_photo


@pytest.fixture(scope="module")
def model():
    return FabricModel.load()


def _photo(model, kind, px, color_="#8a3b2a", size=512, seed=3, **kw):
    return model.generate(kind, color_, None, size, seed, px_per_thread=px, **kw).albedo


@pytest.mark.parametrize(("kind", "px", "family", "draft"), [
    ("cotton", 5.0, "plain", "plain"), ("linen", 8.0, "plain", "plain"), ("twill", 5.0, "twill", "twill_2_1"),
    ("basket", 8.0, "basket", "basket"), ("satin", 5.0, "satin", "satin_5"),
    ("houndstooth", 8.0, "twill", "twill_2_2"), ("chambray", 5.0, "plain", "plain"),
    ("silk", 8.0, "satin", "satin_8"), ("herringbone", 8.0, "twill", "herringbone"), ("corduroy", 5.0, "cord", None),
])
def test_weave_and_thread_spacing_are_read_from_a_photo(model, kind, px, family, draft):
    r = read_photo(_photo(model, kind, px))
    assert (r.family, r.draft) == (family, draft)
    assert abs(r.px_per_thread / px - 1) < 0.05 and abs(r.px_per_pick / px - 1) < 0.05


def test_a_weft_denser_than_the_warp_is_measured(model):
    photo = model.generate("cotton", "#30506a", 14, 512, 1, px_per_thread=8.0, picks_per_cm=21).albedo
    r = read_photo(photo)
    assert abs(r.px_per_thread / 8.0 - 1) < 0.05 and abs(r.px_per_pick / (8.0 * 14 / 21) - 1) < 0.06
    assert abs(r.picks_per_cm / r.threads_per_cm - 1.5) < 0.1


def test_yarn_colours_and_stripes_are_read_in_centimetres(model):
    # Gingham: main and white in 0.3 cm bands both ways (4 threads at 14 threads/cm).
    r = read_photo(_photo(model, "gingham", 8.0))
    assert len(r.palette) == 2
    for text in (r.warp, r.weft):
        steps = [s.split() for s in text.split(",")]
        assert len(steps) == 2 and all(abs(float(w) - 4 / 14) < 0.02 for _, w in steps)
    lab = color.srgb_to_lab(np.array(r.palette))
    assert min(color.ciede2000(lab, color.srgb_to_lab(np.array(color.parse_color("#8a3b2a"))))) < 4
    assert min(color.ciede2000(lab, color.srgb_to_lab(np.array(color.parse_color("white"))))) < 8


def test_two_colours_crossing_without_stripes_are_warp_and_weft(model):
    r = read_photo(_photo(model, "chambray", 5.0))  # main warp, white weft
    assert r.warp.count(",") == 0 and r.weft.count(",") == 0 and r.warp != r.weft


def test_shading_of_one_yarn_is_not_a_second_colour(model):
    for kind in ("cotton", "twill", "satin"):
        assert len(read_photo(_photo(model, kind, 6.0)).palette) == 1


def test_uneven_lighting_is_evened_out(model):
    photo = _photo(model, "cotton", 6.0)
    lit = color.srgb_to_linear(photo) * np.linspace(0.45, 1.3, photo.shape[1])[None, :, None]
    lit = color.linear_to_srgb(np.clip(lit, 0, 1))
    a, b = read_photo(photo), read_photo(lit)
    assert b.family == a.family and abs(b.px_per_thread / a.px_per_thread - 1) < 0.03
    assert any("lighting" in n for n in b.notes)
    # Lighting a third brighter on average changes the read colour a little, not into another colour.
    assert float(color.ciede2000(color.srgb_to_lab(np.array(a.color)), color.srgb_to_lab(np.array(b.color)))) < 6


def test_no_periodic_structure_is_read_as_a_non_woven_kind_and_said(model):
    r = read_photo(_photo(model, "leather", 6.0))
    assert r.family == "leather" and r.draft is None and any("no periodic" in n for n in r.notes)
    rng = np.random.default_rng(0)
    noise = np.clip(0.5 + 0.2 * rng.standard_normal((256, 256, 1)), 0, 1) * np.array([0.9, 0.5, 0.3])
    r = read_photo(noise)
    assert r.family in ("pile", "leather") and any("nearest non-woven" in n for n in r.notes)


def test_photo_width_gives_measured_thread_counts(model):
    photo = _photo(model, "cotton", 8.0)  # 64 threads across
    r = read_photo(photo, width_cm=4.0)
    assert abs(r.threads_per_cm / 16.0 - 1) < 0.05
    assert not any("size unknown" in n for n in r.notes)
    assert any("size unknown" in n for n in read_photo(photo).notes)


def test_roughness_map_sets_the_roughness():
    photo = np.random.default_rng(1).random((128, 128, 3))
    r = read_photo(photo, roughness=np.full((128, 128), 0.3))
    assert abs(r.roughness - 0.3) < 1e-6
    with pytest.raises(ValueError, match="same swatch"):
        read_photo(photo, roughness=np.full((64, 64), 0.3))


def test_huge_photos_are_downsampled_and_uint8_uint16_read_alike(model):
    tile = _photo(model, "twill", 12.0, size=1024)
    big = np.tile(tile, (3, 3, 1))  # 3072 px: read at a third (4 px threads)
    r = read_photo((big * 255 + 0.5).astype(np.uint8))
    assert r.scale == 3 and any("downsampled" in n for n in r.notes)
    assert r.family == "twill" and abs(r.px_per_thread * r.scale / 12.0 - 1) < 0.06
    a = read_photo((tile[:256, :256] * 255 + 0.5).astype(np.uint8))
    b = read_photo((tile[:256, :256] * 65535 + 0.5).astype(np.uint16))
    assert a.family == b.family and a.draft == b.draft


@pytest.mark.parametrize(("photo", "match"), [
    (np.zeros((40, 300, 3)), "at least 64"),
    (np.full((80, 80, 3), 0.5), "single flat colour"),
    (np.full((80, 80, 3), np.nan), "NaN"),
    (np.zeros((80, 80, 2)), "RGB image"),
    (np.array([["a"] * 80] * 80), "not an image"),
])
def test_unusable_photos_are_refused_with_the_fix(model, photo, match):
    with pytest.raises(FabricInputError, match=match):
        check_swatch(photo)
    with pytest.raises(FabricInputError, match=match):
        model.variations(photo, 1)


def test_bad_photo_width_is_refused():
    with pytest.raises(FabricInputError, match="positive number"):
        check_swatch(np.random.default_rng(0).random((80, 80, 3)), width_cm=-2)


def test_posterior_draws_differ_and_stay_near_the_mean(model):
    r = read_photo(_photo(model, "cotton", 6.0))
    rng = np.random.default_rng(0)
    draws = [r.sample(rng) for _ in range(20)]
    tpc = np.array([d.threads_per_cm for d in draws])
    assert tpc.std() > 0 and np.all(np.abs(np.log(tpc / r.threads_per_cm)) < 5 * r.sigma["density"])
    de = [float(color.ciede2000(color.srgb_to_lab(np.array(d.color)), color.srgb_to_lab(np.array(r.color))))
          for d in draws]
    assert max(de) < 6 * r.sigma["lab"] and max(de) > 0


def test_variations_are_tileable_differ_and_keep_the_photo_colour(model):
    photo = _photo(model, "twill", 6.0, color_="#3a5a2a", seed=9)
    vs = model.variations(photo, 3, size=256, seed=2)
    assert len(vs) == 3 and np.abs(vs[0].albedo - vs[1].albedo).mean() > 1e-3
    photo_mean = color.linear_to_srgb(color.srgb_to_linear(photo).reshape(-1, 3).mean(0))
    for v in vs:
        assert v.albedo.shape == (256, 256, 3) and np.isfinite(v.albedo).all()
        assert tm.max_seam_ratio(v.albedo) < 1.6
        assert tm.mean_color_delta_e(v.albedo, photo_mean) < 3
        assert v.info["swatch"]["draft"] == "twill_2_1"


def test_detail_matching_moves_band_statistics_to_the_photo_and_keeps_the_tile():
    rng = np.random.default_rng(0)
    flat = np.clip(0.5 + 0.02 * rng.standard_normal((128, 128, 3)), 0, 1).astype(np.float32)
    rough = np.clip(0.5 + 0.15 * rng.standard_normal((128, 128)), 0.01, 1)
    out = match_detail(flat, detail_stats(rough))
    lum = lambda a: np.log(color.srgb_to_linear(a) @ color.LUMA + 1e-3)  # noqa: E731
    assert lum(out).std() > 2 * lum(flat).std()
    np.testing.assert_allclose(color.srgb_to_linear(out).mean((0, 1)), color.srgb_to_linear(flat).mean((0, 1)),
                               atol=2e-3)
    # Periodic filters: a rolled tile gives the rolled result (up to the sampled quantiles).
    rolled = match_detail(np.roll(flat, 37, 1), detail_stats(rough))
    assert np.abs(np.roll(out, 37, 1) - rolled).mean() < 0.02


def test_palette_of_a_real_two_colour_mix_is_found():
    rng = np.random.default_rng(0)
    a = np.where((np.arange(128) // 8 % 2 == 0)[None, :, None], color.parse_color("#203080"),
                 color.parse_color("#d0c090")) * np.ones((128, 1, 1))
    a = np.clip(a + 0.02 * rng.standard_normal(a.shape), 0, 1)
    pal = yarn_palette(color.srgb_to_linear(a).astype(np.float32))
    assert len(pal.srgb) == 2 and abs(pal.shares[0] - 0.5) < 0.05


def test_fibre_detail_is_added_below_the_yarn_scale_only():
    rng = np.random.default_rng(3)
    x = np.arange(128)
    stripes = 0.5 + 0.2 * np.sin(2 * np.pi * x / 32)[None, :, None] * np.ones((128, 1, 3))  # 32 px "yarns"
    tile = np.clip(stripes, 0, 1).astype(np.float32)
    photo = np.clip(stripes * (1 + 0.25 * rng.standard_normal((128, 128, 1))), 0.01, 1)  # + fibre-scale grain
    stats = detail_stats(color.srgb_to_linear(photo) @ color.LUMA)
    fine = lambda a: np.abs(np.diff(np.log(color.srgb_to_linear(a)[..., 1] + 1e-3), axis=0)).mean()  # noqa: E731
    plain, fibred = match_detail(tile, stats), match_detail(tile, stats, fibre_px=16)
    assert fine(plain) < 0.01 < fine(fibred)  # remapping alone cannot make grain the tile lacks
    assert tm.max_seam_ratio(fibred) < 1.6  # still a tile
    column = lambda a: a[..., 1].mean(0)  # noqa: E731  (the 32 px stripes survive)
    assert np.corrcoef(column(fibred), column(tile))[0, 1] > 0.9
