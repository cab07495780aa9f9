"""The sidebar panels draw without errors and only reference properties and operators that exist."""

import bpy
import pytest


class Recorder:
    """Stands in for a UILayout: records calls and checks every property/operator it is given."""

    def __init__(self, log):
        self.log = log

    def __getattr__(self, name):
        if name in ("row", "column", "box", "split"):
            return lambda *a, **k: Recorder(self.log)
        if name == "prop":
            return self._prop
        if name == "operator":
            return self._operator
        if name == "template_icon_view":
            return lambda data, prop, **k: self._prop(data, prop)
        return lambda *a, **k: self.log.append((name, a, k))

    def __setattr__(self, name, value):
        if name == "log":
            object.__setattr__(self, name, value)

    def _prop(self, data, name, **kw):
        assert name in data.bl_rna.properties, f"{data} has no property {name}"
        self.log.append(("prop", name))

    def _operator(self, idname, **kw):
        group, op = idname.split(".")
        assert hasattr(getattr(bpy.ops, group), op), f"no operator {idname}"
        self.log.append(("operator", idname))

        class Props:
            def __setattr__(self, k, v):
                pass

        return Props()


def _draw(panel_cls) -> list:
    log = []
    fake = type("FakePanel", (), {"layout": Recorder(log)})()
    panel_cls.draw(fake, bpy.context)
    return log


@pytest.mark.parametrize("scene", ["empty", "plane", "avatar", "garment"])
def test_panels_draw_in_every_state(addon, scene):
    if scene == "plane":
        bpy.ops.mesh.primitive_plane_add()
    elif scene in ("avatar", "garment"):
        assert bpy.ops.wardrobe.add_avatar() == {"FINISHED"}
        if scene == "garment":
            assert bpy.ops.wardrobe.add_garment(part="skirt") == {"FINISHED"}
    fabric = _draw(addon.panels.VIEW3D_PT_wardrobe_fabric)
    body = _draw(addon.panels.VIEW3D_PT_wardrobe_body)
    assert ("operator", "wardrobe.generate_fabric") in fabric
    assert ("operator", "wardrobe.add_avatar") in body
    if scene == "avatar":
        assert ("prop", "chest") in body and ("operator", "wardrobe.body_random") in body
        assert sum(1 for e in body if e == ("prop", "style")) == addon.model_cache.body_shaper(bpy.context).latent


@pytest.mark.parametrize("scene", ["empty", "avatar"])
def test_drawing_touches_no_files_and_loads_no_model(addon, scene, monkeypatch):
    import builtins
    import importlib.util
    import os

    if scene == "avatar":
        assert bpy.ops.wardrobe.add_avatar() == {"FINISHED"}
    addon.model_cache._cache.clear()  # nothing loaded: a draw that needed a model would load one now

    def forbidden(*args, **kwargs):
        raise AssertionError(f"draw did I/O: {args[:1]}")

    for target, name in ((builtins, "open"), (os, "stat"), (os, "listdir"), (os, "scandir"),
                         (importlib.util, "find_spec")):
        monkeypatch.setattr(target, name, forbidden)
    for loader in ("fabric_model", "body_shaper"):
        monkeypatch.setattr(addon.model_cache, loader, forbidden)
    _draw(addon.panels.VIEW3D_PT_wardrobe_fabric)
    body = _draw(addon.panels.VIEW3D_PT_wardrobe_body)
    if scene == "avatar":  # the body-style sliders still show, from the card read at start-up
        assert sum(1 for e in body if e == ("prop", "style")) == addon.model_cache.availability().body_latent > 0
