"""Enable/disable from the checkout, preferences, panels and the `wardrobe` CLI command."""

import addon_utils
import bpy
import pytest
from bpy_helpers import ADDON


def _registered():
    names = {n for n in dir(bpy.types) if "wardrobe" in n.lower()}
    names |= {p for p in ("wardrobe_fabric",) if hasattr(bpy.types.Scene, p)}
    names |= {p for p in ("wardrobe",) if hasattr(bpy.types.Object, p)}
    return names


def test_enable_disable_twice_leaves_nothing_behind():
    bpy.ops.wm.read_homefile(use_empty=True)
    assert _registered() == set()
    seen = []
    for _ in range(2):
        mod = addon_utils.enable(ADDON, default_set=True, handle_error=None)
        seen.append(_registered())
        assert mod._state.cli_handle is not None
        addon_utils.disable(ADDON, default_set=True, handle_error=None)
        assert _registered() == set() and mod._state.cli_handle is None
    assert seen[0] == seen[1]
    assert {"VIEW3D_PT_wardrobe_fabric", "VIEW3D_PT_wardrobe_body", "WARDROBE_OT_add_avatar"} <= seen[0]


def test_panels_live_in_the_wardrobe_sidebar_tab(addon):
    for name in ("VIEW3D_PT_wardrobe_fabric", "VIEW3D_PT_wardrobe_body"):
        panel = getattr(bpy.types, name)
        assert (panel.bl_space_type, panel.bl_region_type, panel.bl_category) == ("VIEW_3D", "UI", "Wardrobe")


def test_preferences_defaults(addon):
    prefs = bpy.context.preferences.addons[ADDON].preferences
    assert prefs.execution_provider == "AUTO" and prefs.num_threads == 0 and prefs.user_model_dir == ""
    items = {i.identifier for i in prefs.bl_rna.properties["execution_provider"].enum_items}
    assert items == {"AUTO", "CPU", "CUDA", "DIRECTML", "COREML"}


def test_fabric_settings_save_with_the_blend(addon, tmp_path):
    settings = bpy.context.scene.wardrobe_fabric
    settings.kind, settings.seed, settings.threads_per_cm = "denim", 7, 20.0
    path = tmp_path / "settings.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.wm.open_mainfile(filepath=str(path))
    settings = bpy.context.scene.wardrobe_fabric
    assert (settings.kind, settings.seed, settings.threads_per_cm) == ("denim", 7, pytest.approx(20.0))


def test_cli_help_and_info(addon, capsys):
    assert addon.cli.execute(["--help"]) == 0
    assert "demo" in capsys.readouterr().out
    assert addon.cli.execute(["info"]) == 0
    out = capsys.readouterr().out
    assert "13380 vertices" in out and "CPUExecutionProvider" in out and "CC0" in out


def test_cli_usage_error_returns_nonzero(addon, capsys):
    assert addon.cli.execute(["demo"]) == 2  # --out is required
    assert "--out" in capsys.readouterr().err


def test_the_fabric_kind_choices_are_the_shipped_models_kinds(addon):
    # One vocabulary: the panel's items, the engine's words and the kinds the shipped model was trained on.
    items = tuple(i.identifier for i in bpy.context.scene.wardrobe_fabric.bl_rna.properties["kind"].enum_items)
    assert items == addon.engine.vocabulary.FABRIC_KIND_IDS == addon.model_cache.fabric_model(bpy.context).kinds


def test_a_file_saved_with_the_old_threads_setting_name_keeps_its_value(addon, tmp_path):
    bpy.context.scene.wardrobe_fabric["scale"] = 22.0  # how files saved before the rename store it
    path = tmp_path / "old.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))
    settings = bpy.context.scene.wardrobe_fabric
    assert settings.threads_per_cm == pytest.approx(22.0) and "scale" not in settings.keys()
