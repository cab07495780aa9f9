"""Generate Fabric: style settings + the selected mesh's UV layout -> a physically scaled PBR material.

Interactive: the engine runs on a worker thread, a modal timer shows progress, Esc cancels. Nothing
in ``bpy.data`` changes until the result is complete and the mesh is checked to be the one it was
made for, so a cancel, an error or an edit made meanwhile leaves the scene as it was. In background
mode (``blender -b``) and from scripts the same job runs synchronously. Every setting is an operator
property (scriptable, F9 redo) that defaults to the Fabric panel's value.
"""

import time

import bpy
from bpy.props import BoolProperty, EnumProperty, FloatProperty, FloatVectorProperty, IntProperty, StringProperty

from .. import choices, color_management, editable, fabric_material, jobs, mesh_io, model_cache
from ..engine import EngineError, fabric_surface, uv_layout

srgb_color = color_management.to_srgb  # the panel's colour, as the engine takes it
# Operator properties that default to the Fabric panel's setting of the same name.
PANEL_SETTINGS = ("kind", "color", "threads_per_cm", "picks_per_cm", "roughness", "seed", "draft", "draft_text",
                  "warp_colors", "weft_colors", "resolution", "displacement")


def weave_request(settings) -> dict:
    """The draft, colour sequences and weft density of panel or operator settings, as the engine takes them (None:
    the kind's own; weft density 0: as the warp's)."""
    draft = {"KIND": None, "CUSTOM": settings.draft_text}.get(settings.draft, settings.draft)
    return {"draft": draft, "warp": settings.warp_colors.strip() or None, "weft": settings.weft_colors.strip() or None,
            "picks_per_cm": settings.picks_per_cm or None}


def mesh_problem(obj) -> str | None:
    """Why fabric cannot go on ``obj`` (the panel shows the same message before the button is pressed)."""
    if obj is None or obj.type != "MESH":
        return "Select a mesh object to put fabric on"
    if len(obj.data.polygons) == 0:
        return f"'{obj.name}' has no faces: fabric needs a surface"
    if obj.data.uv_layers.active is None:
        return f"'{obj.name}' has no UV map: unwrap it first (Edit Mode > UV > Smart UV Project)"
    return editable.problem(obj)


