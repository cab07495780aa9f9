"""Body sliders -> one managed shape key on the avatar and on every garment bound to it.

Slider values live on ``Object.wardrobe`` (saved with the .blend). Each change decodes a body with
the engine and writes the key with ``points.foreach_set``. Made-to-measure garments are then pushed out
where the new body pokes through them (clearance, 0.2-0.6 s a garment): at once for an operator, a
script or a background run; for a slider drag on a worker thread once the drag has paused, so dragging
stays live. Bindings are stored on the mesh as point attributes, so a reopened file follows again
without recomputing them. Per-object arrays (basis, binding, reference body) are cached in memory keyed
by the object's pointer and vertex count.
"""

from dataclasses import dataclass, field
from functools import partial

import bpy
import numpy as np

from . import choices, garment_data, mesh_io, model_cache
from .engine import binding as engine_binding
from .engine import body as engine_body
from .engine import body_shaper as engine_body_shaper
from .jobs import Job

BODY_KEY = "Wardrobe Body"
DRAPE_KEY = "Wardrobe Drape"  # a baked drape, relative to the body key
BIND_IDS = ("wardrobe_bind_a", "wardrobe_bind_b", "wardrobe_bind_c")
BIND_WEIGHTS = "wardrobe_bind_weights"
BIND_DISTANCE = "wardrobe_bind_distance"


CLEAR_AFTER_S = 0.3  # a drag that paused this long gets its garments cleared
POLL_S = 0.05


@dataclass
class _State:
    suspended: int = 0  # > 0 while sliders are set in bulk: no decode per slider
    written: dict = field(default_factory=dict)  # avatar pointer -> count of body writes (stale-result check)
    pending: dict = field(default_factory=dict)  # avatar pointer -> what a deferred clearance needs
    bodies: dict = field(default_factory=dict)  # avatar pointer -> the body last written (slider, exact or scan)


_state = _State()
_cache: dict = {}  # per-object arrays (basis, binding), rebuilt lazily after load/undo


class suspended:
    """Set many sliders without decoding a body for each (Reset, Random, Fit): update once afterwards."""

    def __enter__(self):
        _state.suspended += 1

    def __exit__(self, *exc):
        _state.suspended -= 1


def slider_values(avatar) -> dict[str, float]:
    s = avatar.wardrobe
    return {name: float(getattr(s, name)) for name in engine_body.SLIDERS}


def set_sliders(avatar, values: dict, style=None, sex=None):
    s = avatar.wardrobe
    with suspended():
        if sex is not None:
            s.sex = sex
        for name in engine_body.SLIDERS:
            if name in values:
                setattr(s, name, float(values[name]))
        if style is not None:
            full = np.zeros(choices.STYLE_SIZE, np.float32)
            full[:len(style)] = np.asarray(style, np.float32)[:choices.STYLE_SIZE]
            s.style = full


def style_of(obj_settings, latent: int) -> np.ndarray:
    return np.array(obj_settings.style[:latent], np.float32)


def garments_of(avatar):
    return [o for o in bpy.data.objects if o.type == "MESH" and o.wardrobe.role == "GARMENT"
            and o.wardrobe.avatar == avatar and o.wardrobe.binding != "NONE"]


# -- shape keys --------------------------------------------------------------------------------
def body_key(obj):
    """The managed shape key (created with a Basis on first use)."""
    if obj.data.shape_keys is None:
        obj.shape_key_add(name="Basis", from_mix=False)
    key = obj.data.shape_keys.key_blocks.get(BODY_KEY)
    if key is None:
        key = obj.shape_key_add(name=BODY_KEY, from_mix=False)
    key.value = 1.0
    return key


def basis_co(obj) -> np.ndarray:
    """Rest positions: the reference key when the mesh has shape keys, else the mesh vertices."""
    me = obj.data
    n = len(me.vertices)
    co = np.empty(n * 3, np.float32)
    if me.shape_keys is not None:
        me.shape_keys.reference_key.points.foreach_get("co", co)
    else:
        me.vertices.foreach_get("co", co)
    return co.reshape(n, 3)


def write_key(obj, co: np.ndarray):
    key = body_key(obj)
    co = np.ascontiguousarray(co, np.float32).ravel()
    drape = obj.data.shape_keys.key_blocks.get(DRAPE_KEY)
    if drape is not None and drape.relative_key == key:  # keep the folds on the body: a relative key adds
        was = np.empty_like(co)  # (drape - body), so a drape left as it was would pull the cloth back
        key.points.foreach_get("co", was)
        folds = np.empty_like(co)
        drape.points.foreach_get("co", folds)
        drape.points.foreach_set("co", folds + (co - was))
    key.points.foreach_set("co", co)
    obj.data.update_tag()
    obj.update_tag()


