"""Make Garment, Measure Fit and Drape through the real operators."""

import bpy
import numpy as np
import pytest


def _avatar():
    assert bpy.ops.wardrobe.add_avatar() == {"FINISHED"}
    return bpy.context.active_object


def _key(obj, name):
    kb = obj.data.shape_keys.key_blocks[name]
    co = np.empty(len(obj.data.vertices) * 3, np.float32)
    kb.points.foreach_get("co", co)
    return co.reshape(-1, 3)


def test_make_garment_is_cut_bound_and_measured(addon):
    avatar = _avatar()
    assert bpy.ops.wardrobe.make_garment(kind="dress", length=50.0, flare=40.0, ease_chest=8.0) == {"FINISHED"}
    dress = bpy.context.active_object
    s = dress.wardrobe
    assert s.role == "GARMENT" and s.avatar == avatar and s.binding == "SURFACE" and dress.parent == avatar
    assert dress.data.uv_layers.active is not None and "Wardrobe Pin" in dress.vertex_groups
    assert "ease chest +8.0 cm" in s.fit_report
    assert set(dress["wardrobe_pieces"]) == {"front", "back"}
    before = _key(dress, "Wardrobe Body").copy()
    avatar.wardrobe.hips = avatar.wardrobe.hips + 8.0  # the garment follows the body
    after = _key(dress, "Wardrobe Body")
    assert np.abs(after - before).max() > 0.005
    assert bpy.ops.wardrobe.garment_fit() == {"FINISHED"}
    assert "ease" in s.fit_report


def test_make_garment_bad_input_leaves_the_scene_as_it_was(addon):
    _avatar()
    n = len(bpy.data.objects)
    with pytest.raises(RuntimeError, match="above the crotch"):  # the operator reports the fix, then cancels
        bpy.ops.wardrobe.make_garment(kind="trousers", length=10.0)
    assert len(bpy.data.objects) == n


def test_make_garment_needs_an_avatar(addon):
    bpy.ops.mesh.primitive_cube_add()
    assert not bpy.ops.wardrobe.make_garment.poll()
    with pytest.raises(RuntimeError, match="avatar"):
        bpy.ops.wardrobe.make_garment()


def test_drape_bakes_folds_to_a_key_and_cleans_up(addon):
    avatar = _avatar()
    assert bpy.ops.wardrobe.make_garment(kind="dress", length=45.0, flare=80.0) == {"FINISHED"}
    dress = bpy.context.active_object
    frame = bpy.context.scene.frame_current
    assert bpy.ops.wardrobe.drape(frames=6, fabric="silk") == {"FINISHED"}
    keys = dress.data.shape_keys.key_blocks
    assert "Wardrobe Drape" in keys and keys["Wardrobe Drape"].relative_key == keys["Wardrobe Body"]
    moved = np.linalg.norm(_key(dress, "Wardrobe Drape") - _key(dress, "Wardrobe Body"), axis=1)
    assert moved.max() > 0.002  # the cloth fell
    assert _pokes(dress, avatar, _key(dress, "Wardrobe Drape")) == 0  # cleared after the simulation
    folds = _key(dress, "Wardrobe Drape") - _key(dress, "Wardrobe Body")
    avatar.wardrobe.hips += 6.0  # the draped dress follows the body with its folds
    np.testing.assert_allclose(_key(dress, "Wardrobe Drape") - _key(dress, "Wardrobe Body"), folds, atol=1e-5)
    assert not dress.modifiers and not avatar.modifiers  # cloth and collider removed
    assert bpy.context.scene.frame_current == frame
    # Drape again: the old key is replaced, not stacked.
    assert bpy.ops.wardrobe.drape(frames=3, fabric="denim") == {"FINISHED"}
    assert [k.name for k in dress.data.shape_keys.key_blocks].count("Wardrobe Drape") == 1


def test_drape_needs_a_garment(addon):
    _avatar()
    assert not bpy.ops.wardrobe.drape.poll()


