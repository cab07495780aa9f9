"""Procedural fabric synthesiser on the engine's structure: every kind tileable, deterministic, in range."""

import numpy as np
import pytest

from inference import color
from models.fabric.evaluate import equal_phase_seam
from models.fabric.synth import KINDS, FabricSpec, contact_sheet, synthesize


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_exactly_periodic_deterministic_and_in_range(kind):
    # plaid: one repeat is 108 threads, 2 px each (threads on whole pixels, like every other kind here)
    spec = FabricSpec(kind=kind, size=216 if kind == "plaid" else 96, seed=5)
    maps = synthesize(spec)
    again = synthesize(spec)
    for name in ("albedo", "height", "roughness"):
        img = maps[name]
        np.testing.assert_array_equal(img, again[name])
        assert img.shape[:2] == (spec.size, spec.size) and img.min() >= 0 and img.max() <= 1, name
    assert maps["height"].std() > 0.05  # real relief, not a flat map
    # Periodic: the wrap seam is a step like those inside the tile (per-yarn randomness scatters single steps).
    for name in ("albedo", "height", "roughness"):
        assert equal_phase_seam(maps[name], 1, 1, np.max) < 1.5, name


def test_seeds_differ_and_kinds_differ():
    a = synthesize(FabricSpec(kind="denim", size=64, seed=1))["height"]
    b = synthesize(FabricSpec(kind="denim", size=64, seed=2))["height"]
    c = synthesize(FabricSpec(kind="satin", size=64, seed=1))["height"]
    assert np.abs(a - b).mean() > 0.005 and np.abs(a - c).mean() > 0.05


def test_denim_is_indigo_warp_on_white_weft_and_each_yarn_keeps_its_colour():
    m = synthesize(FabricSpec(kind="denim", color=color.parse_color("#2b4a6f"), size=128))
    alb, yarn = m["albedo"], m["yarn"]
    assert alb[..., 2].mean() > alb[..., 0].mean()  # blue-dominant face
    assert 0.15 < (yarn == 1).mean() < 0.4  # the ecru weft shows at a 3/1 twill's crossings
    lin = color.srgb_to_linear(alb)
    for k, want in enumerate(m["palette_srgb"]):
        got = color.linear_to_srgb(lin[yarn == k].mean(0))
        assert color.ciede2000(color.srgb_to_lab(got), color.srgb_to_lab(want)) < 1.5


def test_a_window_is_the_tile_at_that_place():
    spec = FabricSpec(kind="gingham", size=128, seed=2)
    whole = synthesize(spec)
    part = synthesize(spec, (32, 64, 48, 48))
    np.testing.assert_array_equal(part["structure"], whole["structure"][:, 32:80, 64:112])


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown fabric kind"):
        synthesize(FabricSpec(kind="chainmail"))


def test_a_crop_is_not_seamless():
    spec = FabricSpec(kind="velvet", size=128, seed=1)
    crop = synthesize(spec)["height"][:, 10:90]  # not a whole tile: the seam jumps
    assert equal_phase_seam(crop, 1, 1) > 1.5


def test_contact_sheet(tmp_path):
    path = contact_sheet(tmp_path / "sheet.png", size=128, crop=32)
    assert path.stat().st_size > 1000