# -- bindings stored on the mesh -------------------------------------------------------------------
def store_binding(obj, b: "engine_binding.Binding", reference_params=None):
    """Keep a binding with the mesh (point attributes) and remember which body it was made against."""
    me, s = obj.data, obj.wardrobe
    for name in (*BIND_IDS, BIND_WEIGHTS, BIND_DISTANCE):
        if name in me.attributes:
            me.attributes.remove(me.attributes[name])
    if b.identity:
        s.binding = "IDENTITY"
    else:
        for k, name in enumerate(BIND_IDS):
            me.attributes.new(name, "INT", "POINT").data.foreach_set(
                "value", np.ascontiguousarray(b.vertex_ids[:, k], np.int32))
        me.attributes.new(BIND_WEIGHTS, "FLOAT_VECTOR", "POINT").data.foreach_set(
            "vector", np.ascontiguousarray(b.weights, np.float32).ravel())
        me.attributes.new(BIND_DISTANCE, "FLOAT", "POINT").data.foreach_set(
            "value", np.ascontiguousarray(b.distance, np.float32))
        s.binding = "SURFACE"
    s.bind_vertex_count = len(me.vertices)
    s.bind_to_body = reference_params is not None
    if reference_params is not None:
        cond, style = reference_params
        s.bind_condition = tuple(float(v) for v in cond)
        full = np.zeros(choices.STYLE_SIZE, np.float32)
        full[:len(style)] = style
        s.bind_style = full
    _cache.pop(obj.as_pointer(), None)


def _load_binding(obj) -> "engine_binding.Binding":
    me, n = obj.data, len(obj.data.vertices)
    if obj.wardrobe.binding == "IDENTITY":
        ids = np.repeat(np.arange(n)[:, None], 3, 1)
        w = np.zeros((n, 3), np.float32)
        w[:, 0] = 1
        return engine_binding.Binding(ids, w, np.zeros(n, np.float32), identity=True)
    missing = [a for a in (*BIND_IDS, BIND_WEIGHTS) if a not in me.attributes]
    if missing:
        raise ValueError(f"'{obj.name}' lost its binding attributes ({', '.join(missing)}): bind it again")
    bound = obj.wardrobe.bind_vertex_count
    if bound and bound != n:  # subdividing interpolates the attributes: they look valid but are not
        raise ValueError(f"'{obj.name}' has {n:,} vertices but was bound with {bound:,} (subdivided or edited "
                         "since): bind it again")
    ids = np.empty((3, n), np.int32)
    for k, name in enumerate(BIND_IDS):
        me.attributes[name].data.foreach_get("value", ids[k])
    w = np.empty(n * 3, np.float32)
    me.attributes[BIND_WEIGHTS].data.foreach_get("vector", w)
    dist = np.zeros(n, np.float32)
    if BIND_DISTANCE in me.attributes:
        me.attributes[BIND_DISTANCE].data.foreach_get("value", dist)
    return engine_binding.Binding(ids.T.astype(np.int64), w.reshape(n, 3), dist)


def _smoother(obj, b: "engine_binding.Binding"):
    """Displacement smoothing for the parts of a garment that stand off the body (None for avatars)."""
    if b.identity or obj.wardrobe.role != "GARMENT":
        return None
    edges = np.empty(len(obj.data.edges) * 2, np.int32)
    obj.data.edges.foreach_get("vertices", edges)
    return engine_binding.DisplacementSmoother(edges.reshape(-1, 2), b.distance)


def _mesh_state(obj, shaper) -> dict:
    """Cached basis, binding and reference body of ``obj`` (rebuilt when its vertex count changes)."""
    key = obj.as_pointer()
    n = len(obj.data.vertices)
    st = _cache.get(key)
    if st is None or st["n"] != n:
        s = obj.wardrobe
        ref = None
        if s.bind_to_body:
            ref = shaper.decode(np.array(s.bind_condition, np.float32),
                                np.array(s.bind_style[:shaper.latent], np.float32))
        b = _load_binding(obj)
        st = {"n": n, "binding": b, "reference": ref, "smoother": _smoother(obj, b), "clearance": None}
        spec = garment_data.spec_of(obj) if s.role == "GARMENT" else None
        if spec is not None:  # made to measure: its pieces say what it covers (a helper garment is left be)
            st["clearance"] = shaper.clearance(mesh_io.read_mesh(obj.data), spec.sleeve,
                                               garment_data.sleeve_faces(obj))
        _cache[key] = st
    st["basis"] = basis_co(obj)  # read every time (~0.1 ms per 10k vertices): the user may have edited it
    return st


def forget(obj=None):
    """Drop cached arrays (after undo, file load, or editing the mesh)."""
    if obj is None:
        _cache.clear()
        _state.pending.clear()  # an undo or a new file: a deferred clearance would write an older body
        _state.bodies.clear()
    else:
        _cache.pop(obj.as_pointer(), None)


