"""Fabric evaluation: the report, its tables and plots, and the metrics it rests on."""

import numpy as np

from models.fabric import evaluate


def test_evaluation_writes_a_report_with_plots_and_tables(tmp_path, monkeypatch, data_root):
    monkeypatch.setattr(evaluate, "KINDS", ("denim", "leather"))
    monkeypatch.setattr(evaluate, "SIZE", 128)
    result = evaluate.evaluate(data_root, tmp_path, seeds=2, baseline_dir=None, run=None)
    assert set(result["kinds"]) == {"denim", "leather"}
    for key in ("recognised", "diversity_ratio", "hfer_ratio_synth", "delta_e00_max", "seam_ratio"):
        assert key in result["kinds"]["denim"]
    assert "hfer_ratio_real" in result["kinds"]["leather"]  # leather has real sets to compare with
    report = (tmp_path / "report.md").read_text()
    assert "| denim |" in report and "![leather](leather.png)" in report and "confusion.png" in report
    for name in ("denim.png", "sample_grid.png", "confusion.png", "spectra.png"):
        assert (tmp_path / name).stat().st_size > 1000, name
    assert np.array(result["confusion"]["matrix"]).sum() == 2 * 2 * len(evaluate.COLORS)


def test_equal_phase_seam_sees_a_cut_and_not_a_tile():
    x = np.arange(64)
    tile = np.sin(2 * np.pi * 8 * x / 64)[None].repeat(64, 0)  # 8 whole periods: seamless
    assert evaluate.equal_phase_seam(tile, 8, 1) < 1.05
    cut = np.sin(2 * np.pi * 8.5 * x / 64)[None].repeat(64, 0)  # half a period short: the seam jumps
    assert evaluate.equal_phase_seam(cut, 8, 1) > 1.4
