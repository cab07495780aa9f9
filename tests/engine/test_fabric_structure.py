"""The exact fabric structure: weave drafts, yarn colour sequences in cm, periodic windows, filtering, shading."""

import numpy as np
import pytest

from inference import color
from inference.fabric_kinds import PRESETS
from inference.fabric_structure import CHANNELS, Structure, StructureError
from inference.vocabulary import FABRIC_KIND_IDS
from inference.weave_draft import DRAFTS, Draft, DraftError, as_draft, floats, satin, twill
from inference.yarn_colors import ColorSequence, ColorSequenceError
from inference.yarn_shading import shade, yarn_gains


# -- drafts -------------------------------------------------------------------------------------------
def test_presets_are_real_weaves():
    assert DRAFTS["plain"].up.mean() == 0.5 and DRAFTS["twill_3_1"].up.mean() == 0.75
    assert DRAFTS["basket"].up[:2, :2].all()  # 2x2 blocks
    for name in ("satin_5", "satin_8"):  # one interlacing per end and per pick, never two neighbours
        up = DRAFTS[name].up
        assert (up.sum(0) == len(up) - 1).all() and (up.sum(1) == len(up) - 1).all()
    assert floats(DRAFTS["satin_8"].up, 0)[0].max() == 7  # the long warp floats of a charmeuse
    # Twill: each pick shifts the interlacing by one end (the diagonal).
    t = DRAFTS["twill_2_1"].up
    assert all((np.roll(t[j], 1) == t[j + 1]).all() for j in range(len(t) - 1))
    hb = DRAFTS["herringbone"].up  # the twill turns back after 4 ends: mirrored halves
    assert (hb[:, 1:4] == hb[:, 7:4:-1]).all()


def test_loom_draft_drawdown_and_text_rows():
    loom = Draft.from_loom([1, 2, 3, 4], [[1, 2], [2, 3], [3, 4], [4, 1]], [1, 2, 3, 4])
    assert loom.text() == "##..\n.##.\n..##\n#..#"
    assert (as_draft("##../.##./..##/#..#").up == loom.up).all()
    assert (as_draft(loom.up).up == loom.up).all() and as_draft("twill_2_2") is DRAFTS["twill_2_2"]
    assert twill(3, 1).repeat == 4 and satin(5, 2).repeat == 5


@pytest.mark.parametrize("text, match", [
    ("", "empty"), ("##./.#", "not rectangular"), ("#x?/.#.", "use '#'"), ("##/##", "no interlacing"),
    ("#./#.", "never interlaces"), ("a_twill", "unknown weave draft"),
])
def test_bad_drafts_name_the_fix(text, match):
    with pytest.raises(DraftError, match=match):
        as_draft(text)


def test_bad_loom_drafts():
    with pytest.raises(DraftError, match="treadling uses treadle 3"):
        Draft.from_loom([1, 2], [[1], [2]], [1, 3])
    with pytest.raises(DraftError, match="larger than"):
        Draft(np.eye(65, dtype=bool) | np.roll(np.eye(65, dtype=bool), 1, 1))


# -- colour sequences -----------------------------------------------------------------------------------
def test_colour_sequences_are_in_centimetres():
    seq = ColorSequence.parse("#2b4a6f 0.6, white 0.6")
    assert seq.threads(10).tolist() == [6, 6] and seq.threads(20).tolist() == [12, 12]
    assert seq.yarn_index(14, 10).tolist() == [0] * 6 + [1] * 6 + [0, 0]
    assert seq.threads(10, align=4).tolist() == [8, 8]  # houndstooth: whole twill repeats
    assert ColorSequence.parse("navy").repeat(12) == 1
    assert ColorSequence.parse([("#ff0000", 0.2), "white"]).steps[1][1] == 1.0
    assert ColorSequence.parse((0.1, 0.2, 0.3)).colors.shape == (1, 3)


