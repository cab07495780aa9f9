"""Fabric GAN: a few training steps, resume, wrap padding and ONNX export parity."""

import numpy as np
import torch

from models.fabric import conditions
from models.fabric.export import export_generator, load_generator
from models.fabric.networks import Generator, MultiScaleD, height_to_normal, sample_noise
from models.fabric.train_gan import estimate_threads_per_cm, tiled_crops, train


def test_a_few_steps_checkpoint_and_resume(tmp_path):
    res = train(None, tmp_path / "run", steps=3, batch=4, n_synth=26, checkpoint_every=2, log=lambda *_: None)
    assert res["steps"] == 3 and (tmp_path / "run" / "ckpt.pt").is_file()
    again = train(None, tmp_path / "run", steps=3, batch=4, n_synth=26, log=lambda *_: None)
    assert again["steps"] == 3  # resumed, nothing left to do
    g, ck = load_generator(tmp_path / "run")
    info = export_generator(g, tmp_path / "onnx")
    assert info["parity_max_abs"] <= 1e-4 and ck["step"] == 3


def test_generator_is_fully_convolutional_and_wraps():
    g = Generator().eval()
    style = torch.zeros(1, conditions.STYLE_DIM)
    for size in (32, 48, 96):
        noise = sample_noise(1, size)
        per = torch.as_tensor(conditions.periodic_channels(1, size, 12.0)[0])
        with torch.no_grad():
            out = g(noise, per, style)
            rolled = g(torch.roll(noise, 4, 3), torch.roll(per, 4, 3), style)
        assert out.shape == (1, 5, size, size)
        torch.testing.assert_close(torch.roll(out, 4, 3), rolled, atol=1e-5, rtol=0)


def test_discriminator_outputs_two_scales_of_patches():
    d = MultiScaleD()
    out = d(torch.rand(3, 5, 64, 64), torch.zeros(3, conditions.STYLE_DIM))
    assert [o.shape for o in out] == [(3, 1, 8, 8), (3, 1, 4, 4)]


def test_normal_from_height_is_opengl():
    h = torch.linspace(0, 1, 32).repeat(32, 1)[None, None]  # rises to the right
    n = height_to_normal(h)
    assert (n[:, 0, :, 1:-1] < 0).all() and torch.allclose(n.norm(dim=1), torch.ones(1, 32, 32))


def test_tiled_crops_straddle_the_seam():
    x = torch.arange(16.0).reshape(1, 1, 4, 4).repeat(2, 1, 1, 1)
    c = tiled_crops(x, torch.Generator().manual_seed(0))
    assert c.shape == x.shape and not torch.equal(c, x)


def test_periodic_channels_have_integer_threads():
    ch, threads = conditions.periodic_channels(1, 64, 12.0)
    assert threads == 24 and np.allclose(ch[0, 0, :, 0], np.sin(2 * np.pi * 24 * 0.5 / 64))


def test_thread_estimate_finds_the_weave_frequency():
    x = np.arange(128)
    h = np.sin(2 * np.pi * 40 * x / 128)[None].repeat(128, 0)  # 40 threads per 128 px (4 cm at 32 px/cm)
    assert estimate_threads_per_cm(h) == 10.0


def test_engine_and_training_derive_the_same_normals_and_styles():
    from inference import fabric as engine

    h = np.random.default_rng(0).random((32, 32)).astype(np.float32)
    torch_n = height_to_normal(torch.as_tensor(h)[None, None], 4.0)[0].permute(1, 2, 0).numpy()
    np.testing.assert_allclose(engine.height_to_normal(h, 4.0), torch_n, atol=1e-6)
    v = conditions.style_vector("denim", (0.2, 0.3, 0.4), 12.0, 0.7)
    assert v.shape == (conditions.STYLE_DIM,) and v[-2] == 0.0 and v[-1] == np.float32(0.7)


def test_vae_baseline_trains_and_exports_like_the_gan(tmp_path):
    from models.fabric import train_vae

    res = train_vae.train(None, tmp_path / "vae", steps=3, batch=4, n_synth=26, checkpoint_every=2,
                          log=lambda *_: None)
    assert res["steps"] == 3
    g, ck = load_generator(tmp_path / "vae")  # same interface as the GAN generator
    assert ck["kind"] == "vae-baseline" and export_generator(g, tmp_path / "onnx")["parity_max_abs"] <= 1e-4


def test_swatch_encoder_trains_and_exports(tmp_path):
    from models.fabric import train_encoder

    res = train_encoder.train(None, tmp_path / "enc", steps=3, batch=4, n_synth=26, log=lambda *_: None)
    info = train_encoder.export_encoder(res["E"], tmp_path / "onnx")
    assert res["steps"] == 3 and info["parity_max_abs"] <= 1e-4
    photo = train_encoder.photo_like(torch.rand(2, 5, 32, 32))
    assert torch.all(photo[:, 4] == 0.8) and photo[:, 3].max() <= 1.0


def test_evaluation_writes_a_report_with_plots_and_tables(tmp_path, monkeypatch, data_root):
    from models.fabric import evaluate

    monkeypatch.setattr(evaluate, "KINDS", ("denim", "leather"))
    result = evaluate.evaluate(data_root, tmp_path, n=2, baseline_dir=None, run=None)
    assert set(result["kinds"]) == {"denim", "leather"} and "delta_e00" in result["median"]
    report = (tmp_path / "report.md").read_text()
    assert "| denim |" in report and "![leather](leather.png)" in report
    assert (tmp_path / "denim.png").stat().st_size > 1000 and (tmp_path / "metrics.json").is_file()
    assert len(result["swatches"]) == 10 and (tmp_path / "swatch_variations.png").is_file()
