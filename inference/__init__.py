"""Blender Wardrobe engine: pure numpy + onnxruntime + trimesh (never bpy, never torch).

Importing this package is cheap and never imports onnxruntime; sessions are created lazily,
so the add-on can load and explain a missing runtime instead of failing with a traceback.
"""

__version__ = "0.1.0"
