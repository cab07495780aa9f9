"""Body operators: bind avatars and garments, reset/random/exact bodies, bake a named key, fit to a scan."""

import bpy
import numpy as np
from bpy.props import IntProperty, StringProperty

from .. import body_sync, editable, jobs, mesh_io, model_cache
from ..engine import EngineError, binding


def _avatar(context):
    obj = context.active_object
    if obj is not None and obj.type == "MESH" and obj.wardrobe.role == "AVATAR" and obj.wardrobe.binding != "NONE":
        return obj
    return None


def _poll_avatar(cls, context) -> bool:
    avatar = _avatar(context)
    if avatar is None:
        cls.poll_message_set("Select a Wardrobe avatar (Add Wardrobe Avatar, or Bind Avatar on your own body mesh)")
        return False
    if context.mode != "OBJECT":
        cls.poll_message_set("Switch to Object Mode first")
        return False
    problem = editable.problem(avatar)
    if problem:
        cls.poll_message_set(problem)
        return False
    return True


def _to_avatar_frame(obj, avatar) -> np.ndarray:
    """3x4 matrix taking ``obj``'s local coordinates into ``avatar``'s."""
    m = avatar.matrix_world.inverted() @ obj.matrix_world
    return np.array(m, np.float64)[:3]


def _mesh_points(obj, avatar=None) -> np.ndarray:
    co = body_sync.basis_co(obj).astype(np.float64)
    if avatar is not None and avatar != obj:
        m = _to_avatar_frame(obj, avatar)
        co = co @ m[:, :3].T + m[:, 3]
    return co


def _bind_problem(obj) -> str | None:
    if obj is None or obj.type != "MESH":
        return "Select a mesh"
    n = len(obj.data.vertices)
    if n == 0:
        return f"'{obj.name}' is empty: it has no vertices to bind"
    if n > 2_000_000:
        return f"'{obj.name}' has {n:,} vertices: decimate it below 2,000,000 first"
    return editable.problem(obj)


def init_avatar(context, obj, identity: bool):
    """Make ``obj`` an avatar at the average body of the model (sliders set from the model's statistics)."""
    with body_sync.suspended():
        obj.wardrobe.role = "AVATAR"
    if identity:
        body_sync.store_binding(obj, binding.Binding(np.zeros((0, 3), np.int64), np.zeros((0, 3), np.float32),
                                                     np.zeros(0, np.float32), identity=True))
    shaper = model_cache.body_shaper(context)
    body_sync.set_sliders(obj, shaper.mean_values(obj.wardrobe.sex), style=np.zeros(shaper.latent))
    body_sync.update_avatar(obj, context)