def _frame(obj, avatar) -> np.ndarray | None:
    """4x4 ``obj``'s frame -> the avatar's; None when they coincide (parented, untransformed)."""
    if obj == avatar:
        return None
    m = np.array(avatar.matrix_world.inverted() @ obj.matrix_world, np.float64)
    return None if np.allclose(m, np.eye(4), atol=1e-6) else m


# -- the update ---------------------------------------------------------------------------------------
def current_body(avatar, shaper) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(vertices, condition, style, warnings) of the avatar's slider values."""
    s = avatar.wardrobe
    style = style_of(s, shaper.latent)
    if s.match_exactly:
        res = shaper.exact(slider_values(avatar), s.sex, style)
        return res.vertices, res.condition, style, res.warnings
    cond, warnings = shaper.condition(slider_values(avatar), s.sex)
    return shaper.decode(cond, style), cond, style, warnings


def typical_for(avatar, shaper, given: dict[str, float]) -> dict[str, float]:
    """All slider values: ``given`` ones and locked ones as they are, the rest the population's conditional
    expectation given those (an API or batch call that sets a subset); marks the inferred ones."""
    s = avatar.wardrobe
    held = {n: float(getattr(s, n)) for n, on in zip(engine_body.SLIDERS, s.locked, strict=True) if on}
    fixed = held | {n: float(v) for n, v in given.items()}
    expected = shaper.model.expected(fixed, s.sex)
    for j, name in enumerate(engine_body.SLIDERS):
        s.inferred[j] = name not in fixed
    return {n: (fixed[n] if n in fixed else float(expected[j])) for j, n in enumerate(engine_body.SLIDERS)}


def follow_move(avatar, shaper, moved: str):
    """Move the unlocked sliders along the population's expectation for the one the user ``moved``."""
    s = avatar.wardrobe
    i = engine_body.SLIDERS.index(moved)
    values = slider_values(avatar)
    previous = float(s.applied[i]) if any(s.applied) else values[moved]
    locked = [n for n, on in zip(engine_body.SLIDERS, s.locked, strict=True) if on]
    new = shaper.follow(values, s.sex, moved, previous, locked)
    with suspended():
        for j, name in enumerate(engine_body.SLIDERS):
            if name == moved:
                s.inferred[j] = False
            elif name not in locked and abs(new[name] - values[name]) > 1e-6:
                setattr(s, name, new[name])
                s.inferred[j] = True


NOW, AFTER_DRAG, NEVER = "now", "after_drag", "never"  # when update_avatar clears made-to-measure garments


def update_avatar(avatar, context=None, body=None, clear: str = NOW):
    """Decode the avatar's body and write it, and its garments' shapes, into the managed shape keys.

    One crossing into the engine and one back: slider values and the cached followers go in, the
    body and every mesh's new positions come out. ``clear``: NOW; AFTER_DRAG (a slider tick: on a
    worker once the drag pauses for ``CLEAR_AFTER_S``, or now where no event loop runs timers); NEVER
    (the caller writes another body right after).
    """
    shaper = model_cache.body_shaper(context or bpy.context)
    meshes = (avatar, *garments_of(avatar))
    followers = []
    for obj in meshes:
        st = _mesh_state(obj, shaper)
        followers.append(engine_body_shaper.Follower(st["binding"], st["basis"], st["reference"], st["smoother"],
                                                     _frame(obj, avatar), st["clearance"]))
    s = avatar.wardrobe
    warnings = []
    if body is None and s.match_exactly:
        body, _, _, warnings = current_body(avatar, shaper)
    defer = clear == AFTER_DRAG and _can_defer()
    pose = shaper.pose(slider_values(avatar), s.sex, style_of(s, shaper.latent), followers, body=body,
                       clear=clear != NEVER and not defer)
    _write(avatar, meshes, pose)
    s.body_message = "; ".join(warnings + pose.warnings + _still_through(meshes, pose))
    s.applied = [slider_values(avatar)[n] for n in engine_body.SLIDERS]
    if defer and any(f.clearance is not None for f in followers):
        _defer_clearance(avatar, meshes, followers, pose)
    return pose.body


def _write(avatar, meshes, pose, cleared_only: bool = False):
    for k, (obj, co) in enumerate(zip(meshes, pose.positions)):
        if not cleared_only or (pose.pokes and pose.pokes[k] is not None):
            write_key(obj, co)
    key = avatar.as_pointer()
    _state.bodies[key] = pose.body
    _state.written[key] = _state.written.get(key, 0) + 1  # a clearance begun before this is now stale
    _state.pending.pop(key, None)


