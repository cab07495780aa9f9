"""The built zip installs as a real extension and runs on Blender plus its bundled wheels only."""

import json
import zipfile

import bpy
import pytest
from bpy_helpers import ROOT, run_script

pytestmark = pytest.mark.slow


def _result(proc) -> dict:
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


def test_zip_installs_and_works_on_a_stock_blender_python(wheel_zip):
    # Of this venv only what Blender itself bundles is importable: the rest must come from the zip's wheels.
    res = _result(run_script("install_extension.py", str(wheel_zip), env={"WARDROBE_STOCK": "1"}))
    assert res["blender"].startswith(bpy.app.version_string.split()[0][:3])
    assert res["install"] == ["FINISHED"] and res["enabled"]
    must = {"VIEW3D_PT_wardrobe_fabric", "VIEW3D_PT_wardrobe_body", "WARDROBE_OT_add_avatar",
            "WARDROBE_OT_add_garment", "wardrobe_fabric", "wardrobe"}
    assert must <= set(res["registered"]), res["registered"]
    assert res["cli_registered"] and res["cli_help_rc"] == 0
    assert res["prefs"] == "WardrobePreferences"
    assert res["engine_package"].endswith("blender_wardrobe.inference")  # vendored engine
    assert res["add_avatar"] == ["FINISHED"] and res["avatar_vertices"] == 13380
    assert res["avatar_uv_layers"] == ["UVMap"]
    assert "import_error" not in res, res.get("import_error")
    assert "/extensions/" in res["onnxruntime_file"] and "CPUExecutionProvider" in res["providers"]
    assert res["dependency_problem"] == ""
    assert res["add_garment"] == ["FINISHED"] and res["generate"] == ["FINISHED"]
    assert res["material"] == "Wardrobe Denim" and res["slider_moved"]
    assert res["reopened"] == {"material": "Wardrobe Denim", "albedo_size": [256, 256], "albedo_packed": True,
                               "chest": 104.0, "keys": ["Basis", "Wardrobe Body"]}
    # onnxruntime runs without its declared dependencies, so only it is bundled (numpy is Blender's own).
    assert [n.split("/")[1].split("-")[0] for n in zipfile.ZipFile(wheel_zip).namelist()
            if n.startswith("wheels/")] == ["onnxruntime"]
    for step in res["cycles"]:
        if "after_disable" in step:
            assert step["after_disable"] == [] and not step["cli"]
        else:
            assert set(step["after_enable"]) == set(res["registered"]) and step["cli"]
    assert res["final"] == []


def test_enabling_without_onnxruntime_explains_instead_of_traceback():
    proc = run_script("enable_without_onnxruntime.py", str(ROOT), env={"WARDROBE_HIDE": "onnxruntime"})
    res = _result(proc)
    assert res["enabled"], proc.stderr
    assert "onnxruntime" in res["problem"] and "pip install onnxruntime" in res["problem"]
    assert "onnxruntime is not importable" in res["runtime_message"]
    assert "Blender Wardrobe cannot generate: onnxruntime" in proc.stdout  # printed on enable
    assert "Traceback" not in proc.stdout + proc.stderr
    assert res["avatar"] == ["FINISHED"]


def test_the_zip_for_the_other_python_is_refused_with_blenders_version_message(other_python_zip):
    # One Python's wheels per zip, and the zip's Blender range says which Blenders run that Python.
    proc = run_script("install_refused.py", str(other_python_zip))
    res = _result(proc)
    assert not res["enabled"]
    said = proc.stdout + proc.stderr + res.get("error", "")
    assert ("minimum supported version (5.1.0)" in said) or ("less than the maximum version (5.1.0)" in said), said
