"""Build the Blender extension zip: dist/blender_wardrobe-<version>[-gpu].zip

    python build_addon.py                 # CPU build, onnxruntime wheels for linux/windows/macos
    python build_addon.py --variant gpu   # onnxruntime-gpu (Linux), -directml (Windows), CoreML (macOS)
    python build_addon.py --no-wheels     # development zip: expects onnxruntime in Blender's Python

The zip is a Blender 4.2+ extension (blender_manifest.toml) that also carries a legacy bl_info.
It vendors `inference/` inside the package and ships `models/shipped/` as `artifacts/`.
Wheels are fetched with pip into a cache (default ~/.cache/blender_wardrobe/wheels) for Blender's
Python 3.11; numpy is never bundled because Blender ships its own.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
ADDON = ROOT / "blender_wardrobe"
ENGINE = ROOT / "inference"
ARTIFACTS = ROOT / "models" / "shipped"
BLENDER_PYTHON = "3.11"  # Blender 4.2 LTS through 5.0
ORT_VERSION = "1.24.4"
TRIMESH_VERSION = "4.12.2"
ZIP_DATE = (2024, 1, 1, 0, 0, 0)  # fixed timestamps: the same sources give the same zip
EXCLUDE = re.compile(r"(__pycache__|\.pyc$|/\.|^\.)")


@dataclass(frozen=True)
class Wheel:
    requirement: str
    platform: str  # Blender platform id, or "any" for pure-Python wheels
    pip_platforms: tuple[str, ...] = ()


PLATFORM_TAGS = {
    "linux-x64": ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64"),
    "windows-x64": ("win_amd64",),
    "macos-arm64": tuple(f"macosx_{v}_0_arm64" for v in (15, 14, 13, 12, 11)),
}
VARIANTS = {
    "cpu": (
        Wheel(f"onnxruntime=={ORT_VERSION}", "linux-x64", PLATFORM_TAGS["linux-x64"]),
        Wheel(f"onnxruntime=={ORT_VERSION}", "windows-x64", PLATFORM_TAGS["windows-x64"]),
        Wheel(f"onnxruntime=={ORT_VERSION}", "macos-arm64", PLATFORM_TAGS["macos-arm64"]),
        Wheel(f"trimesh=={TRIMESH_VERSION}", "any"),
    ),
    "gpu": (
        Wheel(f"onnxruntime-gpu=={ORT_VERSION}", "linux-x64", PLATFORM_TAGS["linux-x64"]),
        Wheel(f"onnxruntime-directml=={ORT_VERSION}", "windows-x64", PLATFORM_TAGS["windows-x64"]),
        Wheel(f"onnxruntime=={ORT_VERSION}", "macos-arm64", PLATFORM_TAGS["macos-arm64"]),  # has CoreML
        Wheel(f"trimesh=={TRIMESH_VERSION}", "any"),
    ),
}


class BuildError(RuntimeError):
    """The build cannot continue; the message names the problem and the fix."""


def read_manifest() -> tuple[str, dict]:
    text = (ADDON / "blender_manifest.toml").read_text()
    return text, tomllib.loads(text)


def check_versions(manifest: dict):
    """bl_info, the manifest and the engine must agree on the version."""
    init = (ADDON / "__init__.py").read_text()
    match = re.search(r'"version":\s*\((\d+),\s*(\d+),\s*(\d+)\)', init)
    bl_version = ".".join(match.groups()) if match else None
    if bl_version != manifest["version"]:
        raise BuildError(f"bl_info version {bl_version} != manifest version {manifest['version']}")


def fetch_wheel(wheel: Wheel, cache: Path) -> Path:
    """The cached wheel for ``wheel``, downloading it with pip if needed."""
    name, version = wheel.requirement.split("==")
    dist = name.replace("-", "_")
    dest = cache / wheel.platform
    pattern = f"{dist}-{version}-*.whl"
    found = sorted(dest.glob(pattern))
    if found:
        return found[-1]
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--python-version", BLENDER_PYTHON, "--dest", str(dest), "--retries", "1", "--timeout", "30",
        wheel.requirement,
    ]
    for tag in wheel.pip_platforms:
        cmd += ["--platform", tag]
    print(f"fetching {wheel.requirement} for {wheel.platform} ...", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    found = sorted(dest.glob(pattern))
    if proc.returncode != 0 or not found:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise BuildError(
            f"could not fetch the {wheel.requirement} wheel for {wheel.platform} (Python {BLENDER_PYTHON}): "
            + " | ".join(tail)
            + "\nCheck the network / PIP_INDEX_URL, or build a development zip without bundled wheels "
            "with --no-wheels (then install onnxruntime into Blender's Python yourself)."
        )
    return found[-1]


def manifest_with_wheels(text: str, wheels: list[tuple[Wheel, Path]]) -> str:
    """The manifest text with `platforms` and `wheels` entries for the bundled wheels."""
    platforms = sorted({w.platform for w, _ in wheels if w.platform != "any"})
    lines = [f'platforms = [{", ".join(repr(p).replace(chr(39), chr(34)) for p in platforms)}]']
    lines.append("wheels = [")
    lines += [f'  "./wheels/{path.name}",' for _, path in wheels]
    lines.append("]")
    block = "\n".join(lines) + "\n"
    # Insert before the first table so the keys stay top-level.
    head, sep, tail = text.partition("\n[")
    return head.rstrip("\n") + "\n\n" + block + sep + tail


def iter_files(src: Path):
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src).as_posix()
        if path.is_file() and not EXCLUDE.search(rel):
            yield path, rel


def write_zip(out: Path, manifest_text: str, wheels: list[tuple[Wheel, Path]]) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".zip.part")
    entries: list[tuple[str, bytes]] = []
    for path, rel in iter_files(ADDON):
        if rel != "blender_manifest.toml":
            entries.append((rel, path.read_bytes()))
    entries.append(("blender_manifest.toml", manifest_text.encode()))
    entries += [(f"inference/{rel}", p.read_bytes()) for p, rel in iter_files(ENGINE)]
    entries += [(f"artifacts/{rel}", p.read_bytes()) for p, rel in iter_files(ARTIFACTS)]
    entries += [(f"wheels/{p.name}", p.read_bytes()) for _, p in wheels]
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".whl") else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    os.replace(tmp, out)  # never leave a half-written zip under the final name
    return out


def build(
    variant: str = "cpu", no_wheels: bool = False, cache: Path | None = None, out_dir: Path | None = None
) -> Path:
    text, manifest = read_manifest()
    check_versions(manifest)
    if not (ARTIFACTS / "template_avatar.npz").is_file():
        raise BuildError(f"{ARTIFACTS}/template_avatar.npz is missing: run python -m models.template.build_template")
    cache = cache or Path(os.environ.get("WARDROBE_WHEEL_CACHE", Path.home() / ".cache/blender_wardrobe/wheels"))
    wheels = [] if no_wheels else [(w, fetch_wheel(w, cache)) for w in VARIANTS[variant]]
    if wheels:
        text = manifest_with_wheels(text, wheels)
    suffix = "" if variant == "cpu" else f"-{variant}"
    suffix += "-nowheels" if no_wheels else ""
    out = (out_dir or ROOT / "dist") / f"{manifest['id']}-{manifest['version']}{suffix}.zip"
    return write_zip(out, text, wheels)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", choices=sorted(VARIANTS), default="cpu")
    ap.add_argument("--no-wheels", action="store_true", help="development zip without bundled wheels")
    ap.add_argument("--wheel-cache", type=Path, help="where fetched wheels are kept")
    ap.add_argument("--out-dir", type=Path, help="default: dist/")
    args = ap.parse_args(argv)
    try:
        out = build(args.variant, args.no_wheels, args.wheel_cache, args.out_dir)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
