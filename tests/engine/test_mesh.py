import json

import numpy as np
import pytest

from inference import artifacts, mesh


def test_template_body_counts_and_uvs():
    body = mesh.load_template("body")
    assert body.n_vertices == 13380
    assert body.loop_uv is not None and body.loop_uv.shape == (body.loop_vertex.shape[0], 2)
    assert (body.face_sizes == 4).all()  # MakeHuman body is all quads
    assert np.all((body.loop_uv >= 0) & (body.loop_uv <= 1))


def test_template_is_in_blender_frame_and_stands_on_ground():
    body = mesh.load_template("body")
    card = mesh.template_card()
    z = body.co[:, 2]
    assert z.min() == pytest.approx(0.0, abs=1e-6)
    assert z.max() - z.min() == pytest.approx(card["stature_m"], abs=0.01)
    assert 1.5 < card["stature_m"] < 1.8  # metres, not decimetres
    width, depth = np.ptp(body.co[:, 0]), np.ptp(body.co[:, 1])
    assert width > depth  # arms out along X, Z up: not the OBJ's Y-up frame
    assert len(card["source_sha256"]) == 64 and card["license"] == "CC0-1.0"


@pytest.mark.parametrize("part", ["tights", "skirt"])
def test_template_garments_surround_the_body(part):
    body, garment = mesh.load_template("body"), mesh.load_template(part)
    assert garment.n_vertices > 100 and garment.loop_uv is not None
    # Garments were converted with the body's offset: they sit on the body, between feet and head.
    assert garment.co[:, 2].min() > -0.02 and garment.co[:, 2].max() < body.co[:, 2].max()


def test_unknown_part_names_the_choices():
    with pytest.raises(ValueError, match="tights, skirt"):
        mesh.load_template("hat")


def test_triangles_fan_out_polygons():
    m = mesh.MeshData(
        co=np.zeros((5, 3), np.float32),
        face_sizes=np.array([3, 4], np.int32),
        loop_vertex=np.array([0, 1, 2, 1, 2, 3, 4], np.int32),
    )
    assert m.triangles().tolist() == [[0, 1, 2], [1, 2, 3], [1, 3, 4]]
    assert m.loop_start.tolist() == [0, 3]


@pytest.mark.parametrize(
    "co, sizes, loops, uv, match",
    [
        (np.zeros((0, 3)), [], [], None, "no vertices"),
        (np.full((3, 3), np.nan), [3], [0, 1, 2], None, "non-finite"),
        (np.zeros((3, 3)), [4], [0, 1, 2], None, "inconsistent polygons"),
        (np.zeros((3, 3)), [3], [0, 1, 7], None, "missing vertices"),
        (np.zeros((3, 3)), [3], [0, 1, 2], np.zeros((2, 2)), "UV layer"),
    ],
)
def test_validate_names_the_problem(co, sizes, loops, uv, match):
    m = mesh.MeshData(np.asarray(co, np.float32), np.asarray(sizes, np.int32), np.asarray(loops, np.int32), uv)
    with pytest.raises(mesh.MeshError, match=match):
        m.validate("test mesh")


def test_missing_artifact_message_names_locations_and_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(artifacts, "SHIPPED_CANDIDATES", (tmp_path / "nowhere",))
    monkeypatch.delenv(artifacts.ENV_VAR, raising=False)
    with pytest.raises(artifacts.ArtifactNotFound, match="user model folder"):
        artifacts.find("template_avatar.npz")


def test_user_folder_overrides_shipped(monkeypatch, tmp_path):
    (tmp_path / "template_avatar.json").write_text(json.dumps({"stature_m": 2.0}))
    assert mesh.template_card(user_dir=tmp_path)["stature_m"] == 2.0
    monkeypatch.setenv(artifacts.ENV_VAR, str(tmp_path))
    assert artifacts.find("template_avatar.json") == tmp_path / "template_avatar.json"
