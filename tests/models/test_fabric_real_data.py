"""Loader for the real PBR sets: conventions normalised, crops wrap around."""

import numpy as np
import pytest

from models.fabric import real_data


@pytest.fixture(scope="module")
def sets(data_root):
    return real_data.load_all(data_root, size=128)


def test_all_ten_sets_load_with_every_map(sets):
    assert len(sets) == 10
    for s in sets:
        assert s.albedo.shape == (128, 128, 3) and s.height.shape == s.roughness.shape == (128, 128)
        for arr in (s.albedo, s.height, s.roughness):
            assert np.isfinite(arr).all() and arr.min() >= 0 and arr.max() <= 1
        assert s.height.std() > 0.02, s.name
        assert s.kind in real_data.KIND_OF_SET.values()


def test_conventions_are_normalised(sets):
    by = {s.name: s for s in sets}
    assert any("DirectX" in n for n in by["3dtextures_Fabric_001"].notes)
    assert any("depth map inverted" in n for n in by["godotdemo_wool"].notes)
    assert by["3dtextures_Fabric_001"].roughness.mean() > 0.5  # a gloss map under a roughness name
    # OpenGL normals agree with the height's gradient: +x slope tilts the normal towards -x.
    s = by["3dtextures_Leather_008"]
    dhdx = np.roll(s.height, -1, 1) - np.roll(s.height, 1, 1)
    dhdy_up = np.roll(s.height, 1, 0) - np.roll(s.height, -1, 0)
    assert np.corrcoef(dhdx.ravel(), s.normal[..., 0].ravel())[0, 1] < -0.2
    assert np.corrcoef(dhdy_up.ravel(), s.normal[..., 1].ravel())[0, 1] < -0.2


def test_height_integrated_from_normals_recovers_a_known_surface():
    y, x = np.meshgrid(np.arange(64), np.arange(64), indexing="ij")
    h = 0.3 * np.sin(2 * np.pi * x / 16) + 0.2 * np.cos(2 * np.pi * y / 32)
    dx = (np.roll(h, -1, 1) - np.roll(h, 1, 1)) / 2
    dy_up = (np.roll(h, 1, 0) - np.roll(h, -1, 0)) / 2
    n = np.stack([-dx, -dy_up, np.ones_like(h)], 2)
    n /= np.linalg.norm(n, axis=2, keepdims=True)
    rec = real_data.height_from_normals(n)
    truth = (h - h.min()) / np.ptp(h)
    assert np.corrcoef(rec.ravel(), truth.ravel())[0, 1] > 0.99


def test_random_crops_wrap_and_augment(sets):
    crops = real_data.random_crops(sets[0], 6, 96, np.random.default_rng(0))
    assert crops.shape == (6, 5, 96, 96) and crops.dtype == np.float32
    again = real_data.random_crops(sets[0], 6, 96, np.random.default_rng(0))
    np.testing.assert_array_equal(crops, again)
