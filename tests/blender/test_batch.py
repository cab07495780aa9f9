"""Headless batches: every entry point, kill + resume, shards, the Ray executor, and bad specs."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bpy
import numpy as np
import pytest
from bpy_helpers import ROOT

SPEC = """
[avatar]
garments = ["skirt"]
[bodies]
random = 1
seed = 4
[[bodies.explicit]]
name = "tall"
stature = 183
[fabrics]
kinds = ["denim", "gingham"]
colors = ["#2b4a6f"]
seeds = [0]
size = 64
[render]
samples = 2
resolution = [48, 48]
angles = [0]
[output]
folder = "out"
"""


def _spec(tmp_path: Path, text: str = SPEC, name: str = "spec.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _env() -> dict:
    return {**os.environ, "BLENDER_USER_RESOURCES": tempfile.mkdtemp(prefix="wardrobe-bpy-"),
            "PYTHONPATH": str(ROOT)}


def _python_batch(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "blender_wardrobe.batch", *map(str, args)], capture_output=True,
                          text=True, env=_env(), cwd=ROOT, timeout=600, **kw)


def _done(out: Path) -> set[str]:
    return {p.parent.name for p in out.glob("*/variant.json")}


def _manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


ALL = {"random-4-0__denim-2b4a6f-s0", "random-4-0__gingham-2b4a6f-s0", "tall__denim-2b4a6f-s0",
       "tall__gingham-2b4a6f-s0"}


def test_cli_entry_point_renders_every_variant(addon, tmp_path, capsys):
    spec = _spec(tmp_path)
    assert addon.cli.execute(["batch", str(spec)]) == 0
    out = tmp_path / "out"
    assert _done(out) == ALL
    log = capsys.readouterr().out
    assert "[4/4]" in log and "ETA" in log
    recs = _manifest(out)
    assert [r["index"] for r in recs] == [0, 1, 2, 3] and {r["id"] for r in recs} == ALL
    for r in recs:
        folder = out / r["id"]
        assert (folder / "render_000.png").is_file() and (folder / "skirt_albedo.png").is_file()
        body = json.loads((folder / "body.json").read_text())
        assert set(body["sliders"]) == {"stature", "chest", "waist", "hips", "inseam", "weight"}
    tall = json.loads((out / "tall__gingham-2b4a6f-s0" / "body.json").read_text())
    assert tall["sliders"]["stature"] == pytest.approx(183)
    assert (out / "contact_sheet.png").is_file() and len(json.loads((out / "contact_sheet.json").read_text())) == 4
    # Nothing is left half-written, and a second run has nothing to do.
    assert not list(out.rglob(".*partial*")) and not list(out.rglob(".*.tmp*"))
    assert addon.cli.execute(["batch", str(spec)]) == 0
    assert "4 already done, 0 to render" in capsys.readouterr().out


def test_python_module_entry_point_and_shards(tmp_path):
    spec = _spec(tmp_path)
    first = _python_batch(spec, "--shard", "1/2")
    assert first.returncode == 0, first.stderr[-2000:]
    half = _done(tmp_path / "out")
    assert len(half) == 2
    second = _python_batch(spec, "--shard", "2/2")
    assert second.returncode == 0, second.stderr[-2000:]
    assert _done(tmp_path / "out") == ALL and half < ALL


def test_script_entry_point(tmp_path):
    """`blender -b -P <add-on>/batch/run_script.py -- spec.toml`, with bpy standing in for the binary."""
    spec = _spec(tmp_path)
    script = ROOT / "blender_wardrobe" / "batch" / "run_script.py"
    code = (f"import sys, runpy; import bpy; sys.argv = ['blender', '-b', '-P', {str(script)!r}, '--', "
            f"{str(spec)!r}, '--shard', '1/1']; runpy.run_path({str(script)!r}, run_name='__main__')")
    env = {**_env(), "PYTHONPATH": ""}  # the script finds the add-on beside itself
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert _done(tmp_path / "out") == ALL, (proc.stdout + proc.stderr)[-2000:]


def test_killed_batch_resumes_exactly_the_missing_variants(tmp_path):
    spec = _spec(tmp_path, SPEC.replace("random = 1", "random = 7"))  # 16 variants: time to kill it midway
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "blender_wardrobe.batch", str(spec)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=_env(), cwd=ROOT)
    deadline = time.time() + 300
    while not _done(out) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _done(out)
    assert 1 <= len(before) < 16, "killed too late to test resuming: make the batch bigger"
    stamps = {v: (out / v / "variant.json").stat().st_mtime_ns for v in before}
    if (out / "manifest.jsonl").exists():  # whatever the kill interrupted, the manifest parses
        assert {r["id"] for r in _manifest(out)} <= before
    again = _python_batch(spec)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"{len(before)} already done, {16 - len(before)} to render" in again.stdout
    assert len(_done(out)) == 16 and {r["id"] for r in _manifest(out)} == _done(out)
    assert all((out / v / "variant.json").stat().st_mtime_ns == t for v, t in stamps.items())  # not redone


def test_shards_partition_the_variants_exactly_once(addon, tmp_path):
    from blender_wardrobe.batch import plan, spec

    s = spec.load(_spec(tmp_path, SPEC.replace("random = 1", "random = 5")), addon.model_cache.fabric_model(
        __import__("bpy").context).kinds)
    everything = plan.variants(s)
    assert len(everything) == 12
    for n in (1, 2, 3, 5, 12, 20):
        parts = [plan.shard(everything, i, n) for i in range(1, n + 1)]
        ids = [v.id for p in parts for v in p]
        assert sorted(ids) == sorted(v.id for v in everything) and len(ids) == len(set(ids))
        assert max(map(len, parts)) - min(map(len, parts)) <= 1
    for bad in ("0/2", "3/2", "1", "a/b"):
        with pytest.raises(ValueError, match="i/N"):
            plan.parse_shard(bad)


def test_ray_executor_on_a_local_cluster_with_two_workers(tmp_path):
    pytest.importorskip("ray")
    spec = _spec(tmp_path)
    proc = _python_batch(spec, "--executor", "ray", "--workers", "2")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert proc.stdout.count(": exit 0 in") == 2 and "ray: 2 shards" in proc.stdout
    assert _done(tmp_path / "out") == ALL and {r["id"] for r in _manifest(tmp_path / "out")} == ALL
    assert (tmp_path / "out" / "contact_sheet.png").is_file()


# -- bad specs: refused before anything renders ----------------------------------------------------------
@pytest.mark.parametrize("edit,match", [
    (lambda s: s.replace('kinds = ["denim", "gingham"]', 'kinds = ["denim", "chainmail"]'),
     r"line \d+\): \[fabrics.kinds\] unknown fabric kind 'chainmail'"),
    (lambda s: s.replace("samples = 2", "smaples = 2"), r"line \d+\): \[render.smaples\] unknown field"),
    (lambda s: s.replace("samples = 2", 'samples = "many"'), r"\[render.samples\] invalid value 'many'"),
    (lambda s: s.replace('name = "tall"', 'name = "../../etc"'), r"not a safe folder name"),
    (lambda s: s.replace("[avatar]", '[scene]\nblend = "missing.blend"\n[avatar]'), r"missing.blend is not an"),
    (lambda s: s + "\n[render\n", r"not valid TOML.*line"),
    (lambda s: s.replace('colors = ["#2b4a6f"]', 'colors = ["blue"]'), r"\[fabrics.colors\]"),
    (lambda s: s.replace("angles = [0]", "angles = [0, nan]"), r"line \d+\): \[render.angles\] invalid value.*finite"),
    (lambda s: s.replace("angles = [0]", "angles = [0, inf]"), r"\[render.angles\] invalid value"),
    (lambda s: s.replace("angles = [0]", "angles = [0, 360]"), r"\[render.angles\] .*repeat a view"),
    (lambda s: s.replace('kinds = ["denim", "gingham"]', 'kinds = ["denim", "denim"]'),
     r"\[fabrics.kinds\] fabric 'denim-2b4a6f-s0' is listed twice"),
    (lambda s: s.replace('colors = ["#2b4a6f"]', 'colors = ["#2b4a6f", "#2B4A6F"]'), r"is listed twice"),
    (lambda s: s.replace("seeds = [0]", "seeds = [0, 0]"), r"is listed twice"),
    (lambda s: s.replace('kinds = ["denim", "gingham"]', 'kinds = ["denim", "plaid"]'),
     r"\[fabrics.kinds\] fabric 'plaid-2b4a6f-s0': one repeat of this pattern is \d+ threads.*larger size"),
    (lambda s: s.replace("size = 64", 'size = 64\ndraft = "##./.#"'),
     r"\[fabrics.draft\] the draft is not rectangular"),
    (lambda s: s.replace("size = 64", 'size = 64\nwarp = "navy 0"'), r"\[fabrics.warp\] a stripe width of 0.0 cm"),
    (lambda s: s.replace("size = 64", "size = 64\nthreads_per_cm = 500"), r"\[fabrics.threads_per_cm\] invalid"),
    (lambda s: s.replace("seeds = [0]", 'seeds = [0]\nswatches = [{path = "p.png", width_cm = -4}]'),
     r"\[fabrics.swatches\] invalid value.*width above 0"),
])
def test_bad_specs_name_the_field_and_line(addon, tmp_path, capsys, edit, match):
    spec = _spec(tmp_path, edit(SPEC))
    assert addon.cli.execute(["batch", str(spec)]) == 2
    err = capsys.readouterr().err
    assert __import__("re").search(match, err), err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("content,match", [
    (b"this is not a picture", r"\[fabrics.swatches\] cannot read the swatch 'photo.png': it is not an image"),
    (None, r"\[fabrics.swatches\] .*photo.png.* (exist|image)"),
])
def test_swatches_that_are_not_images_are_refused_by_a_dry_run(addon, tmp_path, capsys, content, match):
    if content is None:
        (tmp_path / "photo.png").mkdir()  # a folder with an image's name
    else:
        (tmp_path / "photo.png").write_bytes(content)
    spec = _spec(tmp_path, SPEC.replace("seeds = [0]", 'seeds = [0]\nswatches = ["photo.png"]'))
    assert addon.cli.execute(["batch", str(spec), "--dry-run"]) == 2
    assert __import__("re").search(match, capsys.readouterr().err)


def test_a_blend_that_does_not_open_is_refused_by_a_dry_run(addon, tmp_path, capsys):
    (tmp_path / "studio.blend").write_bytes(b"BLENDER-v300" + b"\0" * 64)  # a header and nothing else
    spec = _spec(tmp_path, '[scene]\nblend = "studio.blend"\n' + SPEC)
    scene_before = bpy.context.scene.name
    assert addon.cli.execute(["batch", str(spec), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "[scene.blend] studio.blend cannot be opened" in err and "(line 2)" in err, err
    assert bpy.context.scene.name == scene_before  # checking it did not open anything


def test_a_good_blend_and_swatch_pass_the_dry_run(addon, tmp_path, capsys):
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "studio.blend"), copy=True)
    img = bpy.data.images.new("photo", 64, 64)
    img.pixels.foreach_set(np.random.default_rng(0).random(64 * 64 * 4).astype(np.float32))  # texture, not flat
    img.filepath_raw, img.file_format = str(tmp_path / "photo.png"), "PNG"
    img.save()
    spec = _spec(tmp_path, '[scene]\nblend = "studio.blend"\n' + SPEC.replace(
        "seeds = [0]", 'seeds = [0]\nswatches = ["photo.png"]'))
    assert addon.cli.execute(["batch", str(spec), "--dry-run"]) == 0
    assert "6 variants" in capsys.readouterr().out
    spec.write_text(spec.read_text().replace('swatches = ["photo.png"]',
                                             'swatches = [{path = "photo.png", width_cm = 3.5}]'))
    assert addon.cli.execute(["batch", str(spec), "--dry-run"]) == 0


def test_a_swatch_batch_wears_what_the_photo_is_read_as(addon, tmp_path):
    model = addon.model_cache.fabric_model(bpy.context)
    photo = model.generate("gingham", "#a02820", None, 192, 7, px_per_thread=6.0).albedo
    img = bpy.data.images.new("photo", 192, 192)
    rgba = np.ones((192, 192, 4), np.float32)
    rgba[..., :3] = photo[::-1]  # a byte image holds the file's sRGB values
    img.pixels.foreach_set(rgba.ravel())
    img.filepath_raw, img.file_format = str(tmp_path / "photo.png"), "PNG"
    img.save()
    bpy.data.images.remove(img)
    text = SPEC.replace('kinds = ["denim", "gingham"]', "kinds = []").replace("random = 1", "random = 0")
    spec = _spec(tmp_path, text.replace("seeds = [0]", 'seeds = [0]\nswatches = [{path = "photo.png", width_cm = 4}]'))
    assert addon.cli.execute(["batch", str(spec)]) == 0
    recs = _manifest(tmp_path / "out")
    assert len(recs) == 1 and recs[0]["swatch"].endswith("photo.png")
    info = next(iter(recs[0]["fabric_info"].values()))
    read = info["swatch"]
    assert info["kind"] == "cotton" and read["family"] == "plain" and "," in read["warp"]  # the checks
    assert read["threads_per_cm"] == pytest.approx(192 / 6.0 / 4.0, rel=0.05)  # 32 threads across 4 cm


def test_ray_without_ray_installed_says_how_to_install_it(addon, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as in a stock Blender
    assert addon.cli.execute(["batch", str(_spec(tmp_path)), "--executor", "ray"]) == 2
    err = capsys.readouterr().err
    assert "--executor ray needs Ray" in err and "-m pip install ray==" in err and "--shard i/N" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_remote_ray_address_needs_blenders_online_access(addon, tmp_path, capsys):
    assert not bpy.app.online_access  # the default of a background Blender
    spec = str(_spec(tmp_path))
    assert addon.cli.execute(["batch", spec, "--executor", "ray", "--address", "10.20.30.40:6379"]) == 2
    err = capsys.readouterr().err
    assert "is another machine, and Blender's online access is off" in err and "--online-mode" in err


def test_a_resumed_variant_never_lists_what_a_killed_run_left(tmp_path):
    spec = _spec(tmp_path)
    out = tmp_path / "out"
    stale = out / "tall__denim-2b4a6f-s0"
    stale.mkdir(parents=True)
    for name in (".render_000.partial4242.png", ".skirt_albedo.partial4242.png", ".body.json.x1y2z3",
                 "render_000.png", "skirt_albedo.png"):  # temporary files and half a variant from a killed run
        (stale / name).write_bytes(b"left by a killed run")
    proc = _python_batch(spec)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rec = json.loads((stale / "variant.json").read_text())
    assert rec["renders"] == ["render_000.png"]
    assert rec["fabric_maps"] == ["skirt_albedo.png", "skirt_normal.png", "skirt_roughness.png"]
    assert sorted(p.name for p in stale.iterdir()) == sorted(["body.json", "variant.json", *rec["renders"],
                                                              *rec["fabric_maps"]])
    assert (stale / "render_000.png").read_bytes()[:4] == b"\x89PNG"  # rendered again, not the stale bytes
    assert not list(out.rglob(".*partial*"))


def test_measurements_take_the_words_users_read_or_the_ids(addon, tmp_path, capsys):
    import bpy

    from blender_wardrobe.batch import spec

    kinds = addon.model_cache.fabric_model(bpy.context).kinds
    s = spec.load(_spec(tmp_path, SPEC.replace("stature = 183", "height = 183\nweight = 80")), kinds)
    assert [b.measurements for b in s.bodies if b.name == "tall"] == [{"stature": 183.0, "weight": 80.0}]
    twice = _spec(tmp_path, SPEC.replace("stature = 183", "stature = 183\nheight = 184"), "twice.toml")
    assert addon.cli.execute(["batch", str(twice), "--dry-run"]) == 2
    assert "gives Height twice" in capsys.readouterr().err


def test_unwritable_output_folder_is_refused(addon, tmp_path, capsys):
    (tmp_path / "out").write_text("a file where the output folder should be")
    spec = _spec(tmp_path)
    assert addon.cli.execute(["batch", str(spec)]) == 2
    assert "[output.folder]" in capsys.readouterr().err


def test_the_readme_example_spec_is_valid(addon):
    import bpy

    from blender_wardrobe.batch import plan, spec

    s = spec.load(ROOT / "docs" / "examples" / "catalogue.toml", addon.model_cache.fabric_model(bpy.context).kinds)
    assert len(plan.variants(s)) == 9 and s.output == (ROOT / "renders" / "catalogue").resolve()


def test_batch_help_and_usage_errors_return_codes(addon, capsys):
    assert addon.cli.execute(["batch", "--help"]) == 0
    assert "--shard" in capsys.readouterr().out
    assert addon.cli.execute(["batch"]) == 2  # no spec: argparse's usage error, not an exception
    assert addon.cli.execute(["batch", "x.toml", "--shard", "3/2"]) == 2


def test_batch_makes_drapes_and_measures_made_to_measure_garments(addon, tmp_path):
    spec = _spec(tmp_path, SPEC.replace('garments = ["skirt"]', 'garments = ["sheath_dress"]\ndrape_frames = 3')
                 .replace('kinds = ["denim", "gingham"]', 'kinds = ["silk"]').replace("random = 1", "random = 0"))
    assert addon.cli.execute(["batch", str(spec)]) == 0
    folder = tmp_path / "out" / "tall__silk-2b4a6f-s0"
    assert (folder / "render_000.png").is_file() and (folder / "dress_albedo.png").is_file()
    body = json.loads((folder / "body.json").read_text())
    (entry,) = body["garments"].values()
    assert entry["fit"].startswith("ease chest +") and entry["drape_seconds"] > 0
    dress = next(o for o in bpy.data.objects if o.wardrobe.role == "GARMENT")
    assert "Wardrobe Drape" in dress.data.shape_keys.key_blocks


def test_batch_refuses_an_unknown_garment_and_bad_drape_frames(addon, tmp_path, capsys):
    assert addon.cli.execute(["batch", str(_spec(tmp_path, SPEC.replace('["skirt"]', '["cape"]'))), "--dry-run"]) == 2
    assert "a_line_dress" in capsys.readouterr().err  # the message lists what exists
    bad = SPEC.replace('garments = ["skirt"]', 'garments = ["skirt"]\ndrape_frames = 9999')
    assert addon.cli.execute(["batch", str(_spec(tmp_path, bad, "b.toml")), "--dry-run"]) == 2
    assert "drape_frames" in capsys.readouterr().err
