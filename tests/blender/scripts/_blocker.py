"""Hide modules from this process, to prove what the add-on really depends on.

WARDROBE_HIDE="onnxruntime,trimesh"       -> those cannot be imported at all
WARDROBE_ONLY_FROM="extensions"           -> hidden ones may still be found on sys.path entries
                                             containing that text (Blender's extension wheels)
"""

import importlib.abc
import importlib.machinery
import os
import sys


class Blocker(importlib.abc.MetaPathFinder):
    def __init__(self, names, only_from):
        self.names, self.only_from = set(names), only_from

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] not in self.names or "." in fullname:
            return None
        if self.only_from:
            allowed = [p for p in sys.path if self.only_from in p]
            spec = importlib.machinery.PathFinder.find_spec(fullname, allowed)
            if spec is not None:
                return spec
        raise ModuleNotFoundError(f"No module named '{fullname}' (hidden by the test)", name=fullname)


def install():
    names = [n for n in os.environ.get("WARDROBE_HIDE", "").split(",") if n]
    only_from = os.environ.get("WARDROBE_ONLY_FROM", "")
    if names and only_from:
        sys.meta_path.insert(0, Blocker(names, only_from))
    else:
        for name in names:  # exactly like an absent package: find_spec() is None, import fails
            sys.modules[name] = None
