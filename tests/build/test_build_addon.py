import ast
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import build_addon

ROOT = Path(__file__).resolve().parents[2]
# Blender's own validator from the oldest and the newest Blender we support, where ./dev made their venvs.
VALIDATORS = {
    "4.2": (ROOT / ".venv-bpy42/bin/python", ROOT / ".venv-bpy42/lib/python3.11/site-packages/bpy/4.2"),
    "5.3": (ROOT / ".venv-bpy53/bin/python", ROOT / ".venv-bpy53/lib/python3.13/site-packages/bpy/5.3"),
}
EXT_SCRIPT = "scripts/addons_core/bl_pkg/cli/blender_ext.py"


def _manifest(zip_path: Path) -> dict:
    return tomllib.loads(zipfile.ZipFile(zip_path).read("blender_manifest.toml").decode())


@pytest.fixture(scope="module")
def dev_zip(tmp_path_factory) -> Path:
    (path,) = build_addon.build(no_wheels=True, out_dir=tmp_path_factory.mktemp("dist"))
    return path


@pytest.fixture(scope="module")
def cpu_zips(tmp_path_factory) -> list[Path]:
    """Every CPU zip (3 platforms x 2 Pythons) with real onnxruntime wheels from the wheel cache."""
    return build_addon.build(out_dir=tmp_path_factory.mktemp("dist"))


def test_dev_zip_layout(dev_zip):
    names = set(zipfile.ZipFile(dev_zip).namelist())
    assert dev_zip.name == "blender_wardrobe-0.1.0-nowheels.zip"
    assert {"__init__.py", "blender_manifest.toml", "inference/__init__.py", "inference/mesh.py"} <= names
    assert {"artifacts/template_avatar.npz", "artifacts/template_avatar.json"} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.startswith("wheels/")]
    shipped = {n.split("/", 1)[1] for n in names if n.startswith("artifacts/")}
    assert all(n.endswith(build_addon.ARTIFACT_SUFFIXES) for n in shipped), shipped  # no stray sheets
    assert "platforms" not in _manifest(dev_zip) and "wheels" not in _manifest(dev_zip)


def test_manifest_schema_fields(dev_zip):
    manifest = _manifest(dev_zip)
    for key in ("schema_version", "id", "version", "name", "tagline", "maintainer", "type", "license"):
        assert manifest[key], key
    assert manifest["type"] == "add-on" and manifest["id"] == "blender_wardrobe"
    assert manifest["blender_version_min"] == "4.2.0" and "blender_version_max" not in manifest
    assert len(manifest["tagline"]) <= 64 and not manifest["tagline"].endswith((".", "!"))
    assert set(manifest["permissions"]) == {"files", "network"}
    assert all(len(reason) <= 64 for reason in manifest["permissions"].values())
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
    (a,) = build_addon.build(no_wheels=True, out_dir=tmp_path / "a")
    (b,) = build_addon.build(no_wheels=True, out_dir=tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()


def test_one_zip_per_platform_and_python_with_exactly_its_own_wheel(cpu_zips):
    names = sorted(p.name for p in cpu_zips)
    assert names == sorted(f"blender_wardrobe-0.1.0-{py}-{plat}.zip" for py in ("py311", "py313")
                           for plat in ("linux_x64", "windows_x64", "macos_arm64"))
    wheel_tag = {"linux_x64": "manylinux", "windows_x64": "win_amd64", "macos_arm64": "macosx"}
    for path in cpu_zips:
        py, plat = path.stem.split("-")[-2:]
        manifest = _manifest(path)
        generated = manifest["build"]["generated"]  # what Blender's builder wrote for this platform
        assert generated["platforms"] == [plat.replace("_", "-")]
        bundled = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("wheels/")]
        assert len(bundled) == 1 and generated["wheels"] == [f"./{bundled[0]}"], bundled
        wheel = bundled[0].split("/")[1]
        assert wheel.startswith("onnxruntime-1.24.4-cp" + py[2:]) and wheel_tag[plat] in wheel
        assert manifest["blender_version_min"] == ("4.2.0" if py == "py311" else "5.1.0")
        assert manifest.get("blender_version_max") == ("5.1.0" if py == "py311" else None)


@pytest.mark.parametrize("blender", sorted(VALIDATORS))
def test_every_built_zip_passes_blenders_own_validator(cpu_zips, dev_zip, blender):
    python, bpy_dir = VALIDATORS[blender]
    if not python.is_file():
        pytest.skip(f"no Blender {blender} environment here (./dev setup makes it)")
    for path in [*cpu_zips, dev_zip]:
        proc = subprocess.run([str(python), str(bpy_dir / EXT_SCRIPT), "validate", str(path)],
                              capture_output=True, text=True)
        assert proc.returncode == 0 and "Success" in proc.stdout, (path.name, proc.stdout + proc.stderr)


def test_the_validator_refusal_is_reported_with_blenders_message(monkeypatch, tmp_path):
    text, manifest = build_addon.read_manifest()
    too_long = re.sub(r'(?m)^files = ".*"$', 'files = "' + "x" * 70 + '"', text)
    assert too_long != text
    monkeypatch.setattr(build_addon, "read_manifest", lambda: (too_long, manifest))
    with pytest.raises(build_addon.BuildError, match="no longer than 64 characters"):
        build_addon.build(no_wheels=True, out_dir=tmp_path)
    assert not list(tmp_path.glob("*.zip"))


def test_the_gpu_variant_bundles_the_accelerated_runtimes():
    wheels = {p: build_addon.wheels_for("gpu", p, "3.13")[0].requirement for p in build_addon.PLATFORM_TAGS}
    assert wheels == {"linux-x64": "onnxruntime-gpu==1.24.4", "windows-x64": "onnxruntime-directml==1.24.4",
                      "macos-arm64": "onnxruntime==1.24.4"}


def test_unknown_platform_or_python_is_refused_with_the_choices():
    with pytest.raises(build_addon.BuildError, match="choose from linux-x64"):
        build_addon.build(platforms=["amiga"])
    with pytest.raises(build_addon.BuildError, match="choose from 3.11, 3.13"):
        build_addon.build(pythons=["3.12"])


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