class WARDROBE_OT_bind(jobs.JobOperator, bpy.types.Operator):
    """Bind the active mesh to the body model: as an avatar (any topology), or as a garment of the avatar
    that is also selected. It then follows the body sliders"""

    bl_idname = "wardrobe.bind"
    bl_label = "Bind to Body"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Binding"

    @classmethod
    def poll(cls, context):
        obj = context.active_object
        if jobs.busy() or context.mode != "OBJECT" or obj is None or obj.type != "MESH":
            cls.poll_message_set("Select a mesh in Object Mode")
            return False
        return True

    def prepare(self, context):
        obj = context.active_object
        problem = _bind_problem(obj)
        if problem:
            return problem
        avatars = [o for o in context.selected_objects if o != obj and o.wardrobe.role == "AVATAR"]
        self._garment = bool(avatars) or obj.wardrobe.role == "GARMENT"
        avatar = avatars[0] if avatars else (obj.wardrobe.avatar if self._garment else None)
        if self._garment and (avatar is None or avatar.wardrobe.binding == "NONE"):
            return f"'{obj.name}' is a garment without a bound avatar: select the avatar too, then Bind"
        try:
            shaper = model_cache.body_shaper(context)
        except EngineError as exc:
            return str(exc)
        points = _mesh_points(obj, avatar)
        if not np.isfinite(points).all():
            return f"'{obj.name}' has NaN/inf vertex positions: fix them (Mesh > Clean Up) before binding"
        reference, params = None, None
        if self._garment:  # bind against the body the avatar shows now: the garment was fitted to it
            ref, cond, style, _ = body_sync.current_body(avatar, shaper)
            reference, params = ref, (cond, style)
        self._ptr, self._name, self._avatar, self._params = obj.as_pointer(), obj.name, avatar, params
        self._n = len(points)
        if self._garment:
            self.job = jobs.Job(lambda progress: shaper.bind(points, reference, progress))
        else:
            label = f"'{obj.name}'"
            self.job = jobs.Job(lambda progress: shaper.bind_avatar(points, progress, label))
        return None

    def finish(self, context):
        obj = jobs.find_object(context, self._ptr)
        if obj is None:
            self.report({"ERROR"}, f"'{self._name}' was deleted while binding; nothing was changed")
            return {"CANCELLED"}
        problem = editable.problem(obj)
        if not problem and (obj.type != "MESH" or len(obj.data.vertices) != self._n):
            problem = (f"'{obj.name}' changed while binding ({self._n:,} vertices then, "
                       f"{len(obj.data.vertices) if obj.type == 'MESH' else 0:,} now); nothing was changed: bind again")
        if not problem:
            try:  # the body decoder must run before anything on the object changes
                shaper = model_cache.body_shaper(context)
                shaper.decode(shaper.condition({}, obj.wardrobe.sex)[0], None)
            except EngineError as exc:
                problem = f"{exc}; nothing was changed"
        if problem:
            self.report({"ERROR"}, problem)
            return {"CANCELLED"}
        b = self.job.result
        if self._garment:
            obj.wardrobe.role = "GARMENT"
            obj.wardrobe.avatar = self._avatar
            body_sync.store_binding(obj, b, self._params)
            body_sync.update_avatar(self._avatar, context)
            far = float(np.percentile(b.distance, 95)) * 100 if len(b.distance) else 0.0
            self.report({"INFO"}, f"'{obj.name}' follows '{self._avatar.name}' ({len(b.weights):,} vertices, "
                                  f"95% within {far:.1f} cm of the body)")
        else:
            with body_sync.suspended():
                obj.wardrobe.role = "AVATAR"
            body_sync.store_binding(obj, b, None)
            init_avatar(context, obj, identity=False)
            kind = "1:1 (template topology)" if b.identity else "to the template surface"
            self.report({"INFO"}, f"'{obj.name}' is a Wardrobe avatar, bound {kind}")
        return {"FINISHED"}


class _BodyEdit:
    """An avatar operator whose work is ``apply(context, avatar, shaper)``; model errors become a report."""

    bl_options = {"REGISTER", "UNDO"}
    poll = classmethod(_poll_avatar)

    def execute(self, context):
        try:
            message = self.apply(context, _avatar(context), model_cache.body_shaper(context))
        except EngineError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        if message:
            self.report({"INFO"}, message)
        return {"FINISHED"}


class WARDROBE_OT_body_reset(_BodyEdit, bpy.types.Operator):
    """Reset the avatar to the average body for its sex (body style 0)"""

    bl_idname = "wardrobe.body_reset"
    bl_label = "Reset Body"

    def apply(self, context, obj, shaper):
        body_sync.set_sliders(obj, shaper.mean_values(obj.wardrobe.sex), style=np.zeros(shaper.latent))
        body_sync.update_avatar(obj, context)


class WARDROBE_OT_body_random(_BodyEdit, bpy.types.Operator):
    """A random plausible body: measurements from the population statistics, style from the prior"""

    bl_idname = "wardrobe.body_random"
    bl_label = "Random Body"

    seed: IntProperty(name="Seed", default=0, min=0)

    def invoke(self, context, event):
        self.seed = int(np.random.default_rng().integers(1 << 30))
        return self.execute(context)

    def apply(self, context, obj, shaper):
        res = shaper.random(obj.wardrobe.sex, self.seed)
        body_sync.set_sliders(obj, res.requested, style=res.style)
        body_sync.update_avatar(obj, context)


