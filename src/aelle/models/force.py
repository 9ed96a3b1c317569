"""FORCE and R-FORCE rate networks trained by recursive least squares, K at once.

Dynamics are :class:`aelle.cells.force.ForceCell` (``x ← (1−dt) x + dt (J tanh x + w_f z)``,
``z = w_o · tanh x``). Network k of gain g:

- ``force``: J sparse, density 0.1, non-zero entries N(0, g² / (0.1 N)) (Sussillo & Abbott
  2009), so the bulk of J's eigenvalues fills the disk of radius g.
- ``rforce``: J with the eigenvalue layout of R-FORCE (arXiv 2003.11660), four circles of
  radii (0.9, 0.7, 0.72, 1.2)·g; see :mod:`aelle.models.rforce`.

Feedback ``w_f ~ Uniform(−1, 1)``, readout ``w_o = 0`` initially, initial state
``x0 ~ N(0, 0.5²)``; all from the network's own generators. RLS (P₀ = I/α) updates ``w_o``
every 2 steps in closed loop: ``e = z − f``, ``P ← P − c P r rᵀ P``, ``w_o ← w_o − e c P r``
with ``c = 1 / (1 + rᵀ P r)``. Everything runs in float64.

Targets: with ``tasks.signal.data.target: per_network`` (default, as the authors do) each
network learns its own 4-sine target (:mod:`aelle.data.signal`), its (s_k, m_k) drawn from
the network's seed, so it does not depend on which shard trains the network; with
``shared`` every network learns the prepared data's ``target``. FORCE checkpoints record
each network's target as ``target = {"terms" (K, 4, 2) int64, "dt", "period_steps"}``,
and every later consumer (test error, spectrum warm-up, task examples) reads it there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from aelle.cells import make_cell
from aelle.data import TaskData, signal
from aelle.models.rforce import rforce_connectivity
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


def network_target_terms(seed: int) -> Tensor:
    """The (s_k, m_k) of the 4-sine target of the network with ``seed``: int64 (4, 2)."""
    return signal.draw_terms(1, generator(seed, "target"))[0]


def population_targets(data: TaskData, seeds: Sequence[int]) -> dict[str, Any]:
    """Each network's target, ``{"terms" (K, 4, 2) int64, "dt", "period_steps"}``.

    ``data.meta["target"]`` (config ``tasks.signal.data.target``) chooses between a
    target per network drawn from its seed (``per_network``) and the data's shared
    ``target_terms`` (``shared``).
    """
    mode = data.meta.get("target", "per_network")
    if mode not in signal.TARGET_MODES:
        raise ValueError(
            f"tasks.signal.data.target must be one of {list(signal.TARGET_MODES)}, got {mode!r}"
        )
    if mode == "shared":
        terms = (
            data.arrays["target_terms"].reshape(1, signal.COMPONENTS, 2).repeat(len(seeds), 1, 1)
        )
    else:
        terms = torch.stack([network_target_terms(int(s)) for s in seeds])
    return {
        "terms": terms,
        "dt": float(data.meta["dt"]),
        "period_steps": int(data.meta["period_steps"]),
    }


def target_signals(target: dict[str, Any], start: int = 0) -> Tensor:
    """One period of each network's target from step ``start``: (K, period_steps) float64."""
    return signal.evaluate(target["terms"], int(target["period_steps"]), float(target["dt"]), start)


