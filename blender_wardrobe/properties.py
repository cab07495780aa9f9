"""Settings stored on the scene and on objects, so they save with the .blend."""

import bpy
from bpy.props import (
    BoolProperty,
    BoolVectorProperty,
    EnumProperty,
    FloatProperty,
    FloatVectorProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from .choices import (
    BINDINGS,
    DRAFTS,
    FABRIC_KINDS,
    GARMENT_FIELDS,
    GARMENT_PRESETS,
    PATTERN_GARMENTS,
    RESOLUTIONS,
    ROLES,
    SEXES,
    STYLE_SIZE,
)
from .engine import fabric_kinds, garment_spec, vocabulary


def _on_kind(self, context):
    """A new kind starts from its typical density and roughness (denim 12 threads/cm, silk 36, ...)."""
    preset = fabric_kinds.PRESETS.get(self.kind)
    if preset is not None:
        self.threads_per_cm, self.roughness = preset.threads_per_cm, preset.roughness


class WardrobeFabricSettings(bpy.types.PropertyGroup):
    kind: EnumProperty(name="Fabric", items=FABRIC_KINDS, default="cotton", update=_on_kind,
                       description="Fabric kind: yarn, finish, weave and colour pattern (picking one sets its "
                                   "typical density and roughness)")
    color: FloatVectorProperty(
        name="Colour", subtype="COLOR", size=3, min=0.0, max=1.0, default=(0.018, 0.042, 0.11),
        description="Main yarn colour (the kind's pattern adds white, dark or shot yarns to it); default indigo",
    )
    threads_per_cm: FloatProperty(
        name="Threads per cm", default=14.0, min=2.0, max=80.0,
        description="Density: threads (or stitches) per centimetre; sets the fabric's physical scale",
    )
    picks_per_cm: FloatProperty(
        name="Picks per cm", default=0.0, min=0.0, max=80.0,
        description="Weft density where it differs from the warp's (0: the same, a square-set fabric)",
    )
    roughness: FloatProperty(name="Roughness", default=0.8, min=0.0, max=1.0, subtype="FACTOR")
    seed: IntProperty(name="Seed", default=0, min=0)
    draft: EnumProperty(name="Weave", items=DRAFTS, default="KIND",
                        description="Weave draft: which yarn lies on top at each crossing (woven kinds)")
    draft_text: StringProperty(name="Draft", default="##../.##./..##/#..#",
                               description="Custom draft: rows of # (warp up) and . (weft up), split by /")
    warp_colors: StringProperty(name="Warp", default="",
                                description="Warp colour sequence in cm, e.g. 'navy 0.6, white 0.6' (empty: the "
                                            "kind's own)")
    weft_colors: StringProperty(name="Weft", default="",
                                description="Weft colour sequence in cm, e.g. 'white' (empty: the kind's own)")
    resolution: EnumProperty(name="Resolution", items=RESOLUTIONS, default="1024",
                             description="Tile size in pixels (about 6 px per thread: the tile covers more cm at "
                                         "higher resolution)")
    displacement: BoolProperty(name="Displacement", default=False,
                               description="Also drive the material's displacement from the height map")
    variations: IntProperty(name="Variations", default=4, min=1, max=16, description="How many previews to make")
    swatch_path: StringProperty(name="Swatch", subtype="FILE_PATH",
                                description="A photo of a fabric: Variations reads its kind, weave, yarn colours, "
                                            "densities and roughness into these settings")
    swatch_width_cm: FloatProperty(name="Swatch Width (cm)", default=0.0, min=0.0, max=500.0,
                                   description="How wide the photo's view of the fabric is, in cm, for measured "
                                               "thread counts (0: unknown; the kind's typical density is assumed)")
    swatch_roughness_path: StringProperty(name="Swatch Roughness", subtype="FILE_PATH",
                                          description="The swatch's roughness map, if it has one (else the kind's "
                                                      "typical roughness is assumed)")
    swatch_report: StringProperty(name="Swatch Reading", description="What the swatch photo was read as")
    # What the last generation did, shown in the panel (saved with the file).
    last_provider: StringProperty(name="Provider")
    last_seconds: FloatProperty(name="Seconds")
    last_report: StringProperty(name="Report")




def _on_body_change(self, context):
    # Imported here: body_sync imports the engine, and properties must register without it.
    from . import body_sync

    body_sync.on_slider_change(self.id_data, context)


def _slider(measurement: str, default):
    m = vocabulary.BY_ID[measurement]  # label, description and range: the engine's vocabulary
    lo, hi = m.soft_range

    def moved(self, context):
        from . import body_sync

        body_sync.on_slider_change(self.id_data, context, moved=measurement)

    return FloatProperty(name=m.label, default=default, soft_min=lo, soft_max=hi, min=lo * 0.5, max=hi * 1.5,
                         precision=1, step=50, description=m.description, update=moved)


def _on_garment_preset(self, context):
    spec = garment_spec.PRESETS.get(self.preset)
    if spec is not None:
        for name in GARMENT_FIELDS:
            setattr(self, name, getattr(spec, name))


def _cm(name, default, lo, hi, description):
    return FloatProperty(name=f"{name} (cm)", default=default, min=lo, max=hi, description=f"{description} (cm)")


class WardrobeGarmentSettings(bpy.types.PropertyGroup):
    """A made-to-measure garment: what Make Garment cuts around the avatar's current body."""
    preset: EnumProperty(name="Preset", items=GARMENT_PRESETS, default="CUSTOM", update=_on_garment_preset,
                         description="Start from a garment and adjust its measurements")
    kind: EnumProperty(name="Garment", items=PATTERN_GARMENTS, default="dress")
    ease_chest: _cm("Chest Ease", 6.0, -30.0, 80.0, "Garment girth minus body girth at the chest")
    ease_waist: _cm("Waist Ease", 4.0, -30.0, 80.0, "Garment girth minus body girth at the waist")
    ease_hips: _cm("Hip Ease", 6.0, -30.0, 80.0, "Garment girth minus body girth at the hips")
    length: _cm("Length", 55.0, 1.0, 200.0, "From the waist (navel level) down to the hem")
    sleeve: _cm("Sleeve", 0.0, 0.0, 90.0, "From the shoulder down the arm; 0 is sleeveless")
    flare: _cm("Flare", 0.0, 0.0, 400.0, "Girth added at the hem over a sheath (an A-line's swing)")
    neckline: _cm("Neckline", 8.0, 0.0, 35.0, "Depth of the front neckline below the base of the neck")

    def spec(self) -> "garment_spec.GarmentSpec":
        return garment_spec.GarmentSpec(**{n: getattr(self, n) for n in GARMENT_FIELDS})


class WardrobeObjectSettings(bpy.types.PropertyGroup):
    role: EnumProperty(name="Role", items=ROLES, default="NONE")
    avatar: PointerProperty(name="Avatar", type=bpy.types.Object, description="The avatar this garment follows")
    # -- body sliders (avatars) ------------------------------------------------------------------
    sex: EnumProperty(name="Body", items=SEXES, default="female", update=_on_body_change)
    stature: _slider("stature", 165.0)
    chest: _slider("chest", 90.0)
    waist: _slider("waist", 75.0)
    hips: _slider("hips", 100.0)
    inseam: _slider("inseam", 76.0)
    weight: _slider("weight", 65.0)
    style: FloatVectorProperty(name="Body Style", size=STYLE_SIZE, default=(0.0,) * STYLE_SIZE, soft_min=-3.0,
                               soft_max=3.0, min=-3.0, max=3.0, update=_on_body_change,
                               description="Latent body-shape style: shape beyond the measurements")
    locked: BoolVectorProperty(name="Locked", size=len(vocabulary.SLIDERS), default=(False,) * len(vocabulary.SLIDERS),
                               description="Keep this measurement where it is when another slider moves")
    inferred: BoolVectorProperty(name="Inferred", size=len(vocabulary.SLIDERS),
                                 default=(False,) * len(vocabulary.SLIDERS),
                                 description="Set by the population's typical value, not by you")
    applied: FloatVectorProperty(name="Applied Values", size=len(vocabulary.SLIDERS),
                                 description="Slider values of the body last made (where a moved slider came from)")
    follow: BoolProperty(name="Sliders Follow Each Other", default=True, update=_on_body_change,
                         description="Moving one measurement moves the unlocked others to the typical values for "
                                     "it (taller: the typical weight and girths for that height)")
    match_exactly: BoolProperty(name="Match Exactly", default=False, update=_on_body_change,
                                description="Refine every body so it measures exactly what the sliders say "
                                            "(a few tens of ms per change)")
    body_message: StringProperty(name="Body Message", description="Last warning from the body model")
    # -- binding (avatars of other topologies, garments) -----------------------------------------
    binding: EnumProperty(name="Binding", items=BINDINGS, default="NONE")
    bind_to_body: BoolProperty(name="Bound to a Body", default=False,
                               description="Bound to the body in bind_condition/bind_style (not the rest template)")
    bind_condition: FloatVectorProperty(name="Bind Condition", size=7)
    bind_vertex_count: IntProperty(name="Bound Vertices", default=0,
                                   description="Vertex count when bound (0: bound before it was recorded)")
    bind_style: FloatVectorProperty(name="Bind Style", size=STYLE_SIZE)
    # -- made-to-measure garments ------------------------------------------------------------------
    pattern: StringProperty(name="Pattern", description="The garment's measurements (JSON), as it was made")
    fit_report: StringProperty(name="Fit", description="Ease and pokes, last measured on the current body")
    fit_sliders: FloatVectorProperty(name="Fit Measured At", size=len(vocabulary.SLIDERS),
                                     description="Slider values the fit was measured at (stale when they differ)")
    drape_sliders: FloatVectorProperty(name="Draped At", size=len(vocabulary.SLIDERS),
                                       description="Slider values the drape was simulated at")


# Settings renamed since they were first saved: old name -> new name (read from files saved before).
RENAMED_FABRIC_SETTINGS = {"scale": "threads_per_cm"}


def upgrade_saved_settings() -> None:
    """Carry values saved under an old setting name over to the new one (after a file loads)."""
    for scene in bpy.data.scenes:
        if scene.library is not None:
            continue
        settings = scene.wardrobe_fabric
        for old, new in RENAMED_FABRIC_SETTINGS.items():
            if old in settings.keys():
                if new not in settings.keys():
                    setattr(settings, new, settings[old])
                del settings[old]


classes = (WardrobeFabricSettings, WardrobeGarmentSettings, WardrobeObjectSettings)


def _variation_items(self, context):
    from .operators import variations

    return variations.variation_items(self, context)


def _on_pick_variation(self, context):
    from .operators import variations

    variations.on_pick(self, context)


def register_pointers():
    bpy.types.Scene.wardrobe_fabric = PointerProperty(type=WardrobeFabricSettings)
    bpy.types.Scene.wardrobe_garment = PointerProperty(type=WardrobeGarmentSettings)
    bpy.types.Object.wardrobe = PointerProperty(type=WardrobeObjectSettings)
    # UI state only (not saved): which variation preview is picked.
    bpy.types.WindowManager.wardrobe_variation = EnumProperty(
        name="Variation", items=_variation_items, update=_on_pick_variation)


def unregister_pointers():
    del bpy.types.WindowManager.wardrobe_variation
    del bpy.types.Object.wardrobe
    del bpy.types.Scene.wardrobe_garment
    del bpy.types.Scene.wardrobe_fabric
