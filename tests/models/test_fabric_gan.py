"""Fabric detail GAN: a few training steps, resume, wrap padding, the folded FiLM and ONNX export parity."""

import numpy as np
import torch

from inference import fabric as engine
from models.fabric import conditions
from models.fabric.export import export_generator, load_generator
from models.fabric.networks import STRUCT_CH, DetailGenerator, MultiScaleD, height_to_normal, sample_noise
from models.fabric.train_gan import train


def test_a_few_steps_checkpoint_and_resume(tmp_path):
    res = train(tmp_path / "run", steps=3, batch=4, n_bank=24, checkpoint_every=2, log=lambda *_: None)
    assert res["steps"] == 3 and (tmp_path / "run" / "ckpt.pt").is_file()
    again = train(tmp_path / "run", steps=3, batch=4, n_bank=24, log=lambda *_: None)
    assert again["steps"] == 3  # resumed, nothing left to do
    g, ck = load_generator(tmp_path / "run")
    info = export_generator(g, tmp_path / "onnx")
    assert info["parity_max_abs"] <= 1e-4 and ck["step"] == 3


def test_generator_is_fully_convolutional_and_wraps():
    g = DetailGenerator().eval()
    for p in g.parameters():  # FiLM starts at identity; give it something to do
        p.data.normal_(0, 0.2)
    style = torch.randn(1, conditions.STYLE_DIM)
    for size in (32, 48, 96):
        s, n = torch.rand(1, STRUCT_CH, size, size), sample_noise(1, size)
        with torch.no_grad():
            out = g(s, n, style)
            rolled = g(torch.roll(s, (8, 4), (2, 3)), torch.roll(n, (8, 4), (2, 3)), style)
        assert out.shape == (1, 6, size, size)
        # Rolled by a multiple of the context path's pooling, the output rolls with it: no edge anywhere.
        torch.testing.assert_close(torch.roll(out, (8, 4), (2, 3)), rolled, atol=1e-5, rtol=0)


def test_folded_film_is_the_batched_film():
    g = DetailGenerator().eval()
    for p in g.parameters():
        p.data.normal_(0, 0.2)
    s, n, st = torch.rand(2, STRUCT_CH, 32, 32), sample_noise(2, 32), torch.randn(2, conditions.STYLE_DIM)
    with torch.no_grad():
        batched = g(s, n, st)
        single = torch.cat([g(s[i:i + 1], n[i:i + 1], st[i:i + 1]) for i in range(2)])
    torch.testing.assert_close(batched, single, atol=1e-5, rtol=0)


def test_discriminator_sees_structure_and_two_scales():
    d = MultiScaleD()
    out = d(torch.rand(3, 5, 64, 64), torch.rand(3, STRUCT_CH, 64, 64), torch.zeros(3, conditions.STYLE_DIM))
    assert [o.shape for o in out] == [(3, 1, 8, 8), (3, 1, 4, 4)]


def test_normal_from_height_is_opengl():
    h = torch.linspace(0, 1, 32).repeat(32, 1)[None, None]  # rises to the right
    n = height_to_normal(h, 4.0)
    assert (n[:, 0, :, 1:-1] < 0).all() and torch.allclose(n.norm(dim=1), torch.ones(1, 32, 32))


def test_engine_and_training_share_the_style_layout():
    v = conditions.style_vector("denim", 6.0, 0.7)
    assert v.shape == (conditions.STYLE_DIM,) and v[-1] == 0.0 and v[-2] == np.float32(0.7)
    assert engine.kind_of(conditions.KINDS, v) == "denim"


def test_vae_baseline_trains_and_exports_like_the_gan(tmp_path):
    from models.fabric import train_vae

    res = train_vae.train(tmp_path / "vae", steps=3, batch=4, n_bank=24, checkpoint_every=2, log=lambda *_: None)
    assert res["steps"] == 3
    g, ck = load_generator(tmp_path / "vae")  # same interface as the GAN generator
    assert ck["kind"] == "vae-baseline" and export_generator(g, tmp_path / "onnx")["parity_max_abs"] <= 1e-4


def test_structure_classifier_tells_the_synthesiser_kinds_apart():
    from models.fabric.structure_classifier import StructureClassifier, descriptor
    from models.fabric.synth import FabricSpec, synthesize

    kinds = ("cotton", "denim", "satin", "gingham")

    def feat(kind, seed):
        spec = FabricSpec(kind=kind, color=(0.3, 0.4, 0.6), size=128, seed=seed)
        m, s = synthesize(spec), spec.structure()
        return descriptor(m["albedo"], m["height"], m["roughness"], s.px_per_thread, 128 / s.tile_cm)

    x = np.array([feat(k, s) for k in kinds for s in range(4)])
    clf = StructureClassifier().fit(x, [k for k in kinds for _ in range(4)])
    assert clf.predict(np.array([feat(k, 99) for k in kinds])) == list(kinds)