def checkpoint_target(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """The ``target`` record of a FORCE checkpoint, with a clear error when it has none."""
    if checkpoint["kind"] != "force":
        raise ValueError(f"checkpoint kind is {checkpoint['kind']!r}, not force: it has no target")
    if "target" not in checkpoint:
        raise ValueError(
            "FORCE checkpoint has no 'target' record (written before per-network targets); "
            "retrain it"
        )
    return checkpoint["target"]


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

    def _targets(self, target: Tensor) -> Tensor:
        """``target`` (T,) shared or (K, T) per network → (K, T) on the state's device."""
        if target.dim() == 1:
            target = target.expand(self.num_networks, -1)
        if target.dim() != 2 or target.shape[0] != self.num_networks:
            raise ValueError(
                f"target must have shape (T,) or ({self.num_networks}, T), "
                f"got {tuple(target.shape)}"
            )
        return target.to(device=self.x0.device, dtype=DTYPE)

    @torch.no_grad()
    def train_period(self, target: Tensor) -> Tensor:
        """One period of closed-loop RLS training; returns MAE (K,) of z vs target.

        ``target`` (T,) or (K, T) is the periodic target (per network); step s of training
        (counted over all periods) is compared with ``target[..., s % T]``, so consecutive
        periods continue the signal.
        """
        cell = self._cell("readout")
        target = self._targets(target)
        period = target.shape[1]
        dummy = self.state.new_zeros(self.num_networks, 1, 1)
        w_o = self.params["w_o"]
        error_sum = torch.zeros(self.num_networks, dtype=DTYPE, device=self.state.device)
        for _ in range(period):
            self.state = cell.step(self.state, dummy)
            self.step_count += 1
            f = target[:, self.step_count % period]
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

        ``target`` (T,) or (K, T): one period of each network's target. Returns
        (teacher-forced readout MAE (K,), generated MAE (K,), generated z (K, T)): during
        teacher forcing the target is fed back (open loop) and the readout compared with
        it; then the network runs closed loop and ``z`` is compared with the target's next
        period. Depends only on the weights and x0, not on the training state.
        """
        target = self._targets(target)
        period = target.shape[1]
        state = self.x0[:, None].clone()
        forced = self._cell("input")
        teacher_error = torch.zeros(self.num_networks, dtype=DTYPE, device=state.device)
        for t in range(1, period + 1):
            state = forced.step(state, target[:, (t - 1) % period, None, None])
            teacher_error += (self.readout(state) - target[:, t % period]).abs()
        closed = self._cell("readout")
        dummy = state.new_zeros(self.num_networks, 1, 1)
        generated = []
        for _ in range(period):
            state = closed.step(state, dummy)
            generated.append(self.readout(state))
        z = torch.stack(generated, dim=1)
        reference = torch.roll(target, -1, dims=1)  # step period + t + 1 ↔ target[(t + 1) % T]
        gen_error = (z - reference).abs().mean(dim=1)
        return teacher_error / period, gen_error, z


@torch.no_grad()
def teacher_forced_states(checkpoint: dict[str, Any], inputs: Tensor) -> Tensor:
    """States of a FORCE checkpoint's networks after teacher forcing: (K, B, N) float64.

    Each network starts from its own x0 (its seed) and is driven open loop by ``inputs``
    as the fed-back signal: (B, T, 1) the same for every network, or (K, B, T, 1) one
    drive per network. The closed-loop map has the fixed point x = 0 (z = w_o · tanh 0 =
    0), so spectra measured in closed loop from the zero state stay there; start them from
    these states instead (see :func:`spectrum_start`).
    """
    if checkpoint["kind"] != "force":
        raise ValueError(f"teacher_forced_states: checkpoint kind is {checkpoint['kind']!r}")
    params = {k: v.to(DTYPE) for k, v in checkpoint["cell_params"].items()}
    size = int(checkpoint["hidden_size"])
    x0 = torch.stack([initial_state(size, int(s)) for s in checkpoint["seeds"]])
    k = x0.shape[0]
    if inputs.dim() == 3:
        inputs = inputs.expand(k, *inputs.shape)
    if inputs.dim() != 4 or inputs.shape[0] != k or inputs.shape[-1] != 1:
        raise ValueError(
            f"inputs must have shape (batch, time, 1) or ({k}, batch, time, 1), "
            f"got {tuple(inputs.shape)}"
        )
    dt = float(checkpoint["cell_options"].get("dt", DT))
    cell = make_cell("force", params, dt=dt, feedback="input")
    batch = inputs.shape[1]
    state = x0[:, None].expand(k, batch, size).clone()
    drive = inputs.to(DTYPE)
    for t in range(drive.shape[2]):
        state = cell.step(state, drive[:, :, t])
    return state


def own_target_warmup(checkpoint: dict[str, Any], batch: int, steps: int) -> Tensor:
    """Each network's own target at ``batch`` phases: (K, batch, steps, 1) float64.

    Sequence b of network k is its target (checkpoint ``target``) from start step
    ``starts[b]``, the starts drawn uniformly over one period from the network's seed, so
    the warm-up of a network does not depend on the shard it is measured in.
    """
    target = checkpoint_target(checkpoint)
    period, dt = int(target["period_steps"]), float(target["dt"])
    drives = []
    for seed, terms in zip(checkpoint["seeds"].tolist(), target["terms"], strict=True):
        starts = torch.randint(0, period, (batch,), generator=generator(int(seed), "warmup"))
        drives.append(
            torch.stack([signal.evaluate(terms, steps, dt, int(s)) for s in starts.tolist()])
        )
    return torch.stack(drives)[..., None]


def spectrum_start(
    checkpoint: dict[str, Any], warmup: Tensor
) -> tuple[Tensor | None, Tensor | None]:
    """``(warmup_inputs, h0)`` for measuring a checkpoint's spectrum after ``warmup``.

    ``warmup`` is ``(B, Tw, I)``. Driven networks warm up on it from the zero state
    (returns ``(warmup, None)``). A FORCE network measured in closed loop would sit on the
    fixed point x = 0, so it starts from its teacher-forced states instead (returns
    ``(None, h0 (K, B, N))``): each network is teacher-forced for Tw steps on its OWN
    target (:func:`own_target_warmup`; ``warmup`` gives only B and Tw, since the signal
    task's input streams hold the data's shared target, not each network's).
    """
    if checkpoint["kind"] != "force":
        return warmup, None
    if warmup.dim() != 3:
        raise ValueError(f"warmup must have shape (batch, time, 1), got {tuple(warmup.shape)}")
    drive = own_target_warmup(checkpoint, warmup.shape[0], warmup.shape[1])
    return None, teacher_forced_states(checkpoint, drive)