def _still_through(meshes, pose) -> list[str]:
    return [f"'{obj.name}': {n} body vertices still through it (the body outgrew it: make it again, or with "
            "more ease)" for obj, n in zip(meshes, pose.pokes or (), strict=False) if n]


# -- clearance after a slider drag -----------------------------------------------------------------------
def _can_defer() -> bool:
    return not bpy.app.background  # no event loop runs timers in background mode


def _later(fn, seconds: float):
    bpy.app.timers.register(fn, first_interval=seconds)


def _defer_clearance(avatar, meshes, followers, pose):
    key = avatar.as_pointer()
    _state.pending[key] = {"written": _state.written[key], "names": [o.name for o in meshes],
                           "counts": [len(o.data.vertices) for o in meshes], "followers": followers, "pose": pose}
    _later(partial(_start_clearance, avatar.name, key, _state.written[key]), CLEAR_AFTER_S)


def _start_clearance(name: str, key: int, written: int):
    """Timer: the drag paused; clear on a worker unless the body was written again since."""
    job = _state.pending.get(key)
    if job is None or job["written"] != written:
        return None
    shaper = model_cache.body_shaper(bpy.context)
    followers, pose = job["followers"], job["pose"]
    work = Job(lambda progress: shaper.clear(pose, followers))
    work.start()
    _later(partial(_finish_clearance, name, key, written, work), POLL_S)
    return None


def _finish_clearance(name: str, key: int, written: int, work: Job):
    """Timer: write the cleared garments if nothing changed meanwhile (else drop them: a newer body is on)."""
    if not work.done:
        return POLL_S
    job = _state.pending.get(key)
    if job is None or job["written"] != written:  # a newer body is on (its own clearance is pending)
        return None
    del _state.pending[key]
    avatar = bpy.data.objects.get(name)
    if avatar is None or avatar.as_pointer() != key:
        return None
    meshes = [bpy.data.objects.get(n) for n in job["names"]]
    if work.error is not None or any(o is None or len(o.data.vertices) != c
                                     for o, c in zip(meshes, job["counts"], strict=True)):
        if work.error is not None:
            avatar.wardrobe.body_message = f"Garment clearance failed: {work.error}"
        return None  # deleted or edited meanwhile: the next body change starts again
    pose = work.result
    _write(avatar, meshes, pose, cleared_only=True)  # the avatar and helper garments are as they were
    through = _still_through(meshes, pose)
    if through:
        avatar.wardrobe.body_message = "; ".join(filter(None, [avatar.wardrobe.body_message, *through]))
    return None


def clear_shape(obj, co: np.ndarray, context=None) -> tuple[np.ndarray, int | None]:
    """``co`` (positions of garment ``obj`` in its own frame, e.g. a drape's last frame) pushed out of its
    avatar's current body, and the body vertices still through it (None: not a made-to-measure garment)."""
    avatar = obj.wardrobe.avatar
    shaper = model_cache.body_shaper(context or bpy.context)
    st = _mesh_state(obj, shaper)
    if st["clearance"] is None:
        return co, None
    body = _state.bodies.get(avatar.as_pointer())
    if body is None:  # nothing written since the file was opened: the sliders' body is the one shown
        body, _, _, _ = current_body(avatar, shaper)
    follower = engine_body_shaper.Follower(st["binding"], st["basis"], frame=_frame(obj, avatar),
                                           clearance=st["clearance"])
    done = shaper.clear(engine_body_shaper.Pose(body, [co], []), [follower])
    return done.positions[0], done.pokes[0]


def settle(avatar):
    """Clear a deferred drag's garments now (before a drape, a render or a fit reads them)."""
    job = _state.pending.pop(avatar.as_pointer(), None)
    if job is not None:
        update_avatar(avatar)


def _in_edit_mode(avatar) -> str | None:
    for obj in (avatar, *garments_of(avatar)):
        if obj.mode == "EDIT" or (obj.type == "MESH" and obj.data.is_editmode):
            return obj.name
    return None


def on_slider_change(avatar, context, moved: str | None = None):
    s = avatar.wardrobe
    if _state.suspended or s.role != "AVATAR" or s.binding == "NONE":
        return
    try:
        shaper = model_cache.body_shaper(context or bpy.context)
        if moved is not None and s.follow:
            follow_move(avatar, shaper, moved)
        busy = _in_edit_mode(avatar)
        if busy:  # Edit Mode keeps its own copy of the mesh and would overwrite the key on leaving it
            s.body_message = (f"'{busy}' is in Edit Mode: the body is not updated; leave Edit Mode and move a "
                              "slider (or press Reset Body) to update it")
            return
        update_avatar(avatar, context, clear=AFTER_DRAG)
    except Exception as exc:  # an update callback cannot report: keep the message for the panel
        s.body_message = f"Body update failed: {exc}"
        print(f"Blender Wardrobe: body update failed for '{avatar.name}': {exc}")
