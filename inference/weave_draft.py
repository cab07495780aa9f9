"""Weave drafts: which yarn is on top at every crossing, the way weavers write it (WIF).

A draft is a boolean matrix ``up[pick, end]``: True where the warp end (column) lies over the weft
pick (row). It comes from a preset (``DRAFTS``), from the three parts of a loom draft (threading:
end -> shaft; tie-up: treadle -> shafts it lifts; treadling: pick -> treadles pressed), or from text
rows of ``#`` (warp up) and ``.`` (weft up). The matrix is one repeat; the fabric tiles it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .errors import EngineError

MAX_REPEAT = 64  # ends or picks in one repeat: larger is not a weave but a jacquard image


class DraftError(EngineError, ValueError):
    """A draft that cannot be woven as given; the message names the fix."""


@dataclass(frozen=True, eq=False)
class Draft:
    up: np.ndarray  # (picks, ends) bool, True = warp on top

    def __post_init__(self):
        up = np.asarray(self.up)
        if up.ndim != 2 or min(up.shape) < 1:
            raise DraftError("a draft must be a non-empty rectangle of crossings (rows of '#' and '.')")
        if max(up.shape) > MAX_REPEAT:
            raise DraftError(f"a draft repeat of {up.shape[1]} ends x {up.shape[0]} picks is larger than "
                             f"{MAX_REPEAT}: give one repeat of the weave")
        if up.all() or not up.any():
            raise DraftError("this draft has no interlacing (every crossing is the same yarn on top): the cloth "
                             "would fall apart; put at least one '#' and one '.' in it")
        if (up.all(0) | ~up.any(0)).any() or (up.all(1) | ~up.any(1)).any():
            raise DraftError("a warp end or weft pick in this draft never interlaces (a whole column or row is "
                             "the same): every end and pick needs both '#' and '.'")
        object.__setattr__(self, "up", up.astype(bool))

    @property
    def ends(self) -> int:
        return self.up.shape[1]

    @property
    def picks(self) -> int:
        return self.up.shape[0]

    @property
    def repeat(self) -> int:
        """Threads after which the draft repeats in both directions (a square tile holds whole repeats)."""
        return math.lcm(self.ends, self.picks)

    @cached_property
    def float_tables(self) -> tuple[np.ndarray, ...]:
        """(warp float length, position in it, weft float length, position in it), float32 (picks, ends): what
        every rendered window looks up, worked out once per draft."""
        return tuple(a.astype(np.float32) for a in (*floats(self.up, 0), *floats(~self.up, 1)))

    def text(self) -> str:
        return "\n".join("".join("#" if c else "." for c in row) for row in self.up)

    @classmethod
    def parse(cls, text: str) -> Draft:
        """Rows of ``#``/``1``/``x`` (warp up) and ``.``/``0``/``-`` (weft up); rows split by newlines or ``/``."""
        rows = [r.strip() for r in str(text).replace("/", "\n").splitlines() if r.strip()]
        if not rows:
            raise DraftError("the draft is empty: give rows of '#' (warp up) and '.' (weft up), e.g. '#./.#'")
        if len({len(r) for r in rows}) != 1:
            raise DraftError(f"the draft is not rectangular (row lengths {[len(r) for r in rows]}): give every "
                             "row the same number of crossings")
        up, down = set("#1xX"), set(".0-")
        bad = sorted({c for r in rows for c in r} - up - down)
        if bad:
            raise DraftError(f"the draft has {bad!r}: use '#' for warp up and '.' for weft up")
        return cls(np.array([[c in up for c in r] for r in rows]))

    @classmethod
    def from_loom(cls, threading, tieup, treadling) -> Draft:
        """The drawdown of a loom draft (WIF): ``threading[end]`` = shaft, ``tieup[treadle]`` = shafts it lifts,
        ``treadling[pick]`` = treadle (or treadles) pressed. Shafts and treadles count from 1, as in WIF."""
        try:
            threading = [int(s) for s in threading]
            tieup = [{int(s) for s in t} for t in tieup]
            treadling = [{int(treadling_t)} if np.isscalar(treadling_t) else {int(t) for t in treadling_t}
                         for treadling_t in treadling]
        except (TypeError, ValueError) as exc:
            raise DraftError(f"a loom draft is threading (shaft per end), tie-up (shafts per treadle) and "
                             f"treadling (treadle per pick), all whole numbers from 1: {exc}") from exc
        if not threading or not treadling or not tieup:
            raise DraftError("a loom draft needs a threading, a tie-up and a treadling, none of them empty")
        bad = [t for pick in treadling for t in pick if not 1 <= t <= len(tieup)]
        if bad:
            raise DraftError(f"treadling uses treadle {bad[0]} but the tie-up has {len(tieup)} treadles")
        up = np.array([[any(shaft in tieup[t - 1] for t in pick) for shaft in threading] for pick in treadling])
        return cls(up)


