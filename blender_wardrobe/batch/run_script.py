"""`blender -b [scene.blend] -P <this file> -- spec.toml [options]`: the batch as a Blender script.

Ships inside the add-on so a farm can call it by path; the add-on must be installed (enabled or not).
"""

import sys
from pathlib import Path


def _main() -> int:
    import addon_utils

    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    package_dir = Path(__file__).resolve().parents[1]
    module = next((m.__name__ for m in addon_utils.modules() if Path(m.__file__).resolve().parent == package_dir),
                  None)
    if module is None:  # not installed: import it from where this script lies
        sys.path.insert(0, str(package_dir.parent))
        module = package_dir.name
    addon = addon_utils.enable(module, default_set=False, handle_error=None)
    if addon is None:
        print(f"error: could not enable the add-on {module}", file=sys.stderr)
        return 1
    return addon.cli.run_batch(argv, prog=f"blender -P {Path(__file__).name} --")


code = _main()
sys.stdout.flush()
if code:
    sys.exit(code)
