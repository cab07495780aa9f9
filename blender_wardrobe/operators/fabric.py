"""Generate Fabric: style settings + the selected mesh's UV layout -> a physically scaled PBR material.

Interactive: the engine runs on a worker thread, a modal timer shows progress, Esc cancels. Nothing
in ``bpy.data`` changes until the result is complete, so a cancel or an error leaves the scene as it
was. In background mode (``blender -b``) the same job runs synchronously.
"""

import time

import bpy
import numpy as np

from .. import fabric_material, jobs, mesh_io, model_cache
from ..engine import artifacts, fabric, fabric_surface, onnx_model, texture_metrics, uv_layout


def srgb_color(linear) -> tuple[float, float, float]:
    """Blender colour properties are scene-linear; the engine takes sRGB like a colour picker's hex."""
    return tuple(float(c) for c in texture_metrics.linear_to_srgb(np.clip(np.array(linear[:3], np.float64), 0, 1)))


def swatch_style(settings, model) -> np.ndarray:
    """The style encoded from the swatch by Variations, checked against the loaded model."""
    style = np.array(settings.get("swatch_style", []), np.float32)
    if style.size != len(model.kinds) + 5:
        raise fabric.FabricInputError("the swatch style is missing or from another model: press Variations with "
                                      "the swatch again, or turn off Use Swatch Style")
    return style


def mesh_problem(obj) -> str | None:
    """Why fabric cannot go on ``obj`` (the panel shows the same message before the button is pressed)."""
    if obj is None or obj.type != "MESH":
        return "Select a mesh object to put fabric on"
    if len(obj.data.polygons) == 0:
        return f"'{obj.name}' has no faces: fabric needs a surface"
    if obj.data.uv_layers.active is None:
        return f"'{obj.name}' has no UV map: unwrap it first (Edit Mode > UV > Smart UV Project)"
    return None


class WARDROBE_OT_generate_fabric(jobs.JobOperator, bpy.types.Operator):
    """Generate tileable PBR fabric maps for the selected mesh at its physical UV scale"""

    bl_idname = "wardrobe.generate_fabric"
    bl_label = "Generate Fabric"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Fabric generation"

    @classmethod
    def poll(cls, context):
        if jobs.busy():
            cls.poll_message_set("A fabric is already being generated (Esc cancels it)")
            return False
        obj = context.active_object
        if obj is None or obj.type != "MESH" or context.mode not in {"OBJECT", "EDIT_MESH"}:
            cls.poll_message_set("Select a mesh object in Object or Edit Mode")
            return False
        return True

    # -- setup (main thread): read everything the worker needs into numpy -----------------------
    def prepare(self, context) -> str | None:
        obj = context.active_object
        was_edit = obj is not None and obj.mode == "EDIT"
        if was_edit:  # UVs and selection are only readable from object-mode mesh data
            bpy.ops.object.mode_set(mode="OBJECT")
        try:
            return self._prepare(context, obj, was_edit)
        finally:
            if was_edit:
                bpy.ops.object.mode_set(mode="EDIT")

    def _prepare(self, context, obj, was_edit) -> str | None:
        problem = mesh_problem(obj)
        if problem:
            return problem
        s = context.scene.wardrobe_fabric
        color = srgb_color(s.color)
        try:
            fabric_material.check_writable()
            model = model_cache.fabric_model(context)
            size = model.check_size(int(s.resolution))
            style = model.style(s.kind, color, s.scale, s.roughness)  # validates before anything starts
            if s.use_swatch:
                style = swatch_style(s, model)
        except (artifacts.ArtifactNotFound, onnx_model.ModelError, fabric.FabricInputError,
                fabric_material.SaveError) as exc:
            return str(exc)
        mesh = mesh_io.read_uv_layout(obj.data)
        try:
            uv_layout.check_layout(mesh.co, mesh.loop_vertex, mesh.loop_start, mesh.loop_uv)
        except uv_layout.UVLayoutError as exc:
            return f"'{obj.name}': {exc}"
        self._face_mask = mesh_io.selected_faces(obj.data) if was_edit else None
        if self._face_mask is not None and not self._face_mask.any():
            return "No faces are selected: select the faces to put fabric on, or use Object Mode"
        self._obj_ptr, self._obj_name, self._was_edit = obj.as_pointer(), obj.name, was_edit
        self._kind = s.kind
        self._displacement = s.displacement
        args = (model, mesh, s.kind, color, s.scale, size, s.seed, s.roughness)
        self.job = jobs.Job(lambda progress: fabric_surface.fabric_for_mesh(*args, progress=progress, style=style))
        self._t0 = time.perf_counter()
        return None

    # -- finish (main thread): turn arrays into images, material, assignment ---------------------
    def finish(self, context):
        res = self.job.result
        obj = jobs.find_object(context, self._obj_ptr)
        if obj is None:
            self.report({"ERROR"}, f"'{self._obj_name}' was deleted during generation; nothing was changed")
            return {"CANCELLED"}
        base = f"Wardrobe {self._kind.title()}"
        try:
            images = fabric_material.new_images(base, res.images)
        except fabric_material.SaveError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        mat = fabric_material.new_material(base, self._kind, images, res.mapping_scale, self._displacement)
        mat["wardrobe"] = {k: v for k, v in res.info.items() if isinstance(v, (int, float, str))}
        if self._was_edit:
            bpy.ops.object.mode_set(mode="OBJECT")
        fabric_material.assign(obj, mat, self._face_mask)
        if self._was_edit:
            bpy.ops.object.mode_set(mode="EDIT")
        seconds = time.perf_counter() - self._t0
        s = context.scene.wardrobe_fabric
        s.last_provider = str(res.info.get("provider", ""))
        s.last_seconds = seconds
        s.last_report = (f"{res.mode}: {res.info.get('islands')} UV island(s), tile {res.tile_cm:g} cm, "
                         f"scale {res.mapping_scale:.3g}")
        self.report({"INFO"}, f"{mat.name}: {res.images['albedo'].shape[1]} px in {seconds:.2f} s on "
                              f"{s.last_provider} ({s.last_report})")
        return {"FINISHED"}


class WARDROBE_OT_unwrap(bpy.types.Operator):
    """Give the active mesh a UV map (Smart UV Project) so fabric can be mapped onto it"""

    bl_idname = "wardrobe.unwrap"
    bl_label = "Unwrap (Smart UV Project)"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        obj = context.active_object
        return obj is not None and obj.type == "MESH" and len(obj.data.polygons) > 0

    def execute(self, context):
        obj = context.active_object
        was = obj.mode
        bpy.ops.object.mode_set(mode="EDIT")
        bpy.ops.mesh.select_all(action="SELECT")
        bpy.ops.uv.smart_project(island_margin=0.01, scale_to_bounds=False)
        bpy.ops.object.mode_set(mode=was)
        return {"FINISHED"}


classes = (WARDROBE_OT_generate_fabric, WARDROBE_OT_unwrap)