class WARDROBE_OT_generate_fabric(jobs.JobOperator, bpy.types.Operator):
    """Generate tileable PBR fabric maps for the selected mesh at its physical UV scale"""

    bl_idname = "wardrobe.generate_fabric"
    bl_label = "Generate Fabric"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Fabric generation"

    # SKIP_SAVE: a property the caller leaves out comes from the panel, never from the last call.
    kind: EnumProperty(name="Fabric", items=choices.FABRIC_KINDS, default="cotton", options={"SKIP_SAVE"})
    color: FloatVectorProperty(name="Colour", subtype="COLOR", size=3, min=0.0, max=1.0,
                               default=(0.018, 0.042, 0.11), options={"SKIP_SAVE"})
    threads_per_cm: FloatProperty(name="Threads per cm", default=14.0, min=2.0, max=80.0, options={"SKIP_SAVE"})
    picks_per_cm: FloatProperty(name="Picks per cm", default=0.0, min=0.0, max=80.0, options={"SKIP_SAVE"},
                                description="Weft density where it differs from the warp's (0: the same)")
    roughness: FloatProperty(name="Roughness", default=0.8, min=0.0, max=1.0, subtype="FACTOR",
                             options={"SKIP_SAVE"})
    seed: IntProperty(name="Seed", default=0, min=0, options={"SKIP_SAVE"})
    draft: EnumProperty(name="Weave", items=choices.DRAFTS, default="KIND", options={"SKIP_SAVE"})
    draft_text: StringProperty(name="Draft", default="##../.##./..##/#..#", options={"SKIP_SAVE"},
                               description="Custom draft: rows of # (warp up) and . (weft up), split by /")
    warp_colors: StringProperty(name="Warp", default="", options={"SKIP_SAVE"},
                                description="Warp colour sequence in cm (empty: the kind's own)")
    weft_colors: StringProperty(name="Weft", default="", options={"SKIP_SAVE"},
                                description="Weft colour sequence in cm (empty: the kind's own)")
    resolution: EnumProperty(name="Resolution", items=choices.RESOLUTIONS, default="1024",
                             options={"SKIP_SAVE"})
    displacement: BoolProperty(name="Displacement", default=False, options={"SKIP_SAVE"},
                               description="Also drive the material's displacement from the height map")
    keep_previous: BoolProperty(name="Keep Previous", default=False, options={"SKIP_SAVE"},
                                description="Keep the Wardrobe material this replaces (with a fake user) instead "
                                            "of removing it and its images")

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

    def draw(self, context):  # the F9 / redo panel
        layout = self.layout
        layout.use_property_split = True
        for name in (*PANEL_SETTINGS, "keep_previous"):
            layout.prop(self, name)

    def _from_panel(self, context) -> str | None:
        """Settings not given by the caller come from the Fabric panel."""
        s = context.scene.wardrobe_fabric
        for name in PANEL_SETTINGS:
            if self.properties.is_property_set(name):
                continue
            value = getattr(s, name)
            if name == "resolution" and value not in {r for r, _, _ in choices.RESOLUTIONS}:
                return ("The Fabric panel's Resolution is not a valid size (was it set from a script?): pick "
                        "one of 256 to 4096 px in the panel")
            setattr(self, name, value)
        return None

    # -- setup (main thread): read everything the worker needs into numpy -----------------------
    def prepare(self, context) -> str | None:
        problem = self._from_panel(context)
        if problem:
            return problem
        obj = context.active_object
        if obj is None or obj.type != "MESH":
            return mesh_problem(obj)
        was_edit = obj.mode == "EDIT"
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
        color = srgb_color(self.color)
        try:
            fabric_material.check_writable()
            model = model_cache.fabric_model(context)
            size = model.check_size(int(self.resolution))
            weave = weave_request(self)
            # Validates the whole request (draft, colour sequences, density for this size) before anything starts.
            model.structure(self.kind, color, self.threads_per_cm, size, self.seed, **weave)
        except (EngineError, fabric_material.SaveError) as exc:
            return str(exc)
        mesh = mesh_io.read_uv_layout(obj.data, obj.matrix_world)
        try:
            uv_layout.check_layout(mesh.co, mesh.loop_vertex, mesh.loop_start, mesh.loop_uv)
        except uv_layout.UVLayoutError as exc:
            return f"'{obj.name}': {exc}"
        self._face_mask = mesh_io.selected_faces(obj.data) if was_edit else None
        if self._face_mask is not None and not self._face_mask.any():
            return "No faces are selected: select the faces to put fabric on, or use Object Mode"
        self._obj_ptr, self._obj_name, self._was_edit = obj.as_pointer(), obj.name, was_edit
        self._topology = (len(obj.data.polygons), len(obj.data.loops))
        self._uv_map = obj.data.uv_layers.active.name
        args = (model, mesh, self.kind, color, self.threads_per_cm, size, self.seed, self.roughness)
        self.job = jobs.Job(lambda progress: fabric_surface.fabric_for_mesh(*args, progress=progress, **weave))
        self._t0 = time.perf_counter()
        return None

    # -- finish (main thread): turn arrays into images, material, assignment ---------------------
    def finish(self, context):
        obj = jobs.find_object(context, self._obj_ptr)
        if obj is None:
            self.report({"ERROR"}, f"'{self._obj_name}' was deleted during generation; nothing was changed")
            return {"CANCELLED"}
        if self._was_edit and obj.mode == "EDIT":
            bpy.ops.object.mode_set(mode="OBJECT")  # edits made meanwhile reach the mesh data only now
        try:
            return self._apply(context, obj)
        finally:
            if self._was_edit and context.view_layer.objects.active == obj and obj.mode != "EDIT":
                bpy.ops.object.mode_set(mode="EDIT")

    def _apply(self, context, obj):
        if (len(obj.data.polygons), len(obj.data.loops)) != self._topology:
            self.report({"ERROR"}, f"'{obj.name}' changed during generation (faces were added or removed): "
                                   "nothing was changed; press Generate Fabric again")
            return {"CANCELLED"}
        problem = editable.problem(obj)
        if problem:
            self.report({"ERROR"}, problem)
            return {"CANCELLED"}
        res = self.job.result
        base = f"Wardrobe {self.kind.title()}"
        try:
            mat, images = fabric_material.make(base, self.kind, res, displacement=self.displacement,
                                               uv_map=self._uv_map)
        except fabric_material.SaveError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        mat[fabric_material.TAG] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in res.info.items()
                                    if isinstance(v, (int, float, str)) or (isinstance(v, (list, tuple)) and
                                                                            all(isinstance(x, float) for x in v))}
        try:
            displaced = fabric_material.assign(obj, mat, self._face_mask)
        except Exception:  # nothing half-done: the new datablocks go again, the error is reported
            bpy.data.materials.remove(mat)
            fabric_material.remove_images(images.values())
            raise
        fabric_material.retire(displaced, self.keep_previous)
        if mat.name != base and base not in bpy.data.materials:
            mat.name = base  # a re-run takes the name back from the material it replaced
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
        if obj is None or obj.type != "MESH" or len(obj.data.polygons) == 0:
            cls.poll_message_set("Select a mesh with faces to unwrap")
            return False
        problem = editable.problem(obj)
        if problem:
            cls.poll_message_set(problem)
            return False
        return True

    def execute(self, context):
        obj = context.active_object
        was = obj.mode
        bpy.ops.object.mode_set(mode="EDIT")
        bpy.ops.mesh.select_all(action="SELECT")
        bpy.ops.uv.smart_project(island_margin=0.01, scale_to_bounds=False)
        bpy.ops.object.mode_set(mode=was)
        return {"FINISHED"}


classes = (WARDROBE_OT_generate_fabric, WARDROBE_OT_unwrap)