@pytest.mark.parametrize("value, match", [("", "empty"), ("#ff0000 0", "not usable"), ("#ff0000 -1", "not usable"),
                                          ("#12zz45 0.5", "malformed colour"), ("white nan", "not usable")])
def test_bad_colour_sequences(value, match):
    with pytest.raises(ColorSequenceError, match=match):
        ColorSequence.parse(value)


def test_stripes_keep_their_width_in_cm_whatever_the_tile_size():
    widths = []
    for size in (256, 512, 1024):
        s = Structure.build("gingham", "#aa2233", 14, size)
        row = s.warp_yarn  # the ends' colours across the tile
        changes = np.flatnonzero(np.diff(row) != 0)
        widths.append(np.diff(changes).mean() / s.threads_per_cm)
    np.testing.assert_allclose(widths, 0.3, atol=0.04)


# -- structure --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", FABRIC_KIND_IDS)
def test_every_kind_tiles_exactly_and_any_window_is_the_same_tile(kind):
    s = Structure.build(kind, "#2b4a6f", None, 128, seed=3)
    whole, yarn = s.render(0, 0, 128, 128)
    assert whole.shape == (len(CHANNELS), 128, 128) and np.isfinite(whole).all()
    shifted, yarn2 = s.render(40, -76, 128, 128)  # a window starting anywhere is the tile, rolled
    np.testing.assert_array_equal(shifted, np.roll(whole, (-40, 76), (1, 2)))
    np.testing.assert_array_equal(yarn2, np.roll(yarn, (-40, 76), (0, 1)))
    part, _ = s.render(100, 20, 60, 30)  # wrapping across the bottom edge
    np.testing.assert_array_equal(part, np.roll(whole, -100, 1)[:, :60, 20:50])
    assert s.threads % (s.draft.repeat if s.draft else 1) == 0


