"""MakeHuman's parametric body space on the template: macro rules plus linear shape targets.

``ShapeSpace.bodies(params)`` turns parameter vectors into template-topology bodies exactly as
MakeHuman blends its targets: every macro target file is weighted by the product of the weights
of the variable values in its name (gender x age x muscle x weight x height ...; see
``targets/macrodetails/macro.json``), and each extra modifier adds its ``incr`` or ``decr``
target scaled by |value|.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.body.targets import N_BODY, read_target

# Macro variables in [0, 1] (MakeHuman defaults 0.5) and race weights (normalised to sum 1).
MACROS = ("gender", "age", "muscle", "weight", "height", "proportions", "cupsize", "firmness")
RACES = ("african", "asian", "caucasian")
# Extra linear modifiers in [-1, 1]: <path stem>-decr|incr pairs under targets/.
MODIFIERS = (
    "torso/measure-bust-circ", "torso/measure-underbust-circ", "torso/measure-waist-circ",
    "torso/measure-hips-circ", "torso/measure-shoulder-dist", "torso/measure-napetowaist-dist",
    "torso/measure-waisttohip-dist", "neck/measure-neck-circ", "legs/measure-thigh-circ",
    "legs/measure-upperleg-height", "legs/measure-lowerleg-height", "arms/measure-upperarm-circ",
    "arms/measure-upperarm-length", "arms/measure-lowerarm-length", "stomach/stomach-pregnant",
    "buttocks/buttocks-volume",
)
PARAM_NAMES = (*MACROS, *(f"race_{r}" for r in RACES), *MODIFIERS)
N_PARAMS = len(PARAM_NAMES)
MACRO_DIRS = ("macrodetails", "macrodetails/height", "macrodetails/proportions", "breast")


def age_years(age: np.ndarray) -> np.ndarray:
    """MakeHuman's age slider (0..1) in years: 0 -> 1, 0.5 -> 25, 1 -> 90."""
    age = np.asarray(age, np.float64)
    return np.where(age < 0.5, 1 + 48 * age, 25 + 130 * (age - 0.5))


def age_value(years: np.ndarray) -> np.ndarray:
    years = np.asarray(years, np.float64)
    return np.where(years < 25, (years - 1) / 48, 0.5 + (years - 25) / 130)


def value_weights(p: np.ndarray) -> dict[str, np.ndarray]:
    """Weight of every value token (e.g. 'female', 'young', 'maxweight') for params (N, N_PARAMS)."""
    p = np.atleast_2d(p)
    col = {n: p[:, i] for i, n in enumerate(PARAM_NAMES)}
    w: dict[str, np.ndarray] = {}
    w["male"] = col["gender"]
    w["female"] = 1 - col["gender"]
    a = col["age"]
    young_lo = np.maximum(0, (a - 0.1875) * 3.2)
    w["baby"] = np.where(a < 0.5, np.maximum(0, 1 - a * 5.333), 0)
    w["child"] = np.where(a < 0.5, np.maximum(0, np.minimum(1, 5.333 * a) - young_lo), 0)
    w["old"] = np.where(a < 0.5, 0, np.maximum(0, a * 2 - 1))
    w["young"] = np.where(a < 0.5, young_lo, 1 - w["old"])
    for var, (lo, avg, hi) in {
        "muscle": ("minmuscle", "averagemuscle", "maxmuscle"),
        "weight": ("minweight", "averageweight", "maxweight"),
        "cupsize": ("mincup", "averagecup", "maxcup"),
        "firmness": ("minfirmness", "averagefirmness", "maxfirmness"),
        "height": ("minheight", None, "maxheight"),
        "proportions": ("uncommonproportions", None, "idealproportions"),
    }.items():
        v = col[var]
        w[lo] = np.maximum(0, 1 - 2 * v)
        w[hi] = np.maximum(0, 2 * v - 1)
        if avg:
            w[avg] = 1 - w[lo] - w[hi]
    races = np.stack([col[f"race_{r}"] for r in RACES], 1)
    races = races / np.maximum(races.sum(1, keepdims=True), 1e-9)
    for i, r in enumerate(RACES):
        w[r] = races[:, i]
    return w


def macro_file_tokens(stem: str) -> list[str]:
    return [t for t in stem.split("-") if t != "universal"]


@dataclass
class ShapeSpace:
    base: np.ndarray  # (V, 3) template body, metres
    macro_tokens: list[list[str]]  # value tokens of each macro target
    macro: np.ndarray  # (M, V*3) float32 macro target offsets
    incr: np.ndarray  # (K, V*3) modifier offsets for positive values
    decr: np.ndarray  # (K, V*3) modifier offsets for negative values
    source_digest: str

    @classmethod
    def load(cls, data_root: Path, base: np.ndarray, cache_dir: Path | None = None) -> ShapeSpace:
        tdir = Path(data_root) / "bodies/mpfb2/targets"
        files = sorted(f for d in MACRO_DIRS for f in (tdir / d).glob("*.target.gz"))
        files = [f for f in files if f.parent.name != "breast" or "cup" in f.name]
        mod_files = [(tdir / f"{m}-incr.target.gz", tdir / f"{m}-decr.target.gz") for m in MODIFIERS]
        digest = hashlib.sha256("\n".join(str(f.relative_to(tdir)) for f in files).encode()).hexdigest()[:16]
        cache = (cache_dir / f"shape_space_{digest}.npz") if cache_dir else None
        if cache is not None and cache.is_file():
            with np.load(cache) as z:
                macro, incr, decr = z["macro"], z["incr"], z["decr"]
        else:
            macro = np.stack([_dense(f) for f in files])
            incr = np.stack([_dense(i) for i, _ in mod_files])
            decr = np.stack([_dense(d) for _, d in mod_files])
            if cache is not None:
                cache.parent.mkdir(parents=True, exist_ok=True)
                np.savez(cache, macro=macro, incr=incr, decr=decr)
        tokens = [macro_file_tokens(f.name.removesuffix(".target.gz")) for f in files]
        return cls(np.asarray(base, np.float32), tokens, macro, incr, decr, digest)

    def macro_weights(self, params: np.ndarray) -> np.ndarray:
        """(N, M) weight of each macro target for parameter vectors (N, N_PARAMS)."""
        vw = value_weights(params)
        out = np.ones((np.atleast_2d(params).shape[0], len(self.macro_tokens)))
        for j, toks in enumerate(self.macro_tokens):
            for t in toks:
                out[:, j] *= vw[t]
        return out

    def bodies(self, params: np.ndarray) -> np.ndarray:
        """(N, V, 3) float32 bodies for parameter vectors (N, N_PARAMS)."""
        params = np.atleast_2d(np.asarray(params, np.float64))
        lin = params[:, len(MACROS) + len(RACES):]
        off = self.macro_weights(params).astype(np.float32) @ self.macro
        off += np.clip(lin, 0, None).astype(np.float32) @ self.incr
        off += np.clip(-lin, 0, None).astype(np.float32) @ self.decr
        return self.base[None] + off.reshape(len(params), N_BODY, 3)


def _dense(path: Path) -> np.ndarray:
    idx, off = read_target(path)
    out = np.zeros((N_BODY, 3), np.float32)
    out[idx] = off
    return out.ravel()


def default_params(n: int = 1) -> np.ndarray:
    """MakeHuman's default body (all macros 0.5, equal races, no modifiers)."""
    p = np.zeros((n, N_PARAMS))
    p[:, : len(MACROS)] = 0.5
    p[:, len(MACROS): len(MACROS) + len(RACES)] = 1 / 3
    return p
