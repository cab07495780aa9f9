"""Training examples for the detail networks: synthesiser windows with the structure they were made from.

Each example is a WINDOW px window of a random tile (kind, colour, density, tile size, seed): the
structure channels and visible-yarn colour the engine would give the generator for that window, and the
synthesiser's maps for it. Training judges only the central CROP px (the generator wraps at the window's
edges, which are not the tile's). Stored as float16 to keep a few thousand windows in memory.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from models.fabric.conditions import style_vector
from models.fabric.synth import KINDS, PRESETS, FabricSpec, synthesize

WINDOW, CROP = 96, 64
BORDER = (WINDOW - CROP) // 2
TILE_SIZES = (256, 512, 1024)


def random_spec(rng: np.random.Generator, kind: str) -> FabricSpec:
    tpc = PRESETS[kind].threads_per_cm * 2 ** rng.uniform(-0.8, 0.8)
    rough = None if rng.random() < 0.5 else float(rng.uniform(0.15, 0.95))
    return FabricSpec(kind=kind, color=tuple(float(c) for c in rng.random(3) ** 1.5), threads_per_cm=float(tpc),
                      size=int(rng.choice(TILE_SIZES)), seed=int(rng.integers(1 << 30)), roughness=rough)


def example(rng: np.random.Generator, kind: str):
    """(structure (7, W, W), yarn colour (3, W, W) linear, maps (5, W, W), style) for one random window."""
    spec = random_spec(rng, kind)
    y0, x0 = (int(v) for v in rng.integers(0, spec.size, 2))
    m = synthesize(spec, (y0, x0, WINDOW, WINDOW))
    maps = np.concatenate([m["albedo"].transpose(2, 0, 1), m["height"][None], m["roughness"][None]])
    rough = PRESETS[kind].roughness if spec.roughness is None else spec.roughness
    return m["structure"], m["yarn_rgb"].transpose(2, 0, 1), maps, style_vector(kind, m["px_per_thread"], rough)


class Bank:
    def __init__(self, n: int, seed: int = 0, log=print):
        self.rng = np.random.default_rng(seed)
        t0 = time.time()
        parts = [example(self.rng, KINDS[i % len(KINDS)]) for i in range(n)]
        self.structure = np.stack([p[0] for p in parts]).astype(np.float16)
        self.yarn = np.stack([p[1] for p in parts]).astype(np.float16)
        self.maps = np.stack([p[2] for p in parts]).astype(np.float16)
        self.style = np.stack([p[3] for p in parts]).astype(np.float32)
        log(f"bank: {n} windows of {WINDOW} px in {time.time() - t0:.0f} s")

    def __len__(self) -> int:
        return len(self.style)

    def refresh(self, fraction: float) -> None:
        """Replace a random ``fraction`` of the windows with new ones (more variety over a long run)."""
        for i in self.rng.choice(len(self), int(len(self) * fraction), replace=False):
            s, y, m, st = example(self.rng, KINDS[int(np.argmax(self.style[i][:len(KINDS)]))])
            self.structure[i], self.yarn[i], self.maps[i], self.style[i] = s, y, m, st

    def batch(self, n: int, rng: np.random.Generator):
        idx = rng.integers(0, len(self), n)
        f = lambda a: torch.as_tensor(a[idx].astype(np.float32))  # noqa: E731
        return f(self.structure), f(self.yarn), f(self.maps), torch.as_tensor(self.style[idx])


def crop(x: torch.Tensor) -> torch.Tensor:
    """The judged centre of a window."""
    return x[..., BORDER:BORDER + CROP, BORDER:BORDER + CROP]