def _pokes(garment_obj, avatar, co) -> int:
    """Body vertices through ``co`` (the garment's positions) on the avatar's current body: Measure Fit's test."""
    from blender_wardrobe import body_sync, garment_data, mesh_io, model_cache
    from blender_wardrobe.engine import garment

    body, _, _, _ = body_sync.current_body(avatar, model_cache.body_shaper(bpy.context))
    spec = garment_data.spec_of(garment_obj)
    faces = garment_data.sleeve_faces(garment_obj)
    return garment.fit(mesh_io.read_mesh(garment_obj.data, co), body, spec.sleeve, faces).pokes


HEAVIER = {"chest": -8.0, "waist": 2.0, "hips": 7.0, "stature": -3.0, "weight": 20.0}  # pokes into trousers
TROUSERS = {"kind": "trousers", "length": 92.0, "ease_waist": 2.0, "ease_hips": 10.0, "flare": 8.0}


def test_a_heavier_body_is_cleared_out_of_the_garment_at_once_in_a_script(addon):
    avatar = _avatar()
    assert bpy.ops.wardrobe.make_garment(**TROUSERS) == {"FINISHED"}
    trousers = bpy.context.active_object
    from blender_wardrobe import body_sync

    with body_sync.suspended():
        for name, step in HEAVIER.items():
            setattr(avatar.wardrobe, name, getattr(avatar.wardrobe, name) + step)
    body_sync.update_avatar(avatar, clear=body_sync.NEVER)  # what a drag in the UI shows: the follow alone
    assert _pokes(trousers, avatar, _key(trousers, "Wardrobe Body")) > 0
    avatar.wardrobe.chest += 0.1  # a slider set in a background run clears at once
    assert _pokes(trousers, avatar, _key(trousers, "Wardrobe Body")) == 0
    assert bpy.ops.wardrobe.garment_fit() == {"FINISHED"} and "through" not in trousers.wardrobe.fit_report


def test_a_drag_clears_the_garment_on_a_worker_once_it_pauses_and_drops_stale_results(addon, monkeypatch):
    import time

    from blender_wardrobe import body_sync

    avatar = _avatar()
    avatar.wardrobe.follow = False  # each slider as set, the others left where they are
    assert bpy.ops.wardrobe.make_garment(**TROUSERS) == {"FINISHED"}
    trousers = bpy.context.active_object
    timers = []
    monkeypatch.setattr(body_sync, "_can_defer", lambda: True)  # as in the UI, whose event loop runs timers
    monkeypatch.setattr(body_sync, "_later", lambda fn, seconds: timers.append(fn))
    for name, step in HEAVIER.items():  # a drag: each tick follows at once and asks for a clearance later
        setattr(avatar.wardrobe, name, getattr(avatar.wardrobe, name) + step)
    dragged = _key(trousers, "Wardrobe Body").copy()
    assert _pokes(trousers, avatar, dragged) > 0 and len(timers) == len(HEAVIER)
    assert timers[0]() is None and len(timers) == len(HEAVIER)  # a tick came after it: it starts nothing
    timers[-1]()  # the drag paused: the worker starts
    finish = timers[-1]
    while finish() is not None:  # poll as the timer would
        time.sleep(0.02)
    cleared = _key(trousers, "Wardrobe Body")
    assert _pokes(trousers, avatar, cleared) < _pokes(trousers, avatar, dragged)
    body_sync.update_avatar(avatar)  # the same body cleared at once: the worker wrote the same
    np.testing.assert_allclose(cleared, _key(trousers, "Wardrobe Body"), atol=1e-6)

    avatar.wardrobe.chest += 1.0  # a worker overtaken by another tick: its result is dropped
    timers[-1]()
    stale = timers[-1]
    avatar.wardrobe.chest += 1.0
    newest = _key(trousers, "Wardrobe Body").copy()
    while stale() is not None:
        time.sleep(0.02)
    np.testing.assert_array_equal(_key(trousers, "Wardrobe Body"), newest)
    body_sync.settle(avatar)  # what Drape and Measure Fit do first: the pending clearance now
    assert _pokes(trousers, avatar, _key(trousers, "Wardrobe Body")) == 0