class WARDROBE_OT_body_exact(_BodyEdit, bpy.types.Operator):
    """Refine the body so its measured girths and lengths equal the slider values exactly (about 0.5 s)"""

    bl_idname = "wardrobe.body_exact"
    bl_label = "Match Measurements Exactly"

    def apply(self, context, obj, shaper):
        res = shaper.exact(body_sync.slider_values(obj), obj.wardrobe.sex,
                           body_sync.style_of(obj.wardrobe, shaper.latent))
        body_sync.update_avatar(obj, context, body=res.vertices)
        obj.wardrobe.body_message = "; ".join(res.warnings)  # kept for the panel, not cleared
        if res.warnings:
            self.report({"WARNING"}, res.warnings[-1])
            return None
        worst = max((abs(res.achieved[k] - v) for k, v in res.requested.items() if k in res.achieved), default=0.0)
        return f"Measurements met within {worst * 10:.2f} mm"


class WARDROBE_OT_body_bake(bpy.types.Operator):
    """Copy the current body into a named shape key (value 0) on the avatar and its garments, for animation
    and export"""

    bl_idname = "wardrobe.body_bake"
    bl_label = "Bake to Shape Key"
    bl_options = {"REGISTER", "UNDO"}
    poll = classmethod(_poll_avatar)

    name: StringProperty(name="Name", default="Body")

    def execute(self, context):
        obj = _avatar(context)
        name = self.name.strip() or "Body"
        for target in (obj, *body_sync.garments_of(obj)):
            src = body_sync.body_key(target)
            co = np.empty(len(target.data.vertices) * 3, np.float32)
            src.points.foreach_get("co", co)
            key = target.shape_key_add(name=name, from_mix=False)
            key.points.foreach_set("co", co)
            key.value = 0.0
        self.report({"INFO"}, f"Baked '{name}' on {obj.name} and {len(body_sync.garments_of(obj))} garment(s)")
        return {"FINISHED"}


class WARDROBE_OT_fit_scan(bpy.types.Operator):
    """Set the avatar's sliders and style from a selected body scan (any topology, metres, Z up, A-pose)"""

    bl_idname = "wardrobe.fit_scan"
    bl_label = "Fit to Scan"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        if not _poll_avatar(cls, context):
            return False
        if not any(o != context.active_object and o.type == "MESH" for o in context.selected_objects):
            cls.poll_message_set("Also select the scan mesh (the avatar active)")
            return False
        return True

    def execute(self, context):
        avatar = _avatar(context)
        scan = next(o for o in context.selected_objects if o != avatar and o.type == "MESH")
        problem = _bind_problem(scan)
        if problem:
            self.report({"ERROR"}, problem)
            return {"CANCELLED"}
        m = np.array(avatar.matrix_world.inverted() @ scan.matrix_world, np.float64)
        pts = mesh_io.read_co(scan.data).astype(np.float64) @ m[:3, :3].T + m[:3, 3]
        try:
            shaper = model_cache.body_shaper(context)
            fit = shaper.model.fit_scan(pts, avatar.wardrobe.sex)
        except EngineError as exc:
            self.report({"ERROR"}, f"Cannot fit '{scan.name}': {exc}")
            return {"CANCELLED"}
        res = fit.result
        body_sync.set_sliders(avatar, res.requested, style=res.style)
        body_sync.update_avatar(avatar, context)
        self.report({"INFO"}, f"Fitted '{scan.name}': mean distance {fit.residual_mm:.1f} mm "
                              f"(95% within {fit.p95_mm:.1f} mm)")
        return {"FINISHED"}


classes = (WARDROBE_OT_bind, WARDROBE_OT_body_reset, WARDROBE_OT_body_random, WARDROBE_OT_body_exact,
           WARDROBE_OT_body_bake, WARDROBE_OT_fit_scan)
