"""Yarn colour sequences: the order of dyed yarns across the warp or the weft, in centimetres.

Stripes, gingham, plaid and houndstooth are not printed patterns but yarn-dyed ones: the warp is set up
as, say, 0.6 cm of blue yarn then 0.6 cm of white, and so is the weft. A sequence is a list of
``(colour, width_cm)``; widths become whole threads at the fabric's density, so the pattern keeps its
size in centimetres whatever the tile size. Text form: ``"#2b4a6f 0.6, white 0.6"`` (a bare colour is
one solid yarn).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import color as colour
from .errors import EngineError

MAX_STEPS = 64  # colour changes in one repeat


class ColorSequenceError(EngineError, ValueError):
    """A colour sequence that cannot be set up; the message names the fix."""


@dataclass(frozen=True)
class ColorSequence:
    steps: tuple[tuple[tuple[float, float, float], float], ...]  # ((sRGB colour, width in cm), ...)

    def __post_init__(self):
        if not self.steps:
            raise ColorSequenceError("a colour sequence needs at least one colour")
        if len(self.steps) > MAX_STEPS:
            raise ColorSequenceError(f"a colour sequence of {len(self.steps)} steps is longer than {MAX_STEPS}: "
                                     "give one repeat of the pattern")
        for _, w in self.steps:
            if not (math.isfinite(w) and 0 < w <= 100):
                raise ColorSequenceError(f"a stripe width of {w!r} cm is not usable: give widths above 0 and up "
                                         "to 100 cm")

    @classmethod
    def solid(cls, rgb) -> ColorSequence:
        return cls(((tuple(float(c) for c in rgb), 1.0),))

    @classmethod
    def parse(cls, value) -> ColorSequence:
        """A sequence from text (``"#2b4a6f 0.6, white 0.6"``), a colour, or a list of colours / (colour, cm)."""
        if isinstance(value, ColorSequence):
            return value
        if isinstance(value, str):
            items = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            if not items:
                raise ColorSequenceError("the colour sequence is empty: give colours with widths in cm, e.g. "
                                         "'#2b4a6f 0.6, white 0.6'")
            steps = []
            for item in items:
                words = item.split()
                width = 1.0
                if len(words) > 1:
                    try:
                        width = float(words[-1].removesuffix("cm"))
                        words = words[:-1]
                    except ValueError:
                        pass
                steps.append((_rgb(" ".join(words)), width))
            return cls(tuple(steps))
        try:
            return cls.solid(_rgb(value))  # one colour as a tuple of numbers
        except ColorSequenceError:
            pass
        steps = []
        for item in value:
            if isinstance(item, str) or len(item) != 2:
                steps.append((_rgb(item), 1.0))
            else:
                c, w = item
                try:
                    steps.append((_rgb(c), float(w)))
                except (TypeError, ValueError) as exc:
                    raise ColorSequenceError(f"the width {w!r} is not a number of centimetres") from exc
        return cls(tuple(steps))

    @property
    def colors(self) -> np.ndarray:
        return np.array([c for c, _ in self.steps], np.float32)

    def threads(self, threads_per_cm: float, align: int = 1) -> np.ndarray:
        """Whole threads of each step at this density: at least ``align``, in multiples of ``align``."""
        return np.array([align * max(1, int(round(w * threads_per_cm / align))) for _, w in self.steps])

    def repeat(self, threads_per_cm: float, align: int = 1) -> int:
        """Threads in one repeat of the sequence (1 for a solid colour)."""
        return 1 if len(self.steps) == 1 else int(self.threads(threads_per_cm, align).sum())

    def yarn_index(self, n: int, threads_per_cm: float, align: int = 1) -> np.ndarray:
        """Index into ``colors`` of each of ``n`` threads (the sequence repeated)."""
        if len(self.steps) == 1:
            return np.zeros(n, np.int32)
        one = np.repeat(np.arange(len(self.steps)), self.threads(threads_per_cm, align))
        return np.resize(one, n).astype(np.int32)

    def text(self) -> str:
        return ", ".join(f"{colour.to_hex(c)} {w:g}" for c, w in self.steps)


def _rgb(value) -> tuple[float, float, float]:
    try:
        return colour.parse_color(value)
    except colour.ColorError as exc:
        raise ColorSequenceError(f"{exc} (in a colour sequence)") from exc
