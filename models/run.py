"""The frame every trainer runs in (nanoGPT-style: each trainer keeps its own readable loop).

    with TrainingRun(out, model=vae, opt=opt) as run:       # restores the checkpoint if there is one
        while run.step < steps:
            ...one optimisation step...
            run.step += 1
            if run.step % 50 == 0:
                run.record(loss=loss.item())                # one JSON line in out/log.jsonl
            if run.step % 250 == 0 or run.step == steps:
                run.save(batch=batch)                       # atomic: a kill never corrupts it

Also the two pieces of maths the trainers share: the Gaussian KL term and the EMA update.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch

from models import checkpoint

CHECKPOINT = "ckpt.pt"
LOG = "log.jsonl"


class TrainingRun:
    """Resume, log and checkpoint one training run in ``out``; wall time counts across resumes."""

    def __init__(self, out: Path, log=None, **state):
        """``state``: the modules, optimisers and schedulers to save and restore, by name."""
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.path, self.state = self.out / CHECKPOINT, state
        ck = checkpoint.restore(self.path, **state)
        self.step, self._wall_before = (int(ck["step"]), float(ck["wall"])) if ck else (0, 0.0)
        self.resumed = ck is not None
        if self.resumed and log is not None:
            log(f"resumed {self.out} at step {self.step}")
        self._t0 = time.time()
        self._log = None

    @property
    def wall(self) -> float:
        """Seconds of training so far, earlier sessions included."""
        return self._wall_before + time.time() - self._t0

    def record(self, **values) -> dict:
        """Append one line to the run's log (step and wall time added)."""
        if self._log is None:
            self._log = open(self.out / LOG, "a")
        rec = {"step": self.step, **values, "wall": round(self.wall, 1)}
        self._log.write(json.dumps(rec) + "\n")
        self._log.flush()
        return rec

    def save(self, **extra) -> None:
        """Checkpoint every state object, the step and the wall time, plus ``extra`` (settings to keep)."""
        checkpoint.save(self.path, {**{k: v.state_dict() for k, v in self.state.items()}, **extra,
                                    "step": self.step, "wall": self.wall})

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> TrainingRun:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, 1)) per element; callers reduce it (sum over latents, mean over batch)."""
    return 0.5 * (mu**2 + logvar.exp() - 1 - logvar)


@torch.no_grad()
def ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """ema <- decay * ema + (1 - decay) * model, parameter by parameter."""
    for pe, p in zip(ema.parameters(), model.parameters(), strict=True):
        pe.lerp_(p, 1 - decay)
