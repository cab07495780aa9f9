"""Fitting MakeHuman parameters to target measurements through a differentiable surrogate."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from models.body.shape_space import MACROS, N_PARAMS, PARAM_NAMES, RACES

N_MACRO, N_RACE = len(MACROS), len(RACES)
GENDER, AGE = PARAM_NAMES.index("gender"), PARAM_NAMES.index("age")


class Surrogate(nn.Module):
    """MLP parameters -> measurements, with the data's standardisation built in."""

    def __init__(self, p_mean, p_std, m_mean, m_std, width: int = 256):
        super().__init__()
        for name, v in (("p_mean", p_mean), ("p_std", p_std), ("m_mean", m_mean), ("m_std", m_std)):
            self.register_buffer(name, torch.as_tensor(v, dtype=torch.float32))
        self.net = nn.Sequential(
            nn.Linear(N_PARAMS, width), nn.SiLU(), nn.Linear(width, width), nn.SiLU(),
            nn.Linear(width, width), nn.SiLU(), nn.Linear(width, len(m_mean)),
        )

    def forward(self, params: torch.Tensor) -> torch.Tensor:
        return self.net((params - self.p_mean) / self.p_std) * self.m_std + self.m_mean


def train_surrogate(params: np.ndarray, meas: np.ndarray, steps: int = 4000, log=print) -> Surrogate:
    p = torch.as_tensor(params, dtype=torch.float32)
    m = torch.as_tensor(meas, dtype=torch.float32)
    n_val = len(p) // 10
    model = Surrogate(p.mean(0), p.std(0) + 1e-6, m.mean(0), m.std(0) + 1e-6)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        idx = torch.randint(n_val, len(p), (256,), generator=gen)
        loss = (((model(p[idx]) - m[idx]) / model.m_std) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    with torch.no_grad():
        mae = (model(p[:n_val]) - m[:n_val]).abs().mean(0)
    log("surrogate held-out MAE: " + ", ".join(f"{v:.2f}" for v in mae.tolist()))
    return model.eval()


def _decode(u: torch.Tensor, sex: torch.Tensor, age: torch.Tensor) -> torch.Tensor:
    """Unconstrained variables -> valid parameters (gender within the subject's sex, fixed age)."""
    macros = torch.sigmoid(u[:, :N_MACRO])
    gender = 0.5 * sex + 0.5 * macros[:, GENDER]
    macros = torch.cat([gender[:, None], age[:, None], macros[:, 2:]], 1)
    races = torch.softmax(u[:, N_MACRO:N_MACRO + N_RACE], 1)
    mods = torch.tanh(u[:, N_MACRO + N_RACE:])
    return torch.cat([macros, races, mods], 1)


def _encode(params: np.ndarray, sex: np.ndarray) -> torch.Tensor:
    p = torch.as_tensor(params, dtype=torch.float32).clamp(1e-3, 1 - 1e-3)
    u_mac = torch.logit(p[:, :N_MACRO])
    g = (torch.as_tensor(params[:, GENDER], dtype=torch.float32) - 0.5 * torch.as_tensor(sex)) * 2
    u_mac[:, GENDER] = torch.logit(g.clamp(1e-3, 1 - 1e-3))
    u_race = torch.log(torch.as_tensor(params[:, N_MACRO:N_MACRO + N_RACE], dtype=torch.float32).clamp_min(1e-3))
    u_mod = torch.atanh(torch.as_tensor(params[:, N_MACRO + N_RACE:], dtype=torch.float32).clamp(-0.999, 0.999))
    return torch.cat([u_mac, u_race, u_mod], 1)


def fit_to_targets(surrogate: Surrogate, init: np.ndarray, targets: np.ndarray, cols: list[int],
                   steps: int = 1500, prior: float = 1e-3, log=print) -> np.ndarray:
    """Parameters (N, N_PARAMS) whose surrogate measurements ``cols`` match ``targets`` (N, len(cols))."""
    sex = torch.as_tensor((init[:, GENDER] >= 0.5).astype(np.float32))
    age = torch.as_tensor(init[:, AGE], dtype=torch.float32)
    u = _encode(init, sex.numpy()).requires_grad_(True)
    u0 = torch.zeros_like(u)  # prior: MakeHuman defaults (0.5 macros, equal races, no modifiers)
    t = torch.as_tensor(targets, dtype=torch.float32)
    scale = surrogate.m_std[cols]
    opt = torch.optim.Adam([u], lr=0.05)
    for step in range(steps):
        pred = surrogate(_decode(u, sex, age))[:, cols]
        fit = (((pred - t) / scale) ** 2).sum(1)
        loss = (fit + prior * ((u - u0) ** 2).sum(1)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 500 == 0 or step == steps - 1:
            log(f"fit step {step}: surrogate MAE {(pred - t).abs().mean().item():.3f}")
    with torch.no_grad():
        return _decode(u, sex, age).numpy().astype(np.float64)
