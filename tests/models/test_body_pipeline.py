"""Body model pipeline on a small sample: macro rules, dataset, a few training steps, ONNX parity."""

from pathlib import Path

import numpy as np
import pytest
import torch

from inference import mesh
from inference.measure import NAMES, Measurer
from models.body import ansur, landmark_warp, shape_space
from models.body.dataset import build, sample_params
from models.body.export import export_onnx
from models.body.network import BodyCVAE
from models.body.pca import PCA, error_curve
from models.body.train import BodyData, conditions, train


def test_macro_value_weights_partition_unity():
    p = sample_params(200, np.random.default_rng(0))
    w = shape_space.value_weights(p)
    for group in (("female", "male"), ("baby", "child", "young", "old"),
                  ("minmuscle", "averagemuscle", "maxmuscle"), ("minweight", "averageweight", "maxweight"),
                  ("african", "asian", "caucasian")):
        np.testing.assert_allclose(sum(w[g] for g in group), 1.0, atol=1e-9)


def test_age_mapping_round_trips():
    years = np.array([17.0, 25.0, 40.0, 60.0])
    np.testing.assert_allclose(shape_space.age_years(shape_space.age_value(years)), years)


def test_split_is_deterministic_and_disjoint():
    ids = np.arange(10000, 20000)
    a, b = ansur.split_of(ids), ansur.split_of(ids)
    np.testing.assert_array_equal(a, b)
    frac = np.bincount(a) / len(a)
    assert abs(frac[0] - 0.8) < 0.02 and abs(frac[1] - 0.1) < 0.02


SMALL = {"n_random": 160, "subjects": 24, "workers": 1, "fit_steps": 300, "rounds": 1, "surrogate_steps": 800}


@pytest.fixture(scope="module")
def small(data_root, tmp_path_factory):
    cache = tmp_path_factory.mktemp("body")
    raw = build(data_root, cache, **SMALL, log=lambda *_: None)
    space = shape_space.ShapeSpace.load(data_root, mesh.load_template("body").co, cache)
    verts = landmark_warp.remap_many(space.bodies(raw["params"]), raw["warp_src"], raw["warp_dst"])
    verts = verts.reshape(len(raw["params"]), -1)
    return raw, BodyData(verts, conditions(raw["measurements"], raw["names"], raw["sex"].astype(np.float32)),
                         np.arange(len(verts)) % 3, raw)


def test_dataset_labels_are_real_measurements(small, data_root):
    raw, _ = small
    assert raw["measurements"].shape == (24, len(NAMES)) and set(np.unique(raw["sex"])) == {0, 1}
    assert np.isfinite(raw["measurements"]).all()
    # Fitted bodies land nearer their ANSUR subjects than unfitted random bodies, even with this tiny
    # surrogate (the shipped dataset's fit is within 0.5 cm; see the model card).
    st = list(raw["names"]).index("stature")
    fitted = np.abs(raw["measurements"][:, st] - raw["ansur"][:, 0]).mean()
    unfitted = np.abs(raw["random_measurements"][:24, st] - raw["ansur"][:, 0]).mean()
    assert fitted < 0.6 * unfitted, (fitted, unfitted)


def test_dataset_bodies_stand_at_their_subjects_ansur_landmark_heights(small):
    raw, data = small
    err = np.abs(raw["heights"] - raw["ansur_heights"])  # cm, measured on the remapped bodies
    assert np.median(err) < 0.05 and np.percentile(err, 90) < 1.0, err.max(0)
    bodies = data.vertices.reshape(len(data.vertices), -1, 3)
    assert np.abs(bodies[:, :, 2].min(1)).max() < 1e-6  # on the floor


def test_landmark_remap_moves_landmarks_and_keeps_girths():
    m = Measurer.from_template()
    co = mesh.load_template("body").co.astype(np.float64)
    src = m.landmark_heights(co)
    dst = {k: v * 1.03 for k, v in src.items()} | {"buttock": src["buttock"] - 3.0, "axilla": src["axilla"] + 2.0}
    warped, _, _ = landmark_warp.to_heights(co, m, dst)
    got = m.landmark_heights(warped)
    # Within 0.3 cm: a squeezed buttock region can make a neighbouring vertex the most posterior one.
    assert all(abs(got[k] - dst[k]) < 0.3 for k in dst), (got, dst)
    before, after = m.measure(co), m.measure(warped)
    for g in ("chest", "waist", "hips"):  # horizontal sections map to horizontal sections
        assert abs(before[g] - after[g]) < 0.05, g
    np.testing.assert_array_equal(warped[:, :2], co[:, :2])
    # Targets that would fold the order are clamped into a monotone remap, never inverted.
    folded, s_k, d_k = landmark_warp.to_heights(co, m, dst | {"bust_l": src["axilla"] + 5})
    assert (np.diff(d_k) > 0).all() and (np.diff(s_k) > 0).all()


def test_dataset_is_deterministic_and_cached(small, data_root, tmp_path):
    raw, _ = small
    cache = Path(raw["path"]).parent
    for f in cache.glob("shape_space_*.npz"):  # share the target matrix, rebuild the dataset itself
        (tmp_path / f.name).symlink_to(f)
    again = build(data_root, tmp_path, **SMALL, log=lambda *_: None)
    np.testing.assert_allclose(again["params"], raw["params"], atol=1e-5)
    cached = build(data_root, tmp_path, **SMALL, log=lambda *_: None)
    assert cached["path"] == again["path"]


def test_pca_error_decreases_with_components(small):
    _, data = small
    pca = PCA.fit(data.vertices, 16)
    curve = error_curve(pca, data.vertices, [1, 2, 4, 8])
    assert list(curve.values()) == sorted(curve.values(), reverse=True)


def test_vae_trains_a_few_steps_and_exports_with_parity(small, tmp_path):
    _, data = small
    res = train(data, tmp_path / "run", latent=2, steps=60, batch=16, log=lambda *_: None)
    log = (tmp_path / "run" / "log.jsonl").read_text().splitlines()
    assert res["steps"] == 60 and len(log) >= 1 and np.isfinite(res["val_error_mm"])
    # Resuming a finished run does no more steps.
    assert train(data, tmp_path / "run", latent=2, steps=60, batch=16, log=lambda *_: None)["steps"] == 60
    info = export_onnx(res["model"], tmp_path / "onnx")
    assert info["parity_max_abs"]["decoder"] <= 1e-4 and info["parity_max_abs"]["encoder"] <= 1e-4
    assert len(info["decoder"]["sha256"]) == 64


def test_reparameterisation_and_kl_shapes():
    vae = BodyCVAE(np.zeros(30), np.eye(5, 30), np.ones(5), np.zeros(7), np.ones(7), latent=3, width=16, depth=1)
    w_hat, mu, logvar = vae(torch.zeros(4, 5), torch.zeros(4, 7))
    assert w_hat.shape == (4, 5) and mu.shape == logvar.shape == (4, 3)
