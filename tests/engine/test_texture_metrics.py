"""Texture metrics validated on signals with known answers."""

import numpy as np
import pytest

from inference import color
from inference import texture_metrics as tm


def periodic_noise(size=128, seed=0, cutoff=12.0):
    rng = np.random.default_rng(seed)
    f = np.sqrt(np.fft.fftfreq(size)[:, None] ** 2 + np.fft.fftfreq(size)[None] ** 2) * size
    img = np.real(np.fft.ifft2(np.fft.fft2(rng.standard_normal((size, size))) / (1 + (f / cutoff) ** 2)))
    return (img - img.min()) / np.ptp(img)


def blur(img, sigma):
    f2 = np.fft.fftfreq(img.shape[0])[:, None] ** 2 + np.fft.fftfreq(img.shape[1])[None] ** 2
    return np.real(np.fft.ifft2(np.fft.fft2(img) * np.exp(-2 * np.pi**2 * sigma**2 * f2)))


def test_seam_ratio_of_periodic_noise_is_one_and_of_a_crop_is_high():
    img = periodic_noise()
    assert tm.seam_gradient_ratio(img, 1) == pytest.approx(1.0, abs=0.15)
    assert tm.seam_gradient_ratio(img, 0) == pytest.approx(1.0, abs=0.15)
    crop = periodic_noise(256, cutoff=24)[:, 37:165]  # same texture, not a whole period
    assert tm.max_seam_ratio(crop) > 1.5


def test_blur_drops_hfer_and_raises_lsd():
    img = periodic_noise(cutoff=200)  # broadband
    soft = blur(img, 0.5)
    assert tm.hfer(soft) / tm.hfer(img) < 0.6  # measured 0.49 for this broadband noise
    assert tm.log_spectral_distance(img, img) == 0.0
    assert tm.log_spectral_distance(soft, img) > 0.3
    assert tm.log_spectral_distance(periodic_noise(cutoff=200, seed=1), img) < 0.15


def test_swd_and_gram_separate_textures():
    a, b = periodic_noise(seed=1), periodic_noise(seed=2)
    other = periodic_noise(seed=3, cutoff=3)
    same = tm.sliced_wasserstein([a], [b])
    assert same < 0.5 * tm.sliced_wasserstein([a], [other])
    cnn = tm.RandomCNN()
    assert tm.gram_distance(a, b, cnn) < 0.5 * tm.gram_distance(a, other, cnn)


def test_diversity_ratio_detects_mode_collapse():
    real = [periodic_noise(64, seed=s) for s in range(6)]
    varied = [periodic_noise(64, seed=100 + s) for s in range(6)]
    collapsed = [periodic_noise(64, seed=7)] * 6
    assert tm.diversity_ratio(varied, real) == pytest.approx(1.0, abs=0.3)
    assert tm.diversity_ratio(collapsed, real) < 0.05


def test_density_and_coverage():
    rng = np.random.default_rng(0)
    real = rng.standard_normal((200, 8))
    d, c = tm.density_coverage(real, rng.standard_normal((200, 8)))
    assert c > 0.9 and 0.7 < d < 1.3
    _, c_collapsed = tm.density_coverage(real, np.zeros((200, 8)))
    assert c_collapsed < 0.2


@pytest.mark.parametrize("lab1, lab2, expected", [  # Sharma, Wu & Dalal (2005) test data
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
])
def test_ciede2000_reference_pairs(lab1, lab2, expected):
    assert color.ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_lab_of_white_and_mean_colour():
    np.testing.assert_allclose(color.srgb_to_lab([1.0, 1.0, 1.0]), [100, 0, 0], atol=1e-3)
    rgb = np.random.default_rng(0).random((50, 3))
    np.testing.assert_allclose(color.lab_to_srgb(color.srgb_to_lab(rgb)), rgb, atol=1e-5)  # matrix round-off
    flat = np.ones((8, 8, 3)) * np.array([0.2, 0.4, 0.6])
    assert tm.mean_color_delta_e(flat, [0.2, 0.4, 0.6]) < 1e-6
    assert tm.mean_color_delta_e(flat, [0.25, 0.4, 0.6]) > 1.0
