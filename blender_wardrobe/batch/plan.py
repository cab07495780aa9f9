"""Variants (bodies x fabrics) in a fixed order, and the deterministic shard partition."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .spec import BatchSpec, Body, Fabric

SHARD_RE = re.compile(r"^(\d+)/(\d+)$")


@dataclass(frozen=True)
class Variant:
    index: int  # position in the full, sorted list (the same on every machine)
    body: Body
    fabric: Fabric

    @property
    def id(self) -> str:
        return f"{self.body.name}__{self.fabric.name}"


def variants(spec: BatchSpec) -> list[Variant]:
    pairs = sorted(((b, f) for b in spec.bodies for f in spec.fabrics), key=lambda p: (p[0].name, p[1].name))
    return [Variant(i, b, f) for i, (b, f) in enumerate(pairs)]


def parse_shard(text: str | None) -> tuple[int, int]:
    """'i/N' (1-based, as farm managers number array tasks) -> (i, N); None -> the whole set (1/1)."""
    if text is None:
        return 1, 1
    m = SHARD_RE.match(text.strip())
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"--shard {text!r}: use i/N with 1 <= i <= N, e.g. --shard 2/8")
    return int(m.group(1)), int(m.group(2))


def shard(items: list[Variant], i: int, n: int) -> list[Variant]:
    """Round-robin by index: every variant in exactly one shard, shards balanced within one variant."""
    return [v for v in items if v.index % n == i - 1]
