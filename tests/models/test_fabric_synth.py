"""Procedural fabric synthesiser: every kind tileable, deterministic, in range; bad input refused."""

import numpy as np
import pytest

from models.fabric.synth import KINDS, FabricSpec, draft, hex_to_rgb, synthesize


def seam_ratio(img: np.ndarray, period: int, reduce=np.mean) -> float:
    """|difference| across the wrap seam over |difference| at interior columns of the same pattern phase.

    Regular weaves put a thread boundary exactly on the seam, so the seam is compared with the other
    thread boundaries (every ``period`` pixels; ``reduce`` over them), not with the average neighbour
    difference. Periodic noise gives ~1 with period 1; a crop ~1.8.
    """
    seam = np.abs(img[:, 0] - img[:, -1]).mean()
    cols = np.arange(period, img.shape[1], period)
    inner = reduce(np.abs(img[:, cols] - img[:, cols - 1]).mean(0))
    return float(seam / max(inner, 1e-12))


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_tileable_deterministic_and_in_range(kind):
    spec = FabricSpec(kind=kind, size=96, seed=5, tile_cm=2.0)
    maps = synthesize(spec)
    again = synthesize(spec)
    assert maps["albedo"].shape == (96, 96, 3) and maps["height"].shape == maps["roughness"].shape == (96, 96)
    for name, img in maps.items():
        np.testing.assert_array_equal(img, again[name])
        assert img.min() >= 0 and img.max() <= 1, name
        for axis_img in (img, np.swapaxes(img, 0, 1)):
            # No larger than the largest jump between two threads inside the tile.
            assert seam_ratio(axis_img, 96 // spec.threads, np.max) < 1.25, (kind, name)
    assert maps["height"].std() > 0.05  # real relief, not a flat map


def test_a_crop_is_not_seamless():
    big = synthesize(FabricSpec(kind="velvet", size=128, seed=1))["height"]
    crop = big[:, 10:90]  # not a whole period: the seam jumps
    assert seam_ratio(crop, 1) > 1.5


def test_seeds_differ_and_kinds_differ():
    a = synthesize(FabricSpec(kind="denim", size=64, seed=1))["height"]
    b = synthesize(FabricSpec(kind="denim", size=64, seed=2))["height"]
    c = synthesize(FabricSpec(kind="satin", size=64, seed=1))["height"]
    assert np.abs(a - b).mean() > 0.005 and np.abs(a - c).mean() > 0.05


def test_denim_is_indigo_warp_on_white_weft():
    alb = synthesize(FabricSpec(kind="denim", color=hex_to_rgb("#2b4a6f"), size=128))["albedo"]
    assert alb[..., 2].mean() > alb[..., 0].mean()  # blue-dominant face
    assert (alb.mean(2) > 0.6).mean() > 0.03  # white weft shows at the twill's crossings


def test_thread_count_follows_physical_scale():
    assert FabricSpec(threads_per_cm=12, tile_cm=4).threads == 48
    assert FabricSpec(threads_per_cm=10, tile_cm=1).threads % 8 == 0


def test_drafts():
    plain = draft("cotton", 8)
    assert plain.mean() == 0.5 and (plain != np.roll(plain, 1, 0)).all()
    assert draft("denim", 8).mean() == 0.75  # 3/1 twill is warp-faced


@pytest.mark.parametrize("kwargs, match", [({"kind": "chainmail"}, "unknown fabric kind"),
                                           ({"size": 100}, "multiple of 8")])
def test_bad_specs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        synthesize(FabricSpec(**kwargs))


@pytest.mark.parametrize("text", ["#12345", "blue", "#12345g"])
def test_malformed_colour(text):
    with pytest.raises(ValueError, match="malformed colour"):
        hex_to_rgb(text)
