"""Build the Blender extension zips with Blender's own builder (`extension build --split-platforms`).

    python build_addon.py                       # CPU: one zip per platform and Blender Python
    python build_addon.py --variant gpu         # onnxruntime-gpu (Linux, CUDA 12), -directml (Windows), CoreML (macOS)
    python build_addon.py --no-wheels           # one development zip: onnxruntime must be in Blender's Python
    python build_addon.py --platform linux-x64 --python 3.13   # only these (both options repeat)

Blender 4.2 LTS to 5.0 run Python 3.11, Blender 5.1 and newer Python 3.13, and Blender 4.2 does not
choose bundled wheels by Python version. So each zip carries one Python's wheels and declares the
Blender versions that run that Python (`blender_version_min` / `blender_version_max`), e.g.
dist/blender_wardrobe-0.1.0-py311-linux_x64.zip (Blender 4.2-5.0) and -py313-linux_x64.zip (5.1+).

Blender's builder does the archive, the per-platform split and the manifest checks. What it cannot do
is done here: stage the package (the add-on, the vendored engine as `inference/`, the shipped models
as `artifacts/`, the wheels), fetch the wheels with pip, write `platforms`, `wheels` and the version
range into the staged manifest, and fix file times so the same sources give the same zips. Every zip
is then checked with Blender's validator. Only onnxruntime is bundled: it imports and runs on a stock
Blender Python without its declared dependencies, numpy comes with Blender, and the add-on never
imports trimesh (only the engine's command line does).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomlkit

ROOT = Path(__file__).resolve().parent
ADDON = ROOT / "blender_wardrobe"
ENGINE = ROOT / "inference"
ARTIFACTS = ROOT / "models" / "shipped"
ARTIFACT_SUFFIXES = (".onnx", ".json", ".npz")  # what the engine loads; nothing else in the folder ships
ORT_VERSION = "1.24.4"
FILE_TIME = 1704067200  # 2024-01-01 00:00 UTC: every staged file gets it, so zips are reproducible
EXCLUDE = re.compile(r"(__pycache__|\.pyc$|/\.|^\.)")


@dataclass(frozen=True)
class BlenderPython:
    version: str  # "3.11"
    blender_min: str
    blender_max: str | None  # the first Blender that no longer runs this Python (exclusive), None: open

    @property
    def tag(self) -> str:
        return "py" + self.version.replace(".", "")


PYTHONS = {p.version: p for p in (BlenderPython("3.11", "4.2.0", "5.1.0"), BlenderPython("3.13", "5.1.0", None))}
PLATFORM_TAGS = {
    "linux-x64": ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64"),
    "windows-x64": ("win_amd64",),
    "macos-arm64": tuple(f"macosx_{v}_0_arm64" for v in (15, 14, 13, 12, 11)),
}
PACKAGES = {  # variant -> platform -> the onnxruntime distribution for it
    "cpu": {"linux-x64": "onnxruntime", "windows-x64": "onnxruntime", "macos-arm64": "onnxruntime"},
    "gpu": {"linux-x64": "onnxruntime-gpu", "windows-x64": "onnxruntime-directml",
            "macos-arm64": "onnxruntime"},  # the macOS CPU wheel has CoreML
}


@dataclass(frozen=True)
class Wheel:
    requirement: str
    platform: str  # Blender platform id
    python: str  # "3.11"


class BuildError(RuntimeError):
    """The build cannot continue; the message names the problem and the fix."""


def read_manifest() -> tuple[str, dict]:
    text = (ADDON / "blender_manifest.toml").read_text()
    return text, tomllib.loads(text)


def check_versions(manifest: dict):
    """bl_info and the manifest must agree on the version."""
    init = (ADDON / "__init__.py").read_text()
    match = re.search(r'"version":\s*\((\d+),\s*(\d+),\s*(\d+)\)', init)
    bl_version = ".".join(match.groups()) if match else None
    if bl_version != manifest["version"]:
        raise BuildError(f"bl_info version {bl_version} != manifest version {manifest['version']}")


def wheels_for(variant: str, platform: str, python: str) -> list[Wheel]:
    return [Wheel(f"{PACKAGES[variant][platform]}=={ORT_VERSION}", platform, python)]


def fetch_wheel(wheel: Wheel, cache: Path) -> Path:
    """The cached wheel for ``wheel``, downloading it with pip if needed."""
    name, version = wheel.requirement.split("==")
    py_tag = "cp" + wheel.python.replace(".", "")
    dest = cache / wheel.platform
    pattern = f"{name.replace('-', '_')}-{version}-{py_tag}-{py_tag}-*.whl"  # not the free-threaded {py_tag}t
    found = sorted(dest.glob(pattern))
    if found:
        return found[-1]
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--python-version", wheel.python, "--dest", str(dest), "--retries", "1", "--timeout", "30",
        wheel.requirement,
    ]
    for tag in PLATFORM_TAGS[wheel.platform]:
        cmd += ["--platform", tag]
    print(f"fetching {wheel.requirement} for {wheel.platform}, Python {wheel.python} ...", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    found = sorted(dest.glob(pattern))
    if proc.returncode != 0 or not found:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise BuildError(
            f"could not fetch the {wheel.requirement} wheel for {wheel.platform} (Python {wheel.python}): "
            + " | ".join(tail)
            + "\nCheck the network / PIP_INDEX_URL, or build a development zip without bundled wheels "
            "with --no-wheels (then install onnxruntime into Blender's Python yourself)."
        )
    return found[-1]


def staged_manifest(text: str, python: BlenderPython | None, wheels: list[Path], platforms: list[str]) -> str:
    """The manifest for one build: the Blender range of its Python, its platforms and wheels."""
    doc = tomlkit.parse(text)
    if python is not None:
        doc["blender_version_min"] = python.blender_min
        if python.blender_max:
            doc["blender_version_max"] = python.blender_max
    if wheels:
        doc["platforms"] = sorted(platforms)
        doc["wheels"] = [f"./wheels/{p.name}" for p in sorted(wheels)]
    return tomlkit.dumps(doc)


def iter_files(src: Path, suffixes: tuple[str, ...] | None = None):
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src).as_posix()
        if path.is_file() and not EXCLUDE.search(rel) and (suffixes is None or path.suffix in suffixes):
            yield path, rel


def stage(dest: Path, manifest_text: str, wheels: list[Path]) -> None:
    """Lay out the package as Blender's builder expects it: one folder, manifest at the top."""
    files = [(p, rel) for p, rel in iter_files(ADDON) if rel != "blender_manifest.toml"]
    files += [(p, f"inference/{rel}") for p, rel in iter_files(ENGINE)]
    files += [(p, f"artifacts/{rel}") for p, rel in iter_files(ARTIFACTS, ARTIFACT_SUFFIXES)]
    files += [(p, f"wheels/{p.name}") for p in wheels]
    for src, rel in sorted(files, key=lambda f: f[1]):
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, out)
    (dest / "blender_manifest.toml").write_text(manifest_text)
    for path in [dest, *dest.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.utime(path, (FILE_TIME, FILE_TIME))


def blender_tool(blender: str | None = None) -> list[str]:
    """The command that runs Blender's extension tool: a Blender binary, or the bpy module's blender_ext.py."""
    if blender:
        return [blender, "--factory-startup", "--command", "extension"]
    script = os.environ.get("WARDROBE_BLENDER_EXT")
    if not script:
        spec = importlib.util.find_spec("bpy")  # finding it does not import (start) Blender
        roots = list(spec.submodule_search_locations or []) if spec else []
        found = sorted(p for r in roots for p in Path(r).glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
        if not found:
            raise BuildError("Blender's extension builder was not found: run in an environment with the bpy module "
                             "(./dev build does), or pass --blender /path/to/blender")
        script = str(found[-1])
    return [sys.executable, script]


def _run_tool(tool: list[str], args: list[str], what: str) -> str:
    proc = subprocess.run([*tool, *args], capture_output=True, text=True)
    out = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        raise BuildError(f"Blender's extension {what} failed:\n{out}")
    return out


def validate(zip_path: Path, tool: list[str] | None = None) -> str:
    """Blender's own validator on a built zip; raises BuildError with its message when it refuses."""
    return _run_tool(tool or blender_tool(), ["validate", str(zip_path)], f"validator ({zip_path.name})")


def _output_names(stem: str, platforms: list[str]) -> list[str]:
    # Blender's builder appends the platform, with '_' for '-', before the extension.
    return [f"{stem}-{p.replace('-', '_')}.zip" for p in platforms] if platforms else [f"{stem}.zip"]


def build(
    variant: str = "cpu", no_wheels: bool = False, cache: Path | None = None, out_dir: Path | None = None,
    platforms: list[str] | None = None, pythons: list[str] | None = None, blender: str | None = None,
) -> list[Path]:
    """Build, validate and return the zips (one per platform and Python; one in all with ``no_wheels``)."""
    text, manifest = read_manifest()
    check_versions(manifest)
    if not (ARTIFACTS / "template_avatar.npz").is_file():
        raise BuildError(f"{ARTIFACTS}/template_avatar.npz is missing: run python -m models.template.build_template")
    for p in platforms or []:
        if p not in PLATFORM_TAGS:
            raise BuildError(f"unknown platform {p!r}: choose from {', '.join(PLATFORM_TAGS)}")
    for v in pythons or []:
        if v not in PYTHONS:
            raise BuildError(f"no Blender runs Python {v}: choose from {', '.join(PYTHONS)}")
    cache = cache or Path(os.environ.get("WARDROBE_WHEEL_CACHE", Path.home() / ".cache/blender_wardrobe/wheels"))
    out_dir = (out_dir or ROOT / "dist").resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = f"{manifest['id']}-{manifest['version']}" + ("" if variant == "cpu" else f"-{variant}")
    tool = blender_tool(blender)

    jobs: list[tuple[BlenderPython | None, list[str], str]] = []  # (python, platforms, output stem)
    if no_wheels:
        jobs.append((None, [], f"{prefix}-nowheels"))
    else:
        chosen = platforms or list(PLATFORM_TAGS)
        jobs += [(PYTHONS[v], chosen, f"{prefix}-{PYTHONS[v].tag}") for v in (pythons or list(PYTHONS))]

    built: list[Path] = []
    for python, plats, stem in jobs:
        wheels = [fetch_wheel(w, cache) for p in plats for w in wheels_for(variant, p, python.version)]
        with tempfile.TemporaryDirectory(prefix="wardrobe-build-") as tmp:
            src = Path(tmp) / manifest["id"]
            stage(src, staged_manifest(text, python, wheels, plats), wheels)
            args = ["build", "--source-dir", str(src), "--output-filepath", str(out_dir / f"{stem}.zip")]
            _run_tool(tool, args + (["--split-platforms"] if plats else []), "build")
        for name in _output_names(stem, plats):
            path = out_dir / name
            if not path.is_file():
                raise BuildError(f"Blender's extension build did not write {path}")
            validate(path, tool)
            built.append(path)
    return built


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", choices=sorted(PACKAGES), default="cpu")
    ap.add_argument("--no-wheels", action="store_true", help="one development zip without bundled wheels")
    ap.add_argument("--platform", action="append", choices=sorted(PLATFORM_TAGS), help="only this platform")
    ap.add_argument("--python", action="append", choices=sorted(PYTHONS), help="only the Blenders running it")
    ap.add_argument("--wheel-cache", type=Path, help="where fetched wheels are kept")
    ap.add_argument("--out-dir", type=Path, help="default: dist/")
    ap.add_argument("--blender", help="a Blender binary whose `--command extension` builds and validates "
                                      "(default: the bpy module's builder)")
    args = ap.parse_args(argv)
    try:
        paths = build(args.variant, args.no_wheels, args.wheel_cache, args.out_dir, args.platform, args.python,
                      args.blender)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
