"""`python -m blender_wardrobe.batch spec.toml`: the batch with Blender as a Python module (bpy)."""

import os
import sys
import tempfile

os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="wardrobe-batch-"))

# isort: off
import bpy  # noqa: E402,F401  (must come first: it puts addon_utils on sys.path)
import addon_utils  # noqa: E402
# isort: on


def _main() -> int:
    package = __package__.rsplit(".", 1)[0]
    if addon_utils.enable(package, default_set=False, handle_error=None) is None:
        print(f"error: could not enable the {package} add-on", file=sys.stderr)
        return 1
    from . import main

    return main(sys.argv[1:], prog="python -m blender_wardrobe.batch")


if __name__ == "__main__":
    code = _main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # bpy < 4.4 can crash at interpreter exit (blender#125376)
