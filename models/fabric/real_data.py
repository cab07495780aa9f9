"""The real PBR fabric sets in ../shared/data/fabrics, normalised to one convention.

albedo: sRGB in [0, 1]; height: [0, 1], higher = nearer the viewer; roughness: [0, 1];
normal: OpenGL (Y+) unit vectors, or None. DirectX normals get their green flipped (the SOURCE.txt
of each set names the convention), depth maps are inverted, a missing height is integrated from the
normal map (Frankot-Chellappa, periodic) or, with no normal either, taken from albedo luminance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Set folder -> the synthesiser kind it is conditioned as.
KIND_OF_SET = {
    "3dtextures_Fabric_001": "cotton",
    "3dtextures_Fabric_Knitted_006": "jersey",
    "3dtextures_Fabric_Rug_006": "basket",
    "3dtextures_Fabric_Silk_001": "satin",
    "3dtextures_Leather_008": "leather",
    "3dtextures_Soundproof_Wool_001": "velvet",
    "ambientcg_Fabric002_cc0textures_Fabric02": "linen",
    "ambientcg_Leather005_cc0textures_Leather05": "leather",
    "ambientcg_Leather037": "leather",
    "godotdemo_wool": "jersey",
}
GLOSSY_KINDS = ("satin", "leather")
ROLE_WORDS = {
    "albedo": ("basecolor", "albedo", "_color", "_col."),
    "height": ("disp", "height", "depth"),
    "roughness": ("rough", "rgh"),
    "normal": ("normal", "_norm", "_nrm"),
}


@dataclass
class PBRSet:
    name: str
    kind: str
    albedo: np.ndarray  # (H, W, 3) float32
    height: np.ndarray  # (H, W) float32
    roughness: np.ndarray  # (H, W) float32
    normal: np.ndarray | None  # (H, W, 3) OpenGL unit normals
    notes: list[str]


def _find(folder: Path, role: str) -> Path | None:
    words = ROLE_WORDS[role]
    for path in sorted(folder.iterdir()):
        name = "_" + path.name.lower()
        if path.suffix.lower() in (".png", ".jpg", ".jpeg") and any(w in name for w in words) and "color2" not in name:
            return path
    return None


def _load(path: Path, size: int | None) -> np.ndarray:
    from PIL import Image

    img = Image.open(path)
    if img.mode in ("I;16", "I;16B", "I"):
        arr = np.asarray(img, np.float64) / 65535.0
        img_f = Image.fromarray((arr * 65535).astype(np.uint16))
        if size and img.size != (size, size):
            arr = np.asarray(img_f.resize((size, size), Image.BICUBIC), np.float64) / 65535.0
        return arr.astype(np.float32)
    img = img.convert("RGB")
    if size and img.size != (size, size):
        img = img.resize((size, size), Image.BICUBIC)
    return np.asarray(img, np.float32) / 255.0


def normal_convention(folder: Path) -> str:
    text = (folder / "SOURCE.txt").read_text(errors="replace") if (folder / "SOURCE.txt").is_file() else ""
    for line in text.splitlines():
        if line.lower().startswith("normal"):
            return "directx" if "directx" in line.lower() else "opengl"
    return "opengl"


def height_from_normals(normal: np.ndarray) -> np.ndarray:
    """Frankot-Chellappa: the periodic height whose gradient best matches an OpenGL normal map."""
    n = normal.astype(np.float64)
    nz = np.clip(n[..., 2], 0.1, None)
    # OpenGL: n ~ (-dh/dx, -dh/dy_up, 1) and rows grow downwards, so dh/drow = +n_y / n_z.
    p, q = -n[..., 0] / nz, n[..., 1] / nz
    h, w = p.shape
    wx = 2 * np.pi * np.fft.fftfreq(w)[None, :]
    wy = 2 * np.pi * np.fft.fftfreq(h)[:, None]
    denom = wx**2 + wy**2
    denom[0, 0] = 1
    z = (-1j * wx * np.fft.fft2(p) - 1j * wy * np.fft.fft2(q)) / denom
    z[0, 0] = 0
    height = np.real(np.fft.ifft2(z))
    return ((height - height.min()) / max(np.ptp(height), 1e-9)).astype(np.float32)


def load_set(folder: Path, size: int | None = 512) -> PBRSet:
    folder = Path(folder)
    notes = []
    albedo_path = _find(folder, "albedo")
    if albedo_path is None:
        raise FileNotFoundError(f"{folder} has no colour map")
    albedo = _load(albedo_path, size)
    normal = None
    npath = _find(folder, "normal")
    if npath is not None:
        rgb = _load(npath, size)
        normal = rgb * 2 - 1
        if normal_convention(folder) == "directx":
            normal[..., 1] *= -1
            notes.append("normal: DirectX -> OpenGL (green flipped)")
        normal /= np.linalg.norm(normal, axis=2, keepdims=True) + 1e-9
    hpath = _find(folder, "height")
    if hpath is not None:
        hmap = _load(hpath, size)
        hmap = hmap.mean(2) if hmap.ndim == 3 else hmap
        if "depth" in hpath.name.lower():
            hmap = 1 - hmap
            notes.append("height: depth map inverted")
    elif normal is not None:
        hmap = height_from_normals(normal)
        notes.append("height: integrated from the normal map")
    else:
        lum = albedo @ np.array([0.2126, 0.7152, 0.0722], np.float32)
        hmap = lum
        notes.append("height: no height or normal map, albedo luminance used")
    hmap = (hmap - hmap.min()) / max(float(np.ptp(hmap)), 1e-6)
    rpath = _find(folder, "roughness")
    if rpath is not None:
        rough = _load(rpath, size)
        rough = rough.mean(2) if rough.ndim == 3 else rough
    else:
        rough = np.full(hmap.shape, 0.77, np.float32)
        notes.append("roughness: constant 0.77 (the source material's value)")
    kind = KIND_OF_SET.get(folder.name, "cotton")
    if rpath is not None and kind not in GLOSSY_KINDS and float(rough.mean()) < 0.2:
        # Matte fabrics are never this glossy: such a map is a gloss/specular map under a roughness name.
        notes.append(f"roughness: mean {float(rough.mean()):.2f} implausible for {kind}; treated as gloss, inverted")
        rough = 1 - rough
    return PBRSet(folder.name, kind, albedo.astype(np.float32), hmap.astype(np.float32), rough.astype(np.float32),
                  normal, notes)


def load_all(root: Path, size: int | None = 512) -> list[PBRSet]:
    root = Path(root) / "fabrics" if (Path(root) / "fabrics").is_dir() else Path(root)
    return [load_set(d, size) for d in sorted(root.iterdir()) if d.is_dir()]


def random_crops(s: PBRSet, n: int, crop: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 5, crop, crop) wrap-around crops (albedo 3, height, roughness) with flips and 90-degree turns."""
    stack = np.concatenate([s.albedo, s.height[..., None], s.roughness[..., None]], 2)
    h, w, _ = stack.shape
    out = np.empty((n, 5, crop, crop), np.float32)
    for i in range(n):
        ys = (rng.integers(h) + np.arange(crop)) % h
        xs = (rng.integers(w) + np.arange(crop)) % w
        c = stack[np.ix_(ys, xs)]
        c = np.rot90(c, rng.integers(4))
        if rng.random() < 0.5:
            c = c[:, ::-1]
        out[i] = c.transpose(2, 0, 1)
    return out
