"""Python API for scripts: the add-on's actions on objects, with keyword settings.

    from blender_wardrobe import api   # as an installed extension: from bl_ext.user_default.blender_wardrobe import api
    avatar = api.add_avatar(sex="female")
    api.set_body(avatar, height=172, chest=94, waist=76, weight=68)
    mat = api.generate_fabric(garment, kind="denim", color="#2b4a6f", threads_per_cm=14, size=1024, seed=3)

Each call runs the same operator as the panel (same checks, same messages), synchronously, and
raises :class:`WardrobeError` with the operator's message when it cannot be done; the scene is then
left as it was. Colours are sRGB (``"#rrggbb"`` or three values in 0..1), as in the CLI and batch specs.
"""

import bpy

from . import body_sync, color_management, model_cache
from .engine import color as engine_color
from .engine import vocabulary, weave_draft


class WardrobeError(RuntimeError):
    """What the operator reported; the message names the problem and the fix."""


def _run(op, obj, **props) -> set:
    override = {"active_object": obj, "object": obj, "selected_objects": [obj] if obj else []}
    try:
        with bpy.context.temp_override(**override):
            return op(**props)
    except RuntimeError as exc:  # operators that report an error raise in scripts
        raise WardrobeError(str(exc).removeprefix("Error: ").strip()) from None


def add_avatar(sex: str = "female") -> bpy.types.Object:
    """A new Wardrobe avatar (the template body at the average measurements for ``sex``)."""
    _run(bpy.ops.wardrobe.add_avatar, None)
    avatar = bpy.context.view_layer.objects.active
    if sex != avatar.wardrobe.sex:
        set_body(avatar, sex=sex)
    return avatar


def generate_fabric(obj: bpy.types.Object, kind: str | None = None, color=None, threads_per_cm: float | None = None,
                    roughness: float | None = None, seed: int | None = None, size: int | None = None,
                    displacement: bool | None = None, keep_previous: bool = False, draft: str | None = None,
                    warp: str | None = None, weft: str | None = None,
                    picks_per_cm: float | None = None) -> bpy.types.Material:
    """Generate Fabric on ``obj`` (the whole object); settings left out come from the Fabric panel.

    ``draft``: a weave preset (``"twill_2_2"``) or rows of '#' (warp up) and '.' (weft up) split by '/';
    ``warp``/``weft``: yarn colour sequences in cm (``"navy 0.6, white 0.6"``); ``picks_per_cm``: the weft's
    density where it differs from the warp's."""
    props = {"kind": kind, "threads_per_cm": threads_per_cm, "picks_per_cm": picks_per_cm, "roughness": roughness,
             "seed": seed,
             "resolution": None if size is None else str(size), "displacement": displacement,
             "keep_previous": keep_previous, "warp_colors": warp, "weft_colors": weft}
    if draft is not None:
        props.update({"draft": draft} if draft in weave_draft.DRAFTS else {"draft": "CUSTOM", "draft_text": draft})
    if color is not None:
        try:
            props["color"] = color_management.from_srgb(color)
        except engine_color.ColorError as exc:
            raise WardrobeError(str(exc)) from None
    if obj is None or obj.type != "MESH":
        raise WardrobeError("generate_fabric needs a mesh object")
    _run(bpy.ops.wardrobe.generate_fabric, obj, **{k: v for k, v in props.items() if v is not None})
    return obj.active_material


SWATCH_SETTINGS = ("swatch_path", "swatch_width_cm", "swatch_roughness_path")


def fabric_from_swatch(obj: bpy.types.Object, photo: str, width_cm: float | None = None,
                       roughness_map: str | None = None, size: int | None = None,
                       seed: int | None = None) -> bpy.types.Material:
    """Read a swatch photo into the Fabric panel (as Variations does: weave, yarn colours, densities, roughness)
    and Generate Fabric on ``obj`` with it. ``width_cm``: how wide the photo's view is, for measured thread
    counts. On failure the panel's swatch settings are as they were."""
    s = bpy.context.scene.wardrobe_fabric
    before = {k: getattr(s, k) for k in SWATCH_SETTINGS}
    s.swatch_path, s.swatch_width_cm, s.swatch_roughness_path = photo, width_cm or 0.0, roughness_map or ""
    try:
        _run(bpy.ops.wardrobe.fabric_variations, None)
    except WardrobeError:
        for k, v in before.items():
            setattr(s, k, v)
        raise
    return generate_fabric(obj, size=size, seed=seed)


def set_body(avatar: bpy.types.Object, sex: str | None = None, style=None, exact: bool = False,
             **measurements: float) -> dict:
    """Set an avatar's body (height, chest, waist, hips, inseam in cm, weight in kg; any subset) and update
    it and its garments.

    ``style``: body-style values (the latent); ``exact``: refine the girths to the values (Match
    Measurements Exactly). Returns the sliders now in effect and any plausibility warning.
    """
    if avatar is None or avatar.type != "MESH" or avatar.wardrobe.role != "AVATAR":
        raise WardrobeError("set_body needs a Wardrobe avatar (api.add_avatar, or Bind on your own body mesh)")
    ids = {word: vocabulary.measurement_id(word) for word in measurements}  # height or stature -> stature
    unknown = sorted(word for word, mid in ids.items() if mid is None)
    if unknown:
        raise WardrobeError(f"unknown measurement(s) {unknown}: use {', '.join(vocabulary.USER_KEYS)}")
    if len(set(ids.values())) < len(ids):
        raise WardrobeError(f"a measurement is given twice (by its word and its id): {sorted(ids)}")
    measurements = {ids[word]: value for word, value in measurements.items()}
    if sex not in (None, "female", "male"):
        raise WardrobeError(f"sex must be 'female' or 'male', not {sex!r}")
    try:
        if avatar.wardrobe.follow and measurements:  # the others: typical for the given and the locked ones
            if sex is not None:
                avatar.wardrobe.sex = sex
            measurements = body_sync.typical_for(avatar, model_cache.body_shaper(bpy.context), measurements)
    except Exception as exc:
        raise WardrobeError(f"the body could not be updated: {exc}") from exc
    body_sync.set_sliders(avatar, measurements, style=style, sex=sex)
    try:
        body_sync.update_avatar(avatar, bpy.context, clear=body_sync.NEVER if exact else body_sync.NOW)
    except Exception as exc:
        raise WardrobeError(f"the body could not be updated: {exc}") from exc
    if exact:
        _run(bpy.ops.wardrobe.body_exact, avatar)
    shaper = model_cache.body_shaper(bpy.context)
    return {"sliders": body_sync.slider_values(avatar), "style": list(avatar.wardrobe.style[:shaper.latent]),
            "warning": avatar.wardrobe.body_message}