def test_woven_top_yarn_follows_the_draft():
    s = Structure.build("denim", "#2b4a6f", 12, 256, draft="twill_3_1")
    ch, _ = s.render(0, 0, 256, 256)
    p = s.px_per_thread
    centres = ((np.arange(s.threads) + 0.5) * p).astype(int)
    top = ch[0][np.ix_(centres, centres)] > 0.5  # warp seen at each crossing's centre
    expect = np.tile(DRAFTS["twill_3_1"].up, (s.threads // 4, s.threads // 4))
    assert (top == expect).mean() > 0.97


def test_kinds_differ_in_structure():
    tops = {k: Structure.build(k, "#808080", 12, 128).render(0, 0, 128, 128)[0][4] for k in FABRIC_KIND_IDS}
    for a in FABRIC_KIND_IDS:
        for b in FABRIC_KIND_IDS:
            if a < b and PRESETS[a].draft != PRESETS[b].draft or PRESETS[a].family != PRESETS[b].family:
                assert np.abs(tops[a] - tops[b]).mean() > 0.01, (a, b)


def test_threads_get_at_least_four_pixels_or_are_filtered():
    s = Structure.build("cotton", "#808080", 14, 1024)
    assert 4 <= s.px_per_thread <= 8 and s.supersample == 1
    fine = Structure.build("plaid", "#808080", 40, 256)  # one repeat needs more threads than 4 px each allow
    assert fine.px_per_thread < 4 and fine.supersample > 1
    ch, yarn = fine.render(0, 0, 256, 256)
    assert yarn.shape == (256, 256, fine.supersample ** 2)
    # Filtered, not aliased: no strong low-frequency beat in the top-yarn channel (a moire would be one).
    spec = np.abs(np.fft.fft2(ch[0] - ch[0].mean())) ** 2
    low = spec[:6, :6].sum() + spec[-5:, :6].sum()
    assert low / spec.sum() < 0.2


@pytest.mark.parametrize("kwargs, match", [
    ({"threads_per_cm": 0}, "not a fabric density"), ({"threads_per_cm": -3}, "not a fabric density"),
    ({"threads_per_cm": float("nan")}, "not a fabric density"), ({"threads_per_cm": 500}, "not a fabric density"),
    ({"kind": "chainmail"}, "unknown fabric kind"), ({"kind": "jersey", "draft": "plain"}, "not a weave"),
    ({"warp": "red 30, white 30"}, "more than the"), ({"color": "#12zz45"}, "malformed colour"),
])
def test_bad_structure_requests(kwargs, match):
    args = {"kind": "cotton", "color": "#808080", "threads_per_cm": 12, "size": 64} | kwargs
    with pytest.raises((StructureError, ValueError), match=match):
        Structure.build(**args)


# -- shading -----------------------------------------------------------------------------------------------
def test_each_yarn_averages_to_its_colour():
    s = Structure.build("gingham", "#2b6f4a", 14, 256)
    ch, yarn = s.render(0, 0, 256, 256)
    tone = (0.4 + ch[4] + 0.2 * np.random.default_rng(0).standard_normal(ch[4].shape)).clip(0.05).astype(np.float32)
    albedo = shade(s.palette, tone, yarn, yarn_gains(tone, yarn, s.palette))
    lin = color.srgb_to_linear(albedo)
    for k, want in enumerate(s.palette_srgb):
        got = color.linear_to_srgb(lin[yarn == k].mean(0))
        assert color.ciede2000(color.srgb_to_lab(got), color.srgb_to_lab(want)) < 1.5, k
    assert albedo[yarn == 0].std() > 0.02  # the tone's shading is kept


WIF = """[WIF]
Version=1.1
[CONTENTS]
THREADING=yes
TIEUP=yes
TREADLING=yes
[THREADING]
1=1
2=2
3=3
4=4
[TIEUP]
1=1,2
2=2,3
3=3,4
4=4,1
[TREADLING]
1=1
2=2
3=3
4=4
"""


def test_a_wif_file_is_a_draft(tmp_path):
    path = tmp_path / "twill.wif"
    path.write_text(WIF)
    assert (as_draft(str(path)).up == DRAFTS["twill_2_2"].up).all()
    lift = tmp_path / "lift.wif"
    lift.write_text("[THREADING]\n1=1\n2=2\n[LIFTPLAN]\n1=1\n2=2\n")
    assert as_draft(str(lift)).text() == "#.\n.#"
    bad = tmp_path / "bad.wif"
    bad.write_text("[THREADING]\n1=1\n")
    with pytest.raises(DraftError, match="TIEUP"):
        as_draft(str(bad))
    with pytest.raises(DraftError, match="cannot read"):
        as_draft(str(tmp_path / "missing.wif"))


@pytest.mark.parametrize("kind", ["denim", "plaid", "rib", "leather"])
def test_two_band_rendering_is_the_one_piece_rendering(kind, monkeypatch):
    from inference import parallel

    s = Structure.build(kind, "#2b4a6f", None, 256, seed=2)
    monkeypatch.setattr(parallel, "MIN_PX", 1)
    banded = s.render(-32, 16, 320, 200)
    monkeypatch.setattr(parallel, "MIN_PX", 1 << 40)
    whole = s.render(-32, 16, 320, 200)
    np.testing.assert_array_equal(banded[0], whole[0])
    np.testing.assert_array_equal(banded[1], whole[1])


def test_two_band_shading_is_the_one_piece_shading(monkeypatch):
    from inference import parallel

    s = Structure.build("gingham", "#2b6f4a", 14, 512)
    ch, yarn = s.render(0, 0, 512, 512)
    tone = (0.5 + ch[4]).astype(np.float32)
    gains = yarn_gains(tone, yarn, s.palette)
    monkeypatch.setattr(parallel, "MIN_PX", 1)
    banded = shade(s.palette, tone, yarn, gains)
    monkeypatch.setattr(parallel, "MIN_PX", 1 << 40)
    np.testing.assert_array_equal(banded, shade(s.palette, tone, yarn, gains))
