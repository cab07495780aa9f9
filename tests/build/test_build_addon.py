import ast
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import build_addon

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dev_zip(tmp_path_factory) -> Path:
    return build_addon.build(no_wheels=True, out_dir=tmp_path_factory.mktemp("dist"))


def test_dev_zip_layout(dev_zip):
    names = set(zipfile.ZipFile(dev_zip).namelist())
    assert dev_zip.name == "blender_wardrobe-0.1.0-nowheels.zip"
    assert {"__init__.py", "blender_manifest.toml", "inference/__init__.py", "inference/mesh.py"} <= names
    assert {"artifacts/template_avatar.npz", "artifacts/template_avatar.json"} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.startswith("wheels/")]


def test_manifest_schema_fields(dev_zip):
    manifest = tomllib.loads(zipfile.ZipFile(dev_zip).read("blender_manifest.toml").decode())
    for key in ("schema_version", "id", "version", "name", "tagline", "maintainer", "type", "license"):
        assert manifest[key], key
    assert manifest["type"] == "add-on" and manifest["id"] == "blender_wardrobe"
    assert manifest["blender_version_min"] == "4.2.0"
    assert len(manifest["tagline"]) <= 64 and not manifest["tagline"].endswith((".", "!"))
    assert manifest["permissions"]["files"]
    assert all(lic.startswith("SPDX:") for lic in manifest["license"])


def test_zip_carries_matching_legacy_bl_info(dev_zip):
    init = zipfile.ZipFile(dev_zip).read("__init__.py").decode()
    bl_info = next(
        ast.literal_eval(n.value) for n in ast.parse(init).body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "bl_info"
    )
    manifest = tomllib.loads((ROOT / "blender_wardrobe/blender_manifest.toml").read_text())
    assert ".".join(map(str, bl_info["version"])) == manifest["version"]
    assert bl_info["blender"] == (4, 2, 0)


def test_build_is_reproducible(tmp_path):
    a = build_addon.build(no_wheels=True, out_dir=tmp_path / "a")
    b = build_addon.build(no_wheels=True, out_dir=tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()


def test_manifest_lists_wheels_and_platforms_per_variant(tmp_path):
    text, _ = build_addon.read_manifest()
    for variant, must in {"cpu": ["onnxruntime-1"], "gpu": ["onnxruntime_gpu-", "onnxruntime_directml-"]}.items():
        wheels = [(w, tmp_path / _fake_wheel_name(w)) for w in build_addon.VARIANTS[variant]]
        manifest = tomllib.loads(build_addon.manifest_with_wheels(text, wheels))
        assert manifest["platforms"] == ["linux-x64", "macos-arm64", "windows-x64"]
        assert all(w.startswith("./wheels/") for w in manifest["wheels"])
        assert not [w for w in manifest["wheels"] if "numpy" in w]  # Blender ships its own numpy
        for prefix in must:
            assert any(prefix in w for w in manifest["wheels"]), (variant, prefix)
        assert manifest["permissions"]["files"]  # tables after the inserted block survive


def _fake_wheel_name(w: build_addon.Wheel) -> str:
    name, version = w.requirement.split("==")
    return f"{name.replace('-', '_')}-{version}-cp311-cp311-{(w.pip_platforms or ('any',))[0]}.whl"


def test_unfetchable_wheels_give_a_clear_message_and_the_no_wheels_hint(tmp_path):
    env = {
        **os.environ,
        "PIP_CONFIG_FILE": os.devnull,  # ignore the machine's local wheel folders
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
        "PIP_FIND_LINKS": "",
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_NO_CACHE_DIR": "1",
        "WARDROBE_WHEEL_CACHE": str(tmp_path / "empty-cache"),
    }
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build_addon.py"), "--out-dir", str(tmp_path / "dist")],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 2
    assert "could not fetch the onnxruntime==" in proc.stderr and "--no-wheels" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not list((tmp_path / "dist").glob("*.zip"))  # nothing half-built left behind


def test_version_mismatch_is_refused(monkeypatch):
    monkeypatch.setattr(build_addon, "read_manifest", lambda: ("", {"version": "9.9.9", "id": "x"}))
    with pytest.raises(build_addon.BuildError, match="bl_info version"):
        build_addon.build(no_wheels=True)
