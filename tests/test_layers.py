"""The three layers' import rules (see README "Architecture"), checked on the source and at run time."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> top-level modules it must never import
FORBIDDEN = {
    "inference": {"bpy", "bmesh", "mathutils", "torch", "models", "blender_wardrobe"},
    "blender_wardrobe": {"torch", "models"},
    "models": {"bpy", "bmesh", "blender_wardrobe"},
}


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every absolute import in a file (also inside functions)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                names.add(node.args[0].value.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_source_import_rules(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    bad = {str(f.relative_to(ROOT)): sorted(imported_modules(f) & FORBIDDEN[package]) for f in files}
    assert not {k: v for k, v in bad.items() if v}


def test_checker_catches_violations(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    import torch.nn\n    from bpy import types\nimportlib.import_module('models.x')\n")
    assert {"torch", "bpy", "models"} <= imported_modules(sample)


def test_engine_import_loads_neither_bpy_torch_nor_onnxruntime():
    """Importing every engine module must stay cheap and pure (onnxruntime is loaded lazily)."""
    code = (
        "import sys, pkgutil, importlib, inference\n"
        "for m in pkgutil.walk_packages(inference.__path__, 'inference.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted({'bpy', 'torch', 'onnxruntime', 'models'} & set(sys.modules))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_add_on_enters_the_engine_only_through_its_public_face():
    """blender_wardrobe/engine.py is the one door, and it imports inference/api.py only (statically)."""
    door = ROOT / "blender_wardrobe" / "engine.py"
    for f in sorted((ROOT / "blender_wardrobe").rglob("*.py")):
        engine_imports = set()
        for n in ast.walk(ast.parse(f.read_text(), str(f))):
            if isinstance(n, ast.ImportFrom) and n.module and n.module.split(".")[0] == "inference":
                engine_imports |= {n.module if n.module != "inference" else f"inference.{a.name}" for a in n.names}
            elif isinstance(n, ast.Import):
                engine_imports |= {a.name for a in n.names if a.name.split(".")[0] == "inference"}
        if f == door:
            assert engine_imports == {"inference.api"}, engine_imports
        else:
            assert not engine_imports, f"{f.relative_to(ROOT)} imports the engine directly: use ..engine"
        assert "import_module" not in f.read_text(), f"{f.relative_to(ROOT)}: imports must be static and visible"


def test_every_error_the_engine_raises_to_callers_is_an_engine_error():
    code = (
        "import inspect, pkgutil, importlib, sys, inference\n"
        "from inference.errors import EngineError\n"
        "from inference.fabric_surface import Cancelled\n"
        "bad = []\n"
        "for m in pkgutil.walk_packages(inference.__path__, 'inference.'):\n"
        "    mod = importlib.import_module(m.name)\n"
        "    for name, obj in vars(mod).items():\n"
        "        if inspect.isclass(obj) and issubclass(obj, Exception) and obj.__module__ == m.name:\n"
        "            if obj is not Cancelled and not issubclass(obj, EngineError):\n"
        "                bad.append(f'{m.name}.{name}')\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