def read_wif(path) -> Draft:
    """The drawdown of a WIF file (the weavers' exchange format, an INI file): [THREADING] end=shaft,
    [TIEUP] treadle=shafts and [TREADLING] pick=treadles, or [LIFTPLAN] pick=shafts for dobby looms."""
    import configparser
    from pathlib import Path

    cp = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cp.read_string(Path(path).read_text(errors="replace"))
    except (OSError, configparser.Error) as exc:
        raise DraftError(f"cannot read the WIF file {path}: {exc}") from exc
    sections = {k.upper(): v for k, v in cp.items()}

    def table(name):
        sec = sections.get(name)
        if sec is None:
            return None
        try:
            rows = {int(k): [int(v) for v in val.split(",") if v.strip()] for k, val in sec.items()}
        except ValueError as exc:
            raise DraftError(f"the [{name}] section of {path} has an entry that is not a list of numbers") from exc
        return [rows.get(i, []) for i in range(1, max(rows, default=0) + 1)]

    threading = table("THREADING")
    if not threading:
        raise DraftError(f"{path} has no [THREADING] section: export the draft as a full WIF from your weaving program")
    shafts = [t[0] if t else 0 for t in threading]
    lift = table("LIFTPLAN")
    if lift is None:
        tieup, treadling = table("TIEUP"), table("TREADLING")
        if not tieup or not treadling:
            raise DraftError(f"{path} needs [TIEUP] and [TREADLING] (or a [LIFTPLAN]) to say which shafts rise")
        lift = [sorted({sh for t in pick if 1 <= t <= len(tieup) for sh in tieup[t - 1]}) for pick in treadling]
    return Draft(np.array([[sh in set(pick) for sh in shafts] for pick in lift]))


def twill(over: int, under: int, direction: int = 1) -> Draft:
    """over/under twill (e.g. 3/1): each pick shifts the interlacing by one end (direction +1: right-hand)."""
    n = over + under
    i, j = np.meshgrid(np.arange(n), np.arange(n))  # i: end, j: pick
    return Draft((i - direction * j) % n < over)


def satin(ends: int, step: int, warp_faced: bool = True) -> Draft:
    """An ``ends``-end satin with counter ``step`` (coprime to ends): one interlacing per end and pick."""
    if math.gcd(ends, step) != 1 or step in (1, ends - 1):
        raise DraftError(f"a {ends}-end satin needs a step coprime to {ends} other than 1 and {ends - 1}")
    i, j = np.meshgrid(np.arange(ends), np.arange(ends))
    tie = (i * step - j) % ends == 0  # the single crossing where the face yarn goes under
    return Draft(~tie if warp_faced else tie)


def _herringbone(half: int = 4) -> Draft:
    """2/2 twill that reverses direction every ``half`` ends: the zigzag."""
    base = twill(2, 2).up
    cols = [base[:, e % 4] if (e // half) % 2 == 0 else base[:, (-e) % 4] for e in range(2 * half)]
    return Draft(np.stack(cols, 1))


def _broken_twill() -> Draft:
    """Broken (reversed) 2/2 twill as on much denim: no running diagonal, a zigzag of short steps."""
    base = twill(2, 2).up
    return Draft(np.stack([base[:, 0], base[:, 1], base[:, 3], base[:, 2]], 1))


DRAFTS = {
    "plain": Draft(np.array([[1, 0], [0, 1]], bool)),
    "basket": Draft(np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]], bool)),
    "oxford": Draft(np.array([[1, 1, 0, 0], [0, 0, 1, 1]], bool)),  # ends in pairs over single picks (2/1 basket)
    "twill_2_1": twill(2, 1),
    "twill_3_1": twill(3, 1),
    "twill_2_2": twill(2, 2),
    "broken_twill": _broken_twill(),
    "herringbone": _herringbone(4),
    "satin_5": satin(5, 2),
    "satin_8": satin(8, 3),
}
DRAFT_LABELS = {
    "plain": "Plain (tabby)", "basket": "Basket 2/2", "oxford": "Oxford (paired ends)",
    "twill_2_1": "Twill 2/1", "twill_3_1": "Twill 3/1 (denim)",
    "twill_2_2": "Twill 2/2", "broken_twill": "Broken twill", "herringbone": "Herringbone",
    "satin_5": "Satin 5-end", "satin_8": "Satin 8-end (charmeuse)",
}


def draft_named(name: str) -> Draft:
    if name not in DRAFTS:
        raise DraftError(f"unknown weave draft '{name}': choose one of {', '.join(DRAFTS)}, or give your own as "
                         "rows of '#' (warp up) and '.' (weft up)")
    return DRAFTS[name]


def as_draft(value) -> Draft:
    """A draft from a preset name, draft text, a .wif file path, a boolean matrix or a Draft."""
    if isinstance(value, Draft):
        return value
    if isinstance(value, str):
        if value in DRAFTS:
            return DRAFTS[value]
        if value.strip().lower().endswith(".wif"):
            return read_wif(value.strip())
        if value.isidentifier() and not set(value) <= set("xX"):  # a name, not rows of crossings
            return draft_named(value)
        return Draft.parse(value)
    return Draft(np.asarray(value, bool))


def floats(up: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """For every crossing, the length of the float (run of the same yarn on top) along ``axis`` through it and
    the crossing's position in that run (0..length-1), cyclic: axis 0 runs along the warp, 1 along the weft."""
    up = np.asarray(up, bool)
    m = np.moveaxis(up, axis, 0)
    n = m.shape[0]
    length = np.zeros(m.shape, np.int32)
    pos = np.zeros(m.shape, np.int32)
    for c in range(m.shape[1]):
        col = m[:, c]
        if col.all() or not col.any():  # cannot happen for a valid draft; guarded for partial inputs
            length[:, c], pos[:, c] = n, np.arange(n)
            continue
        start = int(np.flatnonzero(col != np.roll(col, 1))[0])  # a run boundary to start counting from
        k = start
        while k < start + n:
            e = k
            while e + 1 < start + n and col[(e + 1) % n] == col[k % n]:
                e += 1
            idx = np.arange(k, e + 1) % n
            length[idx, c], pos[idx, c] = e - k + 1, np.arange(e - k + 1)
            k = e + 1
    return np.moveaxis(length, 0, axis), np.moveaxis(pos, 0, axis)
