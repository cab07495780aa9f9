"""Convert the CC0 MakeHuman hm08 base mesh into the project's compact template asset.

    python -m models.template.build_template --data ../shared/data [--out models/shipped]

Writes ``template_avatar.npz`` (body plus the ``tights`` and ``skirt`` helper garments) and
``template_avatar.json`` (attribution, source sha256, frame, counts, stature). Reproducible:
the same base.obj always gives the same arrays (tests regenerate and compare).

The OBJ is parsed here rather than through trimesh because the template must keep MakeHuman's
quads, vertex order and per-corner UVs exactly: the body targets and every later model index
vertices by their position in this file, and trimesh triangulates and reorders on load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

from inference.mesh import MeshData
from inference.vocabulary import BODY_PARTS
from models.body.targets import dense_target
from models.template.body_parts import WEIGHTS_REL, body_parts
from models.template.landmarks import find_landmarks

SOURCE_REL = Path("bodies/mpfb2/3dobjs/base.obj")
BREAST_TARGET_REL = Path(
    "bodies/mpfb2/targets/breast/female-young-averagemuscle-averageweight-maxcup-averagefirmness.target.gz"
)
PARTS = {"body": ("body",), "tights": ("helper-tights",), "skirt": ("helper-skirt",)}
DM_TO_M = 0.1
ATTRIBUTION = (
    "MakeHuman hm08 base mesh, CC0 1.0 (Data Collection AB, Joel Palmius, Jonas Hauquier), "
    "via makehumancommunity/mpfb2 src/mpfb/data/3dobjs/base.obj"
)


def parse_obj(path: Path) -> dict:
    """Vertices, UVs and faces (with their group) of an OBJ, keeping order and polygons."""
    verts, uvs, faces, face_groups = [], [], [], []
    group = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            tag, _, rest = line.partition(" ")
            if tag == "v":
                verts.append([float(t) for t in rest.split()[:3]])
            elif tag == "vt":
                uvs.append([float(t) for t in rest.split()[:2]])
            elif tag == "g":
                group = rest.strip()
            elif tag == "f":
                corners = [c.split("/") for c in rest.split()]
                faces.append([(int(c[0]) - 1, int(c[1]) - 1 if len(c) > 1 and c[1] else -1) for c in corners])
                face_groups.append(group)
    return {
        "verts": np.asarray(verts, np.float64),
        "uvs": np.asarray(uvs, np.float64),
        "faces": faces,
        "face_groups": face_groups,
    }


def obj_to_blender(co_obj: np.ndarray) -> np.ndarray:
    """OBJ frame (Y up, decimetres) to Blender's (Z up, metres): x, -z, y."""
    return np.stack([co_obj[:, 0], -co_obj[:, 2], co_obj[:, 1]], axis=1) * DM_TO_M


def extract_part(obj: dict, groups: tuple[str, ...], ground_offset: np.ndarray) -> dict:
    """Faces of the given groups, vertices re-indexed compactly in their original order."""
    faces = [f for f, g in zip(obj["faces"], obj["face_groups"]) if g in groups]
    if not faces:
        raise ValueError(f"no faces in groups {groups}")
    if any(uv < 0 for f in faces for _, uv in f):
        raise ValueError(f"groups {groups} have faces without UVs")
    used = np.unique([v for f in faces for v, _ in f])
    remap = np.full(len(obj["verts"]), -1, np.int64)
    remap[used] = np.arange(len(used))
    co = obj_to_blender(obj["verts"][used]) + ground_offset
    return {
        "co": co.astype(np.float32),
        "face_sizes": np.array([len(f) for f in faces], np.int32),
        "loop_vertex": np.array([remap[v] for f in faces for v, _ in f], np.int32),
        "loop_uv": obj["uvs"][[uv for f in faces for _, uv in f]].astype(np.float32),
        "source_vertex": used.astype(np.int32),
    }


def build(data_root: Path) -> tuple[dict[str, np.ndarray], dict]:
    src = data_root / SOURCE_REL
    if not src.is_file():
        raise FileNotFoundError(f"{src} not found: pass --data pointing at shared/data")
    obj = parse_obj(src)
    body_co = obj_to_blender(obj["verts"][:13380])
    # Stand the body on the ground (z = 0) and centre it over the origin in x/y.
    offset = np.array([-body_co[:, 0].mean(), -body_co[:, 1].mean(), -body_co[:, 2].min()])
    arrays, parts_meta = {}, {}
    for name, groups in PARTS.items():
        part = extract_part(obj, groups, offset)
        for key, value in part.items():
            arrays[f"{name}/{key}"] = value
        parts_meta[name] = {
            "groups": list(groups),
            "vertices": int(len(part["co"])),
            "faces": int(len(part["face_sizes"])),
            "loops": int(len(part["loop_vertex"])),
        }
    arrays["body/part"] = body_parts(data_root, len(arrays["body/co"]))
    body_z = arrays["body/co"][:, 2]
    body = MeshData(arrays["body/co"], arrays["body/face_sizes"], arrays["body/loop_vertex"])
    breast = dense_target(str(data_root / BREAST_TARGET_REL))
    landmarks = find_landmarks(body.co, body.triangles(), breast)
    crown, sole = int(body_z.argmax()), int(body_z.argmin())
    meta = {
        "name": "template_avatar",
        "format": "npz: <part>/co (V,3) float32 metres, face_sizes (F,), loop_vertex (L,), "
        "loop_uv (L,2), source_vertex (V,) index into base.obj; body/part (V,) uint8 index into body_parts.legend",
        "frame": "Blender: Z up, -Y forward, metres, feet on z=0, centred in x/y",
        "source": str(SOURCE_REL),
        "source_sha256": hashlib.sha256(src.read_bytes()).hexdigest(),
        "license": "CC0-1.0",
        "attribution": ATTRIBUTION,
        "ground_offset_m": [round(float(v), 6) + 0.0 for v in offset],
        "stature_m": round(float(body_z[crown] - body_z[sole]), 5),
        "stature_vertices": {"crown": crown, "sole": sole},
        "landmarks": landmarks,
        "body_parts": {"legend": list(BODY_PARTS), "source": str(WEIGHTS_REL),
                       "rule": "part of the bone with the largest skin weight"},
        "parts": parts_meta,
        "build_command": "python -m models.template.build_template --data ../shared/data",
    }
    return arrays, meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"), help="shared data root")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "shipped")
    args = ap.parse_args(argv)
    arrays, meta = build(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / "template_avatar.npz", **arrays)
    (args.out / "template_avatar.json").write_text(json.dumps(meta, indent=2) + "\n")
    counts = ", ".join(f"{k} {v['vertices']} vertices" for k, v in meta["parts"].items())
    print(f"wrote {args.out / 'template_avatar.npz'}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
