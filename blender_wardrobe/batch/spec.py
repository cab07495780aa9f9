"""The batch spec (TOML): parsed and validated before anything renders; errors name the field and line.

    [scene]
    blend = "studio.blend"          # optional; default: the built-in template scene
    [avatar]
    sex = "female"
    garments = ["a_line_dress"]     # made to measure: sheath_dress, a_line_dress, maxi_dress, mini_dress, t_shirt,
                                    # trousers; or the helper tights, skirt
    drape_frames = 30               # optional: drape made-to-measure garments on every body (0: no drape)
    [bodies]
    random = 2                      # N random bodies ...
    seed = 1
    [[bodies.explicit]]             # ... and/or explicit ones (cm / kg)
    name = "tall"
    height = 185                    # height, chest, waist, hips, inseam (cm), weight (kg)
    [fabrics]
    kinds = ["denim", "plaid"]
    colors = ["#2b4a6f"]
    seeds = [0]
    swatches = []                   # photos, each read as a weave, yarn colours and densities; with the width
                                    # they show, for measured thread counts: {path = "a.jpg", width_cm = 5}
    size = 512
    threads_per_cm = 14             # optional; default: each kind's typical density
    draft = "twill_2_2"             # optional weave for the woven kinds: a preset or rows like "##../.##./..##/#..#"
    warp = "navy 0.6, white 0.6"    # optional yarn colour sequences in cm (default: each kind's own)
    weft = "white"
    [render]
    engine = "CYCLES"               # CYCLES, BLENDER_EEVEE (5.0) / BLENDER_EEVEE_NEXT (4.x), BLENDER_WORKBENCH
    samples = 16
    resolution = [256, 256]
    angles = [0]                    # turntable angles in degrees, one image each
    [output]
    folder = "renders/catalogue"    # relative paths are relative to the spec file
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..engine import EngineError, fabric_kinds, garment_spec, vocabulary, weave_draft, yarn_colors
from . import store

GARMENTS = (*vocabulary.GARMENT_IDS, *garment_spec.PRESETS)  # helper garments, then made-to-measure presets
ENGINES = ("CYCLES", "BLENDER_EEVEE", "BLENDER_EEVEE_NEXT", "BLENDER_WORKBENCH")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
COLOR_RE = re.compile(r"^#?[0-9a-fA-F]{6}$")
SECTIONS = {"scene": {"blend"}, "avatar": {"sex", "garments", "drape_frames"}, "bodies": {"random", "seed", "explicit"},
            "fabrics": {"kinds", "colors", "seeds", "swatches", "size", "threads_per_cm", "draft", "warp",
                        "weft"},
            "render": {"engine", "samples", "resolution", "angles"}, "output": {"folder"}}


class SpecError(ValueError):
    """A spec that cannot run; the message names the file, the field and (where known) its line."""


# A check of a file the batch will read: None when it will load, else what is wrong with it. The
# bpy side passes checks that load the file the way the render will (see batch/file_checks.py).
FileCheck = Callable[[Path], "str | None"]
# A check of one fabric request (kind, colour, threads per cm, size, seed, weave dict): None or the problem.
FabricCheck = Callable[..., "str | None"]


@dataclass(frozen=True)
class Body:
    name: str
    measurements: dict = field(default_factory=dict)  # explicit cm/kg values
    random_seed: int | None = None  # a random body instead


@dataclass(frozen=True)
class Fabric:
    name: str
    kind: str | None  # None for a swatch
    color: str
    seed: int
    swatch: str | None = None
    swatch_width_cm: float | None = None  # how wide the swatch photo's view is (None: unknown)


@dataclass
class BatchSpec:
    path: Path
    blend: Path | None
    sex: str
    garments: list[str]
    bodies: list[Body]
    fabrics: list[Fabric]
    fabric_size: int
    threads_per_cm: float | None  # None: each kind's typical density
    engine: str
    samples: int
    resolution: tuple[int, int]
    angles: list[float]
    output: Path
    weave: dict = field(default_factory=dict)  # draft, warp, weft for the engine (None: each kind's own)
    drape_frames: int = 0  # cloth simulation frames per body for made-to-measure garments (0: none)


def _line_of(text: str, section: str, key: str | None) -> int | None:
    """1-based line of ``key`` inside ``[section]`` (or of the section header) in the TOML text."""
    current = None
    for i, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        m = re.match(r"^\[\[?\s*([A-Za-z0-9_.]+)\s*\]\]?", stripped)
        if m:
            current = m.group(1).split(".")[0]
            if key is None and current == section:
                return i
            continue
        if current == section and key and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return i
    return None


class _Checker:
    def __init__(self, path: Path, text: str):
        self.path, self.text = path, text

    def fail(self, section: str, key: str | None, message: str):
        line = _line_of(self.text, section, key)
        where = f"{section}.{key}" if key else section
        at = f" (line {line})" if line else ""
        raise SpecError(f"{self.path.name}{at}: [{where}] {message}")

    def get(self, data: dict, section: str, key: str, kind, default, check=None, hint: str = ""):
        value = data.get(key, default)
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok or (check is not None and not check(value)):
            self.fail(section, key, f"invalid value {value!r}{': ' + hint if hint else ''}")
        return value


def _safe_name(text: str) -> bool:
    return bool(NAME_RE.match(text)) and ".." not in text


def _swatch_entry(x) -> bool:
    if isinstance(x, str):
        return True
    width = x.get("width_cm") if isinstance(x, dict) else None
    return (isinstance(x, dict) and isinstance(x.get("path"), str) and set(x) <= {"path", "width_cm"}
            and (width is None or (isinstance(width, int | float) and not isinstance(width, bool) and width > 0)))


def load(path, kinds: tuple[str, ...], check_swatch: FileCheck | None = None,
         check_blend: FileCheck | None = None, check_fabric: FabricCheck | None = None) -> BatchSpec:
    """Parse and validate a spec. ``kinds``: the fabric model's vocabulary; the checks open the swatch
    images and the .blend as the render will, and build every fabric's structure (a plaid whose repeat does
    not fit the tile size, say), so a dry run catches everything a real run would."""
    path = Path(path).resolve()
    try:
        text = path.read_text()
    except OSError as exc:
        raise SpecError(f"cannot read the batch spec {path}: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path.name}: not valid TOML: {exc}") from exc
    c = _Checker(path, text)
    for section, value in data.items():
        if section not in SECTIONS:
            c.fail(section, None, f"unknown section: use {', '.join(sorted(SECTIONS))}")
        if not isinstance(value, dict):
            c.fail(section, None, "must be a table")
        for key in value:
            if key not in SECTIONS[section]:
                c.fail(section, key, f"unknown field: use {', '.join(sorted(SECTIONS[section]))}")
    base = path.parent

    scene = data.get("scene", {})
    blend = None
    if "blend" in scene:
        blend = (base / c.get(scene, "scene", "blend", str, "")).resolve()
        if not blend.is_file() or blend.suffix != ".blend":
            c.fail("scene", "blend", f"{blend} is not an existing .blend file")
        problem = check_blend(blend) if check_blend else None
        if problem:
            c.fail("scene", "blend", f"{blend.name} cannot be opened ({problem}): save the scene again or "
                                     "choose another .blend")

    avatar = data.get("avatar", {})
    sex = c.get(avatar, "avatar", "sex", str, "female", lambda v: v in ("female", "male"), "female or male")
    garments = c.get(avatar, "avatar", "garments", list, ["skirt"], lambda v: all(g in GARMENTS for g in v),
                     f"a list of {', '.join(GARMENTS)}")
    drape_frames = c.get(avatar, "avatar", "drape_frames", int, 0, lambda v: 0 <= v <= 250, "0..250 frames")

    bodies_t = data.get("bodies", {})
    n_random = c.get(bodies_t, "bodies", "random", int, 0, lambda v: 0 <= v <= 10000, "0..10000")
    seed = c.get(bodies_t, "bodies", "seed", int, 0, lambda v: v >= 0, "a seed >= 0")
    bodies = [Body(f"random-{seed}-{i}", random_seed=seed * 100003 + i) for i in range(n_random)]
    explicit = c.get(bodies_t, "bodies", "explicit", list, [])
    for i, item in enumerate(explicit):
        if not isinstance(item, dict):
            c.fail("bodies", "explicit", f"entry {i + 1} must be a table with name and measurements")
        name = item.get("name", f"body-{i + 1}")
        if not isinstance(name, str) or not _safe_name(name):
            c.fail("bodies", "name", f"body name {name!r} is not a safe folder name (letters, digits, . _ -; "
                                     "no path separators or '..')")
        values = {}
        for k, v in item.items():
            if k == "name":
                continue
            mid = vocabulary.measurement_id(k)  # height (the word users read) or stature (ANSUR's id)
            if mid is None:
                c.fail("bodies", k, f"unknown measurement in body '{name}': use {', '.join(vocabulary.USER_KEYS)}")
            if mid in values:
                c.fail("bodies", k, f"body '{name}' gives {vocabulary.BY_ID[mid].label} twice")
            if not isinstance(v, int | float) or isinstance(v, bool) or not 20 <= v <= 300:
                c.fail("bodies", k, f"{v!r} in body '{name}' is not a measurement in cm/kg")
            values[mid] = float(v)
        bodies.append(Body(name, values))
    if not bodies:
        bodies = [Body("average")]
    if len({b.name for b in bodies}) != len(bodies):
        c.fail("bodies", "name", "body names must be unique")

    fab = data.get("fabrics", {})
    fkinds = c.get(fab, "fabrics", "kinds", list, ["denim"])
    for k in fkinds:
        if k not in kinds:
            c.fail("fabrics", "kinds", f"unknown fabric kind {k!r}: choose from {', '.join(kinds)}")
    colors = c.get(fab, "fabrics", "colors", list, ["#2b4a6f"],
                   lambda v: v and all(isinstance(x, str) and COLOR_RE.match(x) for x in v), "colours as '#rrggbb'")
    seeds = c.get(fab, "fabrics", "seeds", list, [0], lambda v: v and all(isinstance(x, int) and x >= 0 for x in v),
                  "seeds >= 0")
    swatches = c.get(fab, "fabrics", "swatches", list, [], lambda v: all(_swatch_entry(x) for x in v),
                     'photo paths, or {path = "photo.jpg", width_cm = 5} with a width above 0')
    size = c.get(fab, "fabrics", "size", int, 512, lambda v: 64 <= v <= 4096 and v % 4 == 0,
                 "64..4096, a multiple of 4")
    tpc = c.get(fab, "fabrics", "threads_per_cm", (int, float), 14.0, lambda v: 2 <= v <= 80, "2..80 threads per cm") \
        if "threads_per_cm" in fab else None
    weave = {}
    for key in ("draft", "warp", "weft"):
        value = c.get(fab, "fabrics", key, str, "", lambda v: bool(v.strip()), "a non-empty string") \
            if key in fab else None
        try:  # checked now, not in the middle of the batch
            if key == "draft" and value is not None:
                weave_draft.as_draft(value)
                woven = [k for k in fkinds if fabric_kinds.PRESETS[k].family == "woven"]
                if len(woven) != len(fkinds):
                    c.fail("fabrics", key, f"a draft only applies to woven kinds; {sorted(set(fkinds) - set(woven))} "
                                           "are not: list them in another spec")
            elif value is not None:
                yarn_colors.ColorSequence.parse(value)
        except EngineError as exc:
            c.fail("fabrics", key, str(exc))
        weave[key] = value
    fabrics = [Fabric(f"{k}-{col.lstrip('#').lower()}-s{s}", k, "#" + col.lstrip("#").lower(), s)
               for k in fkinds for col in colors for s in seeds]
    for sw in swatches:
        photo, width = (sw, None) if isinstance(sw, str) else (sw["path"], sw.get("width_cm"))
        p = (base / photo).resolve()
        if not p.is_file():
            c.fail("fabrics", "swatches", f"swatch image {p} does not exist")
        problem = check_swatch(p) if check_swatch else None
        if problem:
            c.fail("fabrics", "swatches", problem)
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", p.stem)[:40] or "swatch"
        fabrics += [Fabric(f"swatch-{stem}-s{s}", None, "#808080", s, str(p),
                           None if width is None else float(width)) for s in seeds]
    if not fabrics:
        c.fail("fabrics", None, "no fabrics: give kinds (with colours and seeds) or swatches")
    for f in fabrics:
        problem = check_fabric(f.kind, f.color, tpc, size, f.seed, weave) if check_fabric and f.kind else None
        if problem:
            c.fail("fabrics", "kinds", f"fabric '{f.name}': {problem}")
    seen: dict[str, Fabric] = {}
    for f in fabrics:  # each variant gets a folder named after its fabric: two alike would share one
        if f.name in seen:
            key = "swatches" if f.swatch else "kinds"
            c.fail("fabrics", key, f"fabric '{f.name}' is listed twice (repeated kinds, colours, seeds or swatch "
                                   "names): list each once")
        seen[f.name] = f

    r = data.get("render", {})
    engine = c.get(r, "render", "engine", str, "CYCLES", lambda v: v in ENGINES, f"one of {', '.join(ENGINES)}")
    samples = c.get(r, "render", "samples", int, 16, lambda v: 1 <= v <= 4096, "1..4096")
    res = c.get(r, "render", "resolution", list, [256, 256],
                lambda v: len(v) == 2 and all(isinstance(x, int) and 16 <= x <= 8192 for x in v), "[width, height]")
    angles = c.get(r, "render", "angles", list, [0],
                   lambda v: v and all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
                                       and -3600 <= x <= 3600 for x in v),
                   "a list of finite angles in degrees (-3600..3600)")
    files = [store.render_name(a) for a in angles]
    if len(set(files)) != len(files):
        c.fail("render", "angles", f"{angles} repeat a view (one image per whole degree, modulo 360): list each "
                                   "angle once")

    out_t = data.get("output", {})
    folder = c.get(out_t, "output", "folder", str, "renders", lambda v: bool(v.strip()))
    output = (base / folder).resolve()
    try:
        output.mkdir(parents=True, exist_ok=True)
        # A probe of its own: shards started together check the same folder at the same moment.
        with tempfile.NamedTemporaryFile(dir=output, prefix=".wardrobe_write_test"):
            pass
    except OSError as exc:
        c.fail("output", "folder", f"{output} is not writable ({exc.strerror or exc}): choose another folder")
    if not os.access(output, os.W_OK):
        c.fail("output", "folder", f"{output} is not writable: choose another folder")
    return BatchSpec(path, blend, sex, list(garments), bodies, fabrics, size, None if tpc is None else float(tpc),
                     engine, samples, (res[0], res[1]), [float(a) for a in angles], output, weave, drape_frames)
