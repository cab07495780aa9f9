"""Fabric engine on the shipped ONNX generator: tileability at several sizes, exact windowed
generation, determinism, swatch handling and every bad input."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from inference import artifacts, texture_metrics
from inference.color import parse_color
from inference.fabric import FabricInputError, FabricModel, noise_rows
from inference.onnx_model import ModelError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model():
    return FabricModel.load()


@pytest.mark.parametrize("size", [64, 192, 256])
def test_maps_are_tileable_at_several_sizes(model, size):
    maps = model.generate("denim", "#2b4a6f", 12, size, seed=1)
    assert maps.albedo.shape == (size, size, 3) and maps.height.shape == maps.roughness.shape == (size, size)
    assert maps.normal.shape == (size, size, 3)
    for img in (maps.albedo, maps.height, maps.roughness):
        assert img.min() >= 0 and img.max() <= 1 and np.isfinite(img).all()
        # The wrap seam is an ordinary step between neighbouring pixels, not a cut.
        for a in (img, np.swapaxes(img, 0, 1)):
            seam = np.abs(a[:, 0] - a[:, -1]).mean()
            assert seam < 1.3 * np.abs(np.diff(a, axis=1)).mean()
    np.testing.assert_allclose(np.linalg.norm(maps.normal, axis=2), 1, atol=1e-5)
    assert texture_metrics.max_seam_ratio(maps.height) < 2.0  # DESIGN's SGR, reported per model by evaluation


def test_generator_is_exactly_periodic(model):
    """Rolling the noise and phase channels by a multiple of the stride rolls the output: the torus has no edge."""
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((1, model.noise_ch, 64, 64)).astype(np.float32)
    per = rng.standard_normal((1, 8, 64, 64)).astype(np.float32)
    style = model.style("denim", "#2b4a6f", 12, None)[None]
    run = model.generator.run
    a = run(None, {"noise": noise, "periodic": per, "style": style})[0]
    b = run(None, {"noise": np.roll(noise, (12, 20), (2, 3)), "periodic": np.roll(per, (12, 20), (2, 3)),
                   "style": style})[0]
    np.testing.assert_allclose(np.roll(a, (12, 20), (2, 3)), b, atol=1e-5)


def test_windowed_generation_equals_a_single_pass(model):
    whole = model.generate("jersey", "#aa3344", 10, 256, seed=4, window=1024)
    tiled = model.generate("jersey", "#aa3344", 10, 256, seed=4, window=64)
    assert tiled.info["windows"] == 16 and whole.info["windows"] == 1
    np.testing.assert_allclose(tiled.albedo, whole.albedo, atol=1e-5)
    np.testing.assert_allclose(tiled.height, whole.height, atol=1e-5)


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


def test_info_reports_provider_and_time(model):
    info = model.generate("velvet", (0.5, 0.1, 0.2), 12, 64).info
    assert info["provider"] == "CPUExecutionProvider" and info["seconds"] > 0


@pytest.mark.parametrize("kwargs, match", [
    ({"kind": "chainmail"}, "unknown fabric kind"),
    ({"color": "#12zz45"}, "malformed colour"),
    ({"color": (2.0, 0.0, 0.0)}, "malformed colour"),
    ({"size": 130}, "multiple of 4"),
    ({"size": 100000}, "larger than"),
    ({"threads_per_cm": 500}, "outside the trained range"),
    ({"roughness": 1.5}, "within 0..1"),
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
    card["files"]["generator"]["inputs"].pop("periodic")
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


def test_swatch_variations_are_tileable_and_differ(model):
    photo = model.generate("denim", "#2b4a6f", 12, 96, seed=5).albedo  # any RGB image works as a photo
    vs = model.variations(photo, 2, size=64, seed=1)
    assert len(vs) == 2 and np.abs(vs[0].height - vs[1].height).mean() > 1e-5
    for v in vs:
        assert v.albedo.shape == (64, 64, 3) and v.info["kind"] in model.kinds


def test_unusable_swatch_is_refused(model):
    with pytest.raises(FabricInputError, match="at least 32"):
        model.variations(np.zeros((8, 8, 3)), 1)


def test_model_without_encoder_says_how_to_get_one(tmp_path):
    folder = _copy(tmp_path)
    card = json.loads((folder / "fabric_model.json").read_text())
    card["files"].pop("encoder", None)
    (folder / "fabric_model.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="no swatch encoder"):
        FabricModel.load(folder).variations(np.zeros((64, 64, 3)), 1)
