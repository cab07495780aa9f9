"""The committed template asset is exactly what the committed converter makes from the CC0 source."""

import hashlib
import json
from pathlib import Path

import numpy as np

from models.template import build_template

SHIPPED = Path(build_template.__file__).resolve().parents[1] / "shipped"


def test_rebuild_matches_shipped_asset(data_root):
    arrays, meta = build_template.build(data_root)
    with np.load(SHIPPED / "template_avatar.npz") as shipped:
        assert sorted(shipped.files) == sorted(arrays)
        for key, value in arrays.items():
            np.testing.assert_array_equal(shipped[key], value, err_msg=key)
    assert json.loads((SHIPPED / "template_avatar.json").read_text()) == json.loads(json.dumps(meta))


def test_source_hash_and_counts(data_root):
    _, meta = build_template.build(data_root)
    src = data_root / build_template.SOURCE_REL
    assert meta["source_sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert meta["parts"]["body"]["vertices"] == 13380
    assert abs(meta["stature_m"] - 1.666) < 0.01  # MakeHuman's default body is 16.66 dm tall


def test_obj_frame_conversion():
    co = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(build_template.obj_to_blender(co), [[0.1, -0.3, 0.2]])


def test_body_vertices_keep_source_order(data_root):
    arrays, _ = build_template.build(data_root)
    np.testing.assert_array_equal(arrays["body/source_vertex"], np.arange(13380))
