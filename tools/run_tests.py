"""Run the whole test suite: ruff, then each pytest suite in its own process and environment.

    python tools/run_tests.py [--suite NAME ...] [-- extra pytest args]

bpy and torch never share a process: engine and model suites run without bpy, the Blender suites
run once per supported Blender: 4.2 LTS (the oldest), 4.5 LTS, 5.0 (the development .venv) and 5.3
(the newest, Python 3.13), each in its own environment made by ./dev setup.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin" / "python"
SUITES = {
    "engine": (VENV, ["tests/test_layers.py", "tests/engine", "tests/build"]),
    "engine-py3.13": (ROOT / ".venv-bpy53" / "bin" / "python", ["tests/test_layers.py", "tests/engine"]),  # numpy 2
    "models": (VENV, ["tests/models"]),
    "blender-5.0": (VENV, ["tests/blender"]),
    "blender-4.2": (ROOT / ".venv-bpy42" / "bin" / "python", ["tests/blender"]),
    "blender-4.5": (ROOT / ".venv-bpy45" / "bin" / "python", ["tests/blender"]),
    "blender-5.3": (ROOT / ".venv-bpy53" / "bin" / "python", ["tests/blender"]),
}


def junit_counts(path: Path) -> dict[str, int]:
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if not path.is_file():
        return counts
    for suite in ET.parse(path).getroot().iter("testsuite"):
        for key in counts:
            counts[key] += int(suite.get(key, 0))
    return counts


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1 :]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", action="append", choices=sorted(SUITES), help="run only these suites")
    ap.add_argument("--no-lint", action="store_true")
    args = ap.parse_args(argv)

    rows, failed = [], False
    if not args.no_lint:
        t0 = time.perf_counter()
        rc = subprocess.run([str(VENV), "-m", "ruff", "check", "."], cwd=ROOT).returncode
        rows.append(("ruff", "ok" if rc == 0 else "FAILED", "", time.perf_counter() - t0))
        failed |= rc != 0

    total = {"passed": 0, "failed": 0, "skipped": 0}
    with tempfile.TemporaryDirectory(prefix="wardrobe-tests-") as tmp:
        for name in args.suite or SUITES:
            python, paths = SUITES[name]
            xml = Path(tmp) / f"{name}.xml"
            cmd = [str(python), "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={xml}", *paths, *extra]
            print(f"\n=== suite {name}: {' '.join(cmd[1:])}", flush=True)
            env = {**os.environ, "WARDROBE_SUITE": name}
            t0 = time.perf_counter()
            rc = subprocess.run(cmd, cwd=ROOT, env=env).returncode
            dt = time.perf_counter() - t0
            c = junit_counts(xml)
            bad = c["failures"] + c["errors"]
            passed = c["tests"] - bad - c["skipped"]
            total["passed"] += passed
            total["failed"] += bad + (1 if rc not in (0, 5) and bad == 0 else 0)
            total["skipped"] += c["skipped"]
            ok = rc == 0
            failed |= not ok
            summary = f"{passed} passed, {bad} failed, {c['skipped']} skipped"
            rows.append((name, "ok" if ok else f"FAILED (exit {rc})", summary, dt))

    print("\n| step | result | tests | seconds |\n|---|---|---|---|")
    for step, result, tests, dt in rows:
        print(f"| {step} | {result} | {tests} | {dt:.1f} |")
    print(f"total: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
