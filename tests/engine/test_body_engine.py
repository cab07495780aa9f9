"""The body engine on the shipped ONNX model: sliders, refinement, sampling, scans, bad input."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import trimesh

from inference import artifacts, mesh
from inference.body import SLIDERS, BodyInputError, BodyModel
from inference.measure import TopologyError
from inference.onnx_model import ModelError

ROOT = Path(__file__).resolve().parents[2]
REQUEST = {"stature": 165.0, "chest": 88.0, "waist": 72.0, "hips": 98.0}


@pytest.fixture(scope="module")
def model():
    return BodyModel.load()


@pytest.fixture(scope="module")
def tris():
    return mesh.load_template("body").triangles()


def test_decoder_outputs_template_bodies(model):
    cond, _ = model.complete(REQUEST, "female")
    v = model.decode(np.repeat(cond[None], 3, 0), np.zeros((3, model.latent)))
    assert v.shape == (3, 13380, 3) and v.dtype == np.float32 and np.isfinite(v).all()
    assert 1.4 < np.ptp(v[0, :, 2]) < 1.9


@pytest.mark.parametrize("sex, req", [("female", REQUEST),
                                      ("male", {"stature": 182, "chest": 104, "waist": 90, "hips": 102,
                                                "inseam": 85, "weight": 84})])
def test_refinement_meets_requested_measurements(model, sex, req):
    res = model.body(req, sex)
    assert not res.warnings
    for name, value in req.items():
        tol = 0.6 if name != "weight" else 1.5  # cm (kg)
        assert abs(res.achieved[name] - value) < tol, (name, res.achieved[name], value)


def test_unrefined_decoder_is_close_already(model):
    res = model.body(REQUEST, "female", refine=False)
    assert abs(res.achieved["stature"] - 165) < 4 and abs(res.achieved["waist"] - 72) < 6


def test_style_changes_shape_not_requested_measurements(model):
    a = model.body(REQUEST, "female", style=[0, 0])
    b = model.body(REQUEST, "female", style=[2.0, -1.5])
    assert np.abs(a.vertices - b.vertices).max() > 0.005
    for name in REQUEST:
        assert abs(a.achieved[name] - b.achieved[name]) < 1.2


def test_a_request_outside_the_population_is_honoured_with_a_warning(model):
    lo, hi = model.ranges["male"]["stature"]
    res = model.body({"stature": hi + 5}, "male")
    assert any("height" in w and "outside the range of real male bodies" in w for w in res.warnings)
    assert res.requested["stature"] == hi + 5 and res.achieved["stature"] == pytest.approx(hi + 5, abs=0.1)


def test_a_request_no_human_has_is_refused_naming_the_unit(model):
    with pytest.raises(BodyInputError, match=r"height 300 cm is not a human male measurement.*unit"):
        model.body({"stature": 300}, "male")


def test_unusual_combination_is_made_as_asked_with_a_warning(model):
    res = model.body({"waist": 130, "hips": 80}, "female", refine=False)
    assert any("unusual" in w for w in res.warnings)
    assert res.condition[2] == pytest.approx(130) and res.condition[3] == pytest.approx(80)
    assert np.isfinite(res.vertices).all()


def test_every_body_stands_on_the_floor(model):
    bodies = model.random(20, "female", seed=5) + model.random(20, "male", seed=6)
    lows = [b.vertices[:, 2].min() for b in bodies]
    assert np.abs(lows).max() < 1e-6  # metres: the lowest point is z = 0
    exact = model.body({"stature": 190, "weight": 110}, "male")
    assert abs(exact.vertices[:, 2].min()) < 1e-6


def test_the_default_woman_drags_to_175_cm_by_height_alone(model):
    values = dict(zip(SLIDERS, model.stats["female"]["mean"].tolist(), strict=True))
    start = dict(values)
    for h in np.linspace(values["stature"], 175.0, 8)[1:]:  # a drag: several small moves
        previous, values["stature"] = values["stature"], float(h)
        values = model.follow(values, "female", "stature", previous)
    assert values["stature"] == 175.0
    assert values["inseam"] > start["inseam"] + 3 and values["weight"] > start["weight"]  # taller: longer legs
    res = model.body(values, "female")
    assert not res.warnings and abs(res.achieved["stature"] - 175.0) < 0.1


def test_locked_measurements_stay_and_a_drag_is_path_independent(model):
    values = dict(zip(SLIDERS, model.stats["male"]["mean"].tolist(), strict=True))
    one = model.follow({**values, "stature": 190.0}, "male", "stature", values["stature"], locked=["waist"])
    assert one["waist"] == values["waist"] and one["stature"] == 190.0
    half = model.follow({**values, "stature": 182.0}, "male", "stature", values["stature"], locked=["waist"])
    two = model.follow({**half, "stature": 190.0}, "male", "stature", 182.0, locked=["waist"])
    assert all(abs(one[n] - two[n]) < 1e-9 for n in SLIDERS)


def test_follow_needs_every_value_and_a_known_slider(model):
    with pytest.raises(BodyInputError, match="missing"):
        model.follow({"stature": 170.0}, "female", "stature", 165.0)
    values = dict(zip(SLIDERS, model.stats["female"]["mean"].tolist(), strict=True))
    with pytest.raises(BodyInputError, match="unknown measurement"):
        model.follow(values, "female", "shoe", 40.0)


def test_an_exact_body_the_model_cannot_make_says_so(model):
    res = model.body({"chest": 150.0, "waist": 58.0, "hips": 72.0, "weight": 40.0}, "female")
    assert any("could only be met" in w for w in res.warnings)


@pytest.mark.parametrize("req, sex, match", [({"stature": float("nan")}, "female", "not a number"),
                                              ({"shoe": 42}, "female", "unknown measurement"),
                                              ({"stature": 170}, "robot", "unknown sex")])
def test_bad_requests_are_refused(model, req, sex, match):
    with pytest.raises(BodyInputError, match=match):
        model.body(req, sex)


def test_random_bodies_are_plausible_and_deterministic(model):
    a = model.random(4, "female", seed=3, refine=True)
    b = model.random(4, "female", seed=3)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x.vertices, y.vertices)
        lo, hi = model.ranges["female"]["stature"]
        assert lo - 3 <= x.achieved["stature"] <= hi + 3
    assert np.abs(a[0].vertices - a[1].vertices).max() > 0.01


def test_interpolation_hits_endpoints_and_is_smooth(model):
    a, b = model.random(1, "female", seed=1)[0], model.random(1, "male", seed=2)[0]
    np.testing.assert_allclose(model.interpolate(a, b, 0), a.vertices, atol=1e-6)
    np.testing.assert_allclose(model.interpolate(a, b, 1), b.vertices, atol=1e-6)
    vs = np.stack([model.interpolate(a, b, t) for t in np.linspace(0, 1, 11)])
    step = np.linalg.norm(np.diff(vs, axis=0), axis=2).max()
    second = np.linalg.norm(vs[2:] - 2 * vs[1:-1] + vs[:-2], axis=2).max()
    assert second < 0.5 * step


def test_encode_round_trip(model):
    res = model.body(REQUEST, "female", style=[1.0, -0.5], refine=False)
    enc = model.encode(res.vertices, "female")
    again = model.decode(enc.condition, enc.style)[0]
    assert np.linalg.norm(again - res.vertices, axis=1).mean() < 0.006  # < 6 mm mean


def test_encode_wrong_topology_suggests_binding(model):
    with pytest.raises(TopologyError, match="bind"):
        model.encode(np.zeros((500, 3)))


def test_fit_scan_of_a_remeshed_noisy_body(model, tris):
    truth = model.body({"stature": 176, "chest": 100, "waist": 86, "hips": 101}, "male").vertices
    v, f = trimesh.remesh.subdivide_to_size(truth, tris, max_edge=0.015)
    pts = trimesh.sample.sample_surface(trimesh.Trimesh(v, f, process=False), 15000, seed=0)[0]
    pts = pts + np.random.default_rng(0).normal(0, 0.002, pts.shape) + [0.3, -0.2, 0.0]
    fit = model.fit_scan(pts)
    assert fit.result.sex == "male" and fit.residual_mm < 8
    err = np.linalg.norm(fit.result.vertices + fit.translation - (truth + [0.3, -0.2, 0.0]), axis=1).mean()
    assert err < 0.015  # 15 mm mean vertex error from a topology-free, noisy scan


def _box_points(extents, lift=0.0):
    return trimesh.sample.sample_surface(trimesh.creation.box(extents), 3000, seed=0)[0] + [0, 0, lift]


@pytest.mark.parametrize("points, match", [
    (np.zeros((0, 3)), "at least 100"),
    (np.full((500, 3), np.nan), "NaN"),
    (_box_points([2.0, 2.0, 5.0]), "tall"),
    (_box_points([0.8, 0.8, 1.7], 0.85), "far from any body"),  # human-sized, but a box
])
def test_bad_scans_give_clear_errors(model, points, match):
    with pytest.raises(BodyInputError, match=match):
        model.fit_scan(points)


def _copy_model(tmp_path) -> Path:
    for name in ("body_model.json", "body_decoder.onnx", "body_encoder.onnx", "template_avatar.npz",
                 "template_avatar.json"):
        shutil.copy(artifacts.find(name), tmp_path / name)
    return tmp_path


def test_corrupt_model_file_is_detected(tmp_path):
    folder = _copy_model(tmp_path)
    (folder / "body_decoder.onnx").write_bytes(b"not a model")
    m = BodyModel.load(user_dir=folder)
    with pytest.raises(ModelError, match="does not match its card"):
        m.decode(np.zeros(7), np.zeros(m.latent))


def test_signature_mismatch_is_detected(tmp_path):
    folder = _copy_model(tmp_path)
    card = json.loads((folder / "body_model.json").read_text())
    card["files"]["decoder"]["inputs"]["extra"] = ["n", 1]
    (folder / "body_model.json").write_text(json.dumps(card))
    m = BodyModel.load(user_dir=folder)
    with pytest.raises(ModelError, match="different versions"):
        m.decode(np.zeros(7), np.zeros(m.latent))


def test_missing_model_file_names_the_fix(tmp_path):
    folder = _copy_model(tmp_path)
    (folder / "body_encoder.onnx").unlink()
    m = BodyModel.load(user_dir=folder)
    with pytest.raises(ModelError, match="missing"):
        m.encode(m.body(REQUEST, "female", refine=False).vertices)


def test_card_records_training_and_metrics():
    card = json.loads(artifacts.find("body_model.json").read_text())
    for key in ("command", "data", "steps", "wall_seconds"):
        assert card["training"][key], key
    assert card["parity_max_abs"]["decoder"] <= 1e-4 and card["parity_max_abs"]["encoder"] <= 1e-4
    assert card["condition_names"][: len(SLIDERS)] == list(SLIDERS)
    assert "measurement_mae_mm" in card["metrics"]


def test_cli_writes_a_body_and_prints_the_table(tmp_path):
    out = tmp_path / "body.obj"
    proc = subprocess.run(
        [sys.executable, "-m", "inference", "body", "--sex", "female", "--height", "165", "--chest", "88",
         "--waist", "70", "--hips", "96", "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "| stature | 165.0 |" in proc.stdout and str(out) in proc.stdout
    verts = [ln for ln in out.read_text().splitlines() if ln.startswith("v ")]
    assert len(verts) == 13380


def test_cli_refuses_a_missing_scan(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "inference", "body", "--from-scan", str(tmp_path / "nope.obj"),
                           "--out", str(tmp_path / "x.obj")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr
