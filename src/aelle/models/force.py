"""FORCE and R-FORCE rate networks trained by recursive least squares, K at once.

Dynamics are :class:`aelle.cells.force.ForceCell` (``x ← (1−dt) x + dt (J tanh x + w_f z)``,
``z = w_o · tanh x``). Network k of gain g:

- ``force``: J sparse, density 0.1, non-zero entries N(0, g² / (0.1 N)) (Sussillo & Abbott
  2009), so the bulk of J's eigenvalues fills the disk of radius g.
- ``rforce``: J with a prescribed eigenvalue layout (after R-FORCE, arXiv 2003.11660): our
  construction is the normal matrix J = Q B Qᵀ with Q a Haar-random orthogonal matrix and
  B block-diagonal with 2×2 blocks g·[[cos θ, −sin θ], [sin θ, cos θ]], θ ~ Uniform(0, π)
  (plus one eigenvalue ±g when N is odd): every eigenvalue lies on the circle of radius g,
  uniform in angle, with orthogonal eigenvectors. This is our reading of "prescribed
  eigenvalue layout"; the paper's exact generating principles may differ.

Feedback ``w_f ~ Uniform(−1, 1)``, readout ``w_o = 0`` initially, initial state
``x0 ~ N(0, 0.5²)``; all from the network's own generators. RLS (P₀ = I/α) updates ``w_o``
every 2 steps in closed loop: ``e = z − f``, ``P ← P − c P r rᵀ P``, ``w_o ← w_o − e c P r``
with ``c = 1 / (1 + rᵀ P r)``. Everything runs in float64.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from aelle.cells import make_cell
from aelle.models.seeds import generator

FORCE_ARCHS = ("force", "rforce")
DENSITY = 0.1
DT = 0.1
UPDATE_EVERY = 2
DTYPE = torch.float64


def force_connectivity(n: int, g: float, gen: torch.Generator) -> Tensor:
    """Sparse random J (n, n): density 0.1, entries N(0, g²/(0.1 n))."""
    mask = torch.rand(n, n, generator=gen, dtype=DTYPE) < DENSITY
    values = torch.randn(n, n, generator=gen, dtype=DTYPE) * g / math.sqrt(DENSITY * n)
    return values * mask


def rforce_connectivity(n: int, g: float, gen: torch.Generator) -> Tensor:
    """Normal J (n, n) with every eigenvalue on the circle |λ| = g (module docstring)."""
    q, r = torch.linalg.qr(torch.randn(n, n, generator=gen, dtype=DTYPE))
    q = q * torch.sign(torch.diagonal(r))
    theta = torch.rand(n // 2, generator=gen, dtype=DTYPE) * math.pi
    b = torch.zeros(n, n, dtype=DTYPE)
    idx = torch.arange(n // 2) * 2
    b[idx, idx] = b[idx + 1, idx + 1] = g * torch.cos(theta)
    b[idx, idx + 1] = -g * torch.sin(theta)
    b[idx + 1, idx] = g * torch.sin(theta)
    if n % 2:
        sign = 1.0 if torch.rand((), generator=gen).item() < 0.5 else -1.0
        b[n - 1, n - 1] = sign * g
    return q @ b @ q.T


def init_force(arch: str, n: int, g: float, seed: int) -> tuple[dict[str, Tensor], Tensor]:
    """One network: ({"J" (n,n), "w_f" (n,), "w_o" (n,)}, initial state x0 (n,))."""
    if arch not in FORCE_ARCHS:
        raise ValueError(f"unknown FORCE architecture {arch!r}; expected one of {FORCE_ARCHS}")
    gen = generator(seed, "init")
    connect = force_connectivity if arch == "force" else rforce_connectivity
    j = connect(n, g, gen)
    w_f = torch.rand(n, generator=gen, dtype=DTYPE) * 2 - 1
    return {"J": j, "w_f": w_f, "w_o": torch.zeros(n, dtype=DTYPE)}, initial_state(n, seed)


def initial_state(n: int, seed: int) -> Tensor:
    """The network's initial state x0 ~ N(0, 0.5²): (n,) float64."""
    return 0.5 * torch.randn(n, generator=generator(seed, "state"), dtype=DTYPE)


class ForcePopulation:
    """K FORCE networks with their RLS state; ``state (K, 1, N)``, ``P (K, N, N)``."""

    def __init__(
        self, params: dict[str, Tensor], x0: Tensor, *, alpha: float = 1.0, dt: float = DT
    ) -> None:
        self.params = params
        self.x0 = x0
        self.dt = dt
        k, n = x0.shape
        eye = torch.eye(n, dtype=DTYPE, device=x0.device)
        self.P = eye.expand(k, n, n).clone() / alpha
        self.state = x0[:, None].clone()
        self.step_count = 0

    @classmethod
    def create(
        cls,
        arch: str,
        n: int,
        seeds: Sequence[int],
        gains: Sequence[float],
        *,
        alpha: float = 1.0,
        device: torch.device | str = "cpu",
    ) -> ForcePopulation:
        """Draw network k from ``seeds[k]`` with gain ``gains[k]`` and stack."""
        drawn = [init_force(arch, n, g, s) for s, g in zip(seeds, gains, strict=True)]
        params = {name: torch.stack([d[0][name] for d in drawn]).to(device) for name in drawn[0][0]}
        x0 = torch.stack([d[1] for d in drawn]).to(device)
        return cls(params, x0, alpha=alpha)

    @property
    def num_networks(self) -> int:
        """K."""
        return self.x0.shape[0]

    def _cell(self, feedback: str):
        return make_cell("force", self.params, dt=self.dt, feedback=feedback)

    def readout(self, state: Tensor) -> Tensor:
        """z = w_o · tanh(x): state (K, 1, N) → (K,)."""
        return (torch.tanh(state[:, 0]) * self.params["w_o"]).sum(-1)

    @torch.no_grad()
    def train_period(self, target: Tensor) -> Tensor:
        """One period of closed-loop RLS training; returns MAE (K,) of z vs target.

        ``target`` (T,) is the periodic target; step s of training (counted over all periods)
        is compared with ``target[s % T]``, so consecutive periods continue the signal.
        """
        cell = self._cell("readout")
        period = len(target)
        target = target.to(self.state.device)
        dummy = self.state.new_zeros(self.num_networks, 1, 1)
        w_o = self.params["w_o"]
        error_sum = torch.zeros(self.num_networks, dtype=DTYPE, device=self.state.device)
        for _ in range(period):
            self.state = cell.step(self.state, dummy)
            self.step_count += 1
            f = target[self.step_count % period]
            r = torch.tanh(self.state[:, 0])
            e = (r * w_o).sum(-1) - f
            error_sum += e.abs()
            if self.step_count % UPDATE_EVERY == 0:
                pr = torch.bmm(r[:, None, :], self.P)[:, 0]  # = P r (P stays symmetric)
                c = 1 / (1 + (r * pr).sum(-1))
                u = pr * c.sqrt()[:, None]  # P ← P − c (P r)(P r)ᵀ, in place
                self.P.baddbmm_(u[:, :, None], u[:, None, :], alpha=-1.0)
                w_o -= (e * c)[:, None] * pr
        return error_sum / period

    @torch.no_grad()
    def test(self, target: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Teacher-force one period from x0, then generate one period autonomously.

        Returns (teacher-forced readout MAE (K,), generated MAE (K,), generated z (K, T)):
        during teacher forcing the target is fed back (open loop) and the readout compared
        with it; then the network runs closed loop and ``z`` is compared with the target's
        next period. Depends only on the weights and x0, not on the training state.
        """
        period = len(target)
        target = target.to(self.x0.device)
        state = self.x0[:, None].clone()
        forced = self._cell("input")
        teacher_error = torch.zeros(self.num_networks, dtype=DTYPE, device=state.device)
        for t in range(1, period + 1):
            fed = target[(t - 1) % period].expand(self.num_networks, 1, 1)
            state = forced.step(state, fed)
            teacher_error += (self.readout(state) - target[t % period]).abs()
        closed = self._cell("readout")
        dummy = state.new_zeros(self.num_networks, 1, 1)
        generated = []
        for _ in range(period):
            state = closed.step(state, dummy)
            generated.append(self.readout(state))
        z = torch.stack(generated, dim=1)
        reference = torch.roll(target, -1)  # step period + t + 1 ↔ target[(t + 1) % period]
        gen_error = (z - reference).abs().mean(dim=1)
        return teacher_error / period, gen_error, z


@torch.no_grad()
def teacher_forced_states(checkpoint: dict[str, Any], inputs: Tensor) -> Tensor:
    """States of a FORCE checkpoint's networks after teacher forcing: (K, B, N) float64.

    Each network starts from its own x0 (its seed) and is driven open loop by ``inputs``
    (B, T, 1) as the fed-back signal. The closed-loop map has the fixed point x = 0
    (z = w_o · tanh 0 = 0), so spectra measured in closed loop from the zero state stay
    there; start them from these states instead (warm-up on the target or novel signals).
    """
    if checkpoint["kind"] != "force":
        raise ValueError(f"teacher_forced_states: checkpoint kind is {checkpoint['kind']!r}")
    if inputs.dim() != 3 or inputs.shape[-1] != 1:
        raise ValueError(f"inputs must have shape (batch, time, 1), got {tuple(inputs.shape)}")
    params = {k: v.to(DTYPE) for k, v in checkpoint["cell_params"].items()}
    size = int(checkpoint["hidden_size"])
    x0 = torch.stack([initial_state(size, int(s)) for s in checkpoint["seeds"]])
    dt = float(checkpoint["cell_options"].get("dt", DT))
    cell = make_cell("force", params, dt=dt, feedback="input")
    k, batch = x0.shape[0], inputs.shape[0]
    state = x0[:, None].expand(k, batch, size).clone()
    drive = inputs.to(DTYPE)
    for t in range(drive.shape[1]):
        state = cell.step(state, drive[:, t].expand(k, batch, 1))
    return state


def spectrum_start(
    checkpoint: dict[str, Any], warmup: Tensor
) -> tuple[Tensor | None, Tensor | None]:
    """``(warmup_inputs, h0)`` for measuring a checkpoint's spectrum after ``warmup``.

    ``warmup`` is ``(B, Tw, I)``. Driven networks warm up on it from the zero state
    (returns ``(warmup, None)``). A FORCE network measured in closed loop would sit on the
    fixed point x = 0, so it starts from its teacher-forced states instead (returns
    ``(None, h0 (K, B, N))``, see :func:`teacher_forced_states`).
    """
    if checkpoint["kind"] != "force":
        return warmup, None
    return None, teacher_forced_states(checkpoint, warmup)
