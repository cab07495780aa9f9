"""Hide modules from this process, to prove what the add-on really depends on.

WARDROBE_HIDE="onnxruntime,trimesh"       -> those cannot be imported at all
WARDROBE_STOCK=1                          -> a stock Blender's Python: of this environment's
                                             site-packages only what Blender itself bundles is
                                             importable; anything else must come from the
                                             extension's wheels
"""

import importlib.abc
import importlib.machinery
import os
import site
import sys

# What Blender ships in its own Python (4.2-5.3), plus this venv's plumbing (pip, setuptools).
BLENDER_BUNDLED = {
    "bpy", "numpy", "requests", "certifi", "charset_normalizer", "idna", "urllib3", "zstandard", "cython",
    "Cython", "pyximport", "autopep8", "pycodestyle", "MaterialX", "cattrs", "attr", "attrs",
    "_distutils_hack", "setuptools", "pkg_resources", "pip", "_virtualenv",
}
EXTENSIONS = f"{os.sep}extensions{os.sep}"


class StockBlender(importlib.abc.MetaPathFinder):
    """Top-level modules from this venv's site-packages that Blender does not bundle are hidden."""

    def __init__(self):
        self.venv_dirs = [p for p in site.getsitepackages() if EXTENSIONS not in p]
        self.hidden: set[str] = set()

    def find_spec(self, fullname, path=None, target=None):
        if "." in fullname or fullname in BLENDER_BUNDLED:
            return None
        if importlib.machinery.PathFinder.find_spec(fullname, self.venv_dirs) is None:
            return None  # stdlib, Blender's script modules, the test's own helpers
        spec = importlib.machinery.PathFinder.find_spec(fullname, [p for p in sys.path if EXTENSIONS in p])
        if spec is not None:
            return spec
        self.hidden.add(fullname)
        raise ModuleNotFoundError(f"No module named '{fullname}' (not in a stock Blender)", name=fullname)


STOCK = StockBlender() if os.environ.get("WARDROBE_STOCK") else None


def install():
    if STOCK is not None:
        sys.meta_path.insert(0, STOCK)
        return
    for name in [n for n in os.environ.get("WARDROBE_HIDE", "").split(",") if n]:
        sys.modules[name] = None  # exactly like an absent package: find_spec() is None, import fails
