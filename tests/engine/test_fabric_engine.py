"""Fabric engine on the shipped ONNX model: exact periodicity at several sizes, exact windowed generation,
weave requests (drafts, colour sequences), determinism and every bad input (swatches: test_swatch_reader.py)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from inference import artifacts, color
from inference.color import parse_color
from inference.fabric import FabricInputError, FabricModel, noise_rows
from inference.onnx_model import ModelError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model():
    return FabricModel.load()


@pytest.mark.parametrize("size", [64, 192, 256])
def test_maps_are_exactly_periodic_at_several_sizes(model, size):
    maps = model.generate("denim", "#2b4a6f", 12, size, seed=1)
    assert maps.albedo.shape == (size, size, 3) and maps.height.shape == maps.roughness.shape == (size, size)
    assert maps.normal.shape == (size, size, 3)
    for img in (maps.albedo, maps.height, maps.roughness):
        assert img.min() >= 0 and img.max() <= 1 and np.isfinite(img).all()
    np.testing.assert_allclose(np.linalg.norm(maps.normal, axis=2), 1, atol=1e-5)
    # The graph for a window that starts anywhere on the tile is the tile's output rolled: no edge anywhere.
    st = model.structure("denim", "#2b4a6f", 12, size, 1)
    m = model.margin
    style = model.style("denim", None, st.px_per_thread)[None]

    def window(dy, dx):
        ch, _ = st.render(dy - m, dx - m, size + 2 * m, size + 2 * m)
        nz = noise_rows(1, model.noise_ch, size, dy - m, size + 2 * m)[:, :, (dx - m + np.arange(size + 2 * m)) % size]
        return model.generator.run(None, {"structure": ch[None], "noise": nz[None], "style": style})[0][
            :, :, m:-m, m:-m]

    np.testing.assert_allclose(np.roll(window(0, 0), (-12, -20), (2, 3)), window(12, 20), atol=1e-5)


def test_windowed_generation_equals_a_single_pass(model):
    whole = model.generate("jersey", "#aa3344", 10, 256, seed=4, window=1024)
    tiled = model.generate("jersey", "#aa3344", 10, 256, seed=4, window=64)
    assert tiled.info["windows"] == 16 and whole.info["windows"] == 1
    np.testing.assert_allclose(tiled.albedo, whole.albedo, atol=1e-5)
    np.testing.assert_allclose(tiled.height, whole.height, atol=1e-5)
    np.testing.assert_allclose(tiled.normal, whole.normal, atol=1e-5)


def test_every_yarn_keeps_its_colour(model):
    maps = model.generate("gingham", "#2b6f4a", 14, 256, seed=2)
    lin = color.srgb_to_linear(maps.albedo)
    assert len(maps.info["palette"]) == 4  # warp main + white, weft main + white
    for k, want in enumerate(maps.info["palette"]):
        got = color.linear_to_srgb(lin[maps.yarn == k].mean(0))
        assert color.ciede2000(color.srgb_to_lab(got), color.srgb_to_lab(want)) < 2.0, k


def test_a_users_draft_and_colour_sequences_are_woven(model):
    maps = model.generate("cotton", "#ffffff", 12, 128, draft="##../.##./..##/#..#", warp="navy 0.4, white 0.4",
                          weft="white")
    info = maps.info
    assert info["draft"] == "##..\n.##.\n..##\n#..#" and len(info["palette"]) == 3
    assert info["repeat"] % 4 == 0 and info["threads"] % info["repeat"] == 0
    navy = maps.yarn == 0
    assert 0.2 < navy.mean() < 0.5  # navy ends, half the warp, shown at the 2/2 twill's warp floats


def test_density_sets_the_physical_scale(model):
    a, b = (model.generate("cotton", "#808080", t, 256).info for t in (10, 20))
    assert a["threads_per_cm"] == 10 and b["threads_per_cm"] == 20
    assert abs(a["threads"] / a["tile_cm"] - 10) < 1e-9 and b["tile_cm"] < a["tile_cm"]
    assert 4 <= a["px_per_thread"] <= 8 and 4 <= b["px_per_thread"] <= 8
    assert model.generate("silk", "#808080", None, 256).info["threads_per_cm"] == 36  # the kind's own density


def test_noise_rows_are_the_same_whichever_window_asks():
    full = noise_rows(5, 4, 64, 0, 64)
    assert full.shape == (4, 64, 64) and full.dtype == np.float32
    np.testing.assert_array_equal(noise_rows(5, 4, 64, 40, 10), full[:, 40:50])
    np.testing.assert_array_equal(noise_rows(5, 4, 64, -8, 16), np.concatenate([full[:, 56:], full[:, :8]], 1))
    assert abs(full.mean()) < 0.05 and abs(full.var() - 1) < 0.05  # uniform with unit variance
    assert np.abs(full - noise_rows(6, 4, 64, 0, 64)).mean() > 0.5


def test_same_seed_same_maps_other_seed_other_maps(model):
    a = model.generate("cotton", "#808080", 12, 128, seed=7)
    b = model.generate("cotton", "#808080", 12, 128, seed=7)
    c = model.generate("cotton", "#808080", 12, 128, seed=8)
    np.testing.assert_array_equal(a.height, b.height)
    assert np.abs(a.height - c.height).mean() > 1e-4


def test_progress_reports_every_window_and_can_cancel(model):
    seen = []
    model.generate("cotton", "#808080", 12, 128, window=64, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]

    def cancel(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.generate("cotton", "#808080", 12, 128, window=64, progress=cancel)


def test_info_reports_provider_time_and_scale(model):
    info = model.generate("velvet", (0.5, 0.1, 0.2), 12, 64).info
    assert info["provider"] == "CPUExecutionProvider" and info["seconds"] > 0 and info["tile_cm"] > 0


@pytest.mark.parametrize("kwargs, match", [
    ({"kind": "chainmail"}, "unknown fabric kind"),
    ({"color": "#12zz45"}, "malformed colour"),
    ({"color": (2.0, 0.0, 0.0)}, "malformed colour"),
    ({"size": 130}, "multiple of 4"),
    ({"size": 100000}, "larger than"),
    ({"threads_per_cm": 500}, "outside what this model makes"),
    ({"threads_per_cm": 0}, "outside what this model makes"),
    ({"threads_per_cm": float("nan")}, "outside what this model makes"),
    ({"roughness": 1.5}, "within 0..1"),
    ({"draft": "##./.#"}, "not rectangular"),
    ({"draft": "##/##"}, "no interlacing"),
    ({"kind": "jersey", "draft": "plain"}, "not a weave"),
    ({"warp": ""}, "empty"),
    ({"warp": "#ff0000 0"}, "not usable"),
    ({"weft": "teal 1"}, "malformed colour"),
    ({"warp": "red 20, white 20"}, "more than the 64 px tile"),
])
def test_bad_requests(model, kwargs, match):
    args = {"kind": "cotton", "color": "#808080", "threads_per_cm": 12, "size": 64} | kwargs
    with pytest.raises(FabricInputError, match=match):
        model.generate(**args)


def test_parse_color():
    assert parse_color("#ff8000") == (1.0, 128 / 255, 0.0)


def _copy(tmp_path) -> Path:
    for name in ("fabric_model.json", "fabric_generator.onnx"):
        shutil.copy(artifacts.find(name), tmp_path / name)
    return tmp_path


def test_corrupt_generator_is_detected(tmp_path):
    folder = _copy(tmp_path)
    data = bytearray((folder / "fabric_generator.onnx").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "fabric_generator.onnx").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match its card"):
        FabricModel.load(folder).generate("cotton", "#808080", 12, 64)


def test_mismatched_signature_is_detected(tmp_path):
    folder = _copy(tmp_path)
    card = json.loads((folder / "fabric_model.json").read_text())
    card["files"]["generator"]["inputs"].pop("noise")
    (folder / "fabric_model.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="different versions"):
        FabricModel.load(folder).generate("cotton", "#808080", 12, 64)


def test_missing_generator_names_the_fix(tmp_path):
    folder = _copy(tmp_path)
    (folder / "fabric_generator.onnx").unlink()
    with pytest.raises(ModelError, match="missing"):
        FabricModel.load(folder).generate("cotton", "#808080", 12, 64)


def test_cli_writes_the_four_maps_and_json(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "inference", "fabric", "--kind", "denim", "--color", "#2b4a6f",
                           "--threads-per-cm", "12", "--size", "128", "--seed", "3", "--out", str(tmp_path / "denim")],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    from PIL import Image

    names = {p.name for p in (tmp_path / "denim").iterdir()}
    assert names == {"albedo.png", "normal.png", "roughness.png", "height.png", "maps.json"}
    assert Image.open(tmp_path / "denim" / "height.png").mode.startswith("I")  # 16-bit
    meta = json.loads((tmp_path / "denim" / "maps.json").read_text())
    assert meta["seed"] == 3 and meta["provider"] and meta["seconds"] > 0


def test_cli_refuses_bad_input_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "inference", "fabric", "--kind", "tinfoil", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown fabric kind" in proc.stderr and "Traceback" not in proc.stderr


def test_card_of_the_previous_engine_is_refused_with_the_fix(tmp_path):
    folder = _copy(tmp_path)
    card = json.loads((folder / "fabric_model.json").read_text())
    card.pop("format")
    (folder / "fabric_model.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="another fabric engine.*re-export"):
        FabricModel.load(folder)
