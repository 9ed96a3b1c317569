"""The discrete QR method for Lyapunov spectra of any (batched) discrete map.

Conventions owned here:

- Jacobians are ``J[..., i, j] = d x_next_i / d x_j``; the basis evolves as ``Q <- J_t Q``
  (never ``J^T``), starting from the first ``k`` columns of the identity.
- ``Q, R = qr(Q)`` with ``diag(R) > 0`` at least every ``qr_every`` steps and always after
  the last step; ``lambda_i = (1/T) sum log R_ii`` over the ``T`` measured steps, divided by
  ``log(log_base)`` (``2``, the default: bits; ``math.e``: nats). Exponents come out in
  descending order. All options travel in one :class:`~aelle.lyapunov.options.SpectrumOptions`.
- A direction that a Jacobian annihilates exactly (``R_ii == 0``, e.g. saturated gates in
  floating point) contributes ``log(finfo(dtype).tiny)`` instead of ``-inf``, so such
  spectra stay finite and very negative. Any remaining non-finite value (a state that
  overflowed to ``inf``/``NaN``) is handled by ``nonfinite``: ``"raise"`` raises
  :class:`NonFiniteSpectrumError`; ``"nan"`` returns ``NaN`` for every exponent of the
  affected trajectories (and only those), for callers that record a status per network.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, NamedTuple, overload

import torch
from torch import Tensor

from aelle.lyapunov.options import DEFAULT_OPTIONS, SpectrumOptions

Advance = Callable[[Tensor, int], tuple[Tensor, Tensor]]
"""``advance(x, t) -> (x_next, J_t)``: one step of the map and its Jacobian at ``x``."""


class NonFiniteSpectrumError(FloatingPointError):
    """Some trajectories produced non-finite exponents; ``bad`` flags them (batch shape)."""

    def __init__(self, bad: Tensor) -> None:
        self.bad = bad
        where = bad.nonzero().tolist()
        super().__init__(
            f"non-finite Lyapunov exponents for {len(where)} trajectories (indices "
            f"{where[:10]}{' ...' if len(where) > 10 else ''}); the state or its Jacobian "
            "overflowed. Pass SpectrumOptions(nonfinite='nan') to get NaN rows instead of "
            "this error."
        )


class RunningSpectrum(NamedTuple):
    """Finite-time estimates after each re-orthonormalisation.

    ``steps (S,)`` int64: measured steps so far; ``exponents (S, *batch, k)``: the estimate
    ``(1/steps) sum log R_ii`` at that point (same units and order as the final spectrum,
    whose value is ``exponents[-1]``).
    """

    steps: Tensor
    exponents: Tensor


def positive_qr(a: Tensor) -> tuple[Tensor, Tensor]:
    """Householder QR of ``a (..., n, k)`` with ``diag(R) >= 0``: returns ``Q`` and ``|R_ii|``."""
    q, r = torch.linalg.qr(a)
    diag = r.diagonal(dim1=-2, dim2=-1)
    sign = torch.where(diag < 0, -1.0, 1.0).to(a.dtype)
    return q * sign.unsqueeze(-2), diag.abs()


def initial_basis(batch_shape: tuple[int, ...], n: int, k: int, like: Tensor) -> Tensor:
    """First ``k`` columns of the ``n x n`` identity, expanded to ``(*batch_shape, n, k)``."""
    eye = torch.eye(n, k, dtype=like.dtype, device=like.device)
    return eye.expand(*batch_shape, n, k).clone()


class Basis:
    """An orthonormal basis ``Q (..., n, k)`` evolved as ``Q <- J Q`` and re-orthonormalised.

    The QR factor with ``diag(R) > 0`` differs from the raw Householder factor only by
    column signs, and those signs never change ``|R_ii|``; so the basis is evolved with raw
    factors and the cumulative column signs are tracked as a ``(..., k)`` vector, applied
    only when the explicit ``Q`` is asked for. On the CPU, after a QR of a square basis
    (``k == n``) ``Q`` stays in Householder form (``geqrf`` factors) and the next ``J Q`` is
    applied with ``ormqr``, which skips forming ``Q`` (about a third faster than
    ``linalg.qr`` + ``matmul`` for ``n >= 128``); otherwise ``Q`` is formed explicitly
    (``torch.linalg.qr``).
    """

    def __init__(self, q: Tensor, *, implicit: bool | None = None) -> None:
        """``implicit``: keep ``Q`` in Householder form (default: on the CPU when square)."""
        square = q.shape[-1] == q.shape[-2]
        self._implicit = q.device.type == "cpu" and square if implicit is None else implicit
        if self._implicit and not square:
            raise ValueError(f"an implicit (Householder) basis must be square, got {q.shape}")
        self._q: Tensor | None = q
        self._factors: tuple[Tensor, Tensor] | None = None
        self._sign = q.new_ones(q.shape[:-2] + q.shape[-1:])

    def apply(self, jac: Tensor) -> None:
        """``Q <- J Q`` for ``J (..., n, n)``."""
        if self._factors is None:
            assert self._q is not None
            self._q = torch.matmul(jac, self._q)
        else:
            self._q = torch.ormqr(*self._factors, jac.contiguous(), left=False)
            self._factors = None

    def orthonormalise(self) -> Tensor:
        """QR of the current ``Q``; returns ``|R_ii|`` of shape ``(..., k)``."""
        q = self._q
        assert q is not None
        if self._implicit:
            a, tau = torch.geqrf(q)
            self._factors, self._q = (a, tau), None
            diag = a.diagonal(dim1=-2, dim2=-1)
        else:
            self._q, r = torch.linalg.qr(q)
            diag = r.diagonal(dim1=-2, dim2=-1)
        self._sign = torch.where(diag < 0, -self._sign, self._sign)
        return diag.abs()

    def matrix(self) -> Tensor:
        """The explicit ``Q (..., n, k)`` (the ``diag(R) > 0`` factor after a QR)."""
        if self._factors is not None:
            return torch.linalg.householder_product(*self._factors) * self._sign.unsqueeze(-2)
        assert self._q is not None
        return self._q * self._sign.unsqueeze(-2)


def evolve_basis(
    advance: Advance,
    x: Tensor,
    q: Tensor,
    n_steps: int,
    *,
    qr_every: int = 1,
    t0: int = 0,
    running: bool = False,
    progress: Callable[[int], object] | None = None,
) -> tuple[Tensor, Tensor, Tensor, list[tuple[int, Tensor]]]:
    """Evolve state ``x`` and orthonormal basis ``q (..., n, k)`` for ``n_steps`` steps.

    Returns the final state, the final orthonormal basis, ``sum log R_ii`` in nats
    (``(..., k)``) and, if ``running``, the list of ``(steps so far, log sum)`` after each
    QR. ``advance`` is called with times ``t0, ..., t0 + n_steps - 1``; ``progress(1)``
    (e.g. a tqdm bar's ``update``) after each step.
    """
    tiny = torch.finfo(q.dtype).tiny
    log_sum = q.new_zeros(q.shape[:-2] + q.shape[-1:])
    history: list[tuple[int, Tensor]] = []
    basis = Basis(q)
    for step in range(n_steps):
        x, jac = advance(x, t0 + step)
        basis.apply(jac)
        if (step + 1) % qr_every == 0 or step + 1 == n_steps:
            log_sum = log_sum + torch.log(basis.orthonormalise().clamp_min(tiny))
            if running:
                history.append((step + 1, log_sum))
        if progress is not None:
            progress(1)
    return x, basis.matrix(), log_sum, history


def finish(log_sum: Tensor, n_steps: int, options: SpectrumOptions) -> Tensor:
    """Exponents ``log_sum / (n_steps * ln(log_base))``, sorted descending, status applied.

    ``log_sum (..., k)`` is ``sum log R_ii`` in nats; the result is in ``options.log_base``
    units per step, with ``options.nonfinite`` applied.
    """
    exps = (log_sum / (n_steps * math.log(options.log_base))).sort(dim=-1, descending=True)
    return apply_nonfinite(exps.values, options.nonfinite)


def apply_nonfinite(exps: Tensor, nonfinite: str) -> Tensor:
    """Raise or set whole rows to ``NaN`` where any exponent is not finite (see module doc)."""
    bad = ~torch.isfinite(exps).all(dim=-1)
    if not bad.any():
        return exps
    if nonfinite == "raise":
        raise NonFiniteSpectrumError(bad.cpu())
    return exps.masked_fill(bad.unsqueeze(-1), math.nan)


@overload
def map_spectrum(
    step: Callable[[Tensor, int], Tensor],
    jacobian: Callable[[Tensor, int], Tensor],
    x0: Tensor,
    n_steps: int,
    *,
    warmup: int = 0,
    options: SpectrumOptions = DEFAULT_OPTIONS,
    running: Literal[False] = False,
) -> Tensor: ...


@overload
def map_spectrum(
    step: Callable[[Tensor, int], Tensor],
    jacobian: Callable[[Tensor, int], Tensor],
    x0: Tensor,
    n_steps: int,
    *,
    warmup: int = 0,
    options: SpectrumOptions = DEFAULT_OPTIONS,
    running: Literal[True],
) -> RunningSpectrum: ...


def map_spectrum(
    step: Callable[[Tensor, int], Tensor],
    jacobian: Callable[[Tensor, int], Tensor],
    x0: Tensor,
    n_steps: int,
    *,
    warmup: int = 0,
    options: SpectrumOptions = DEFAULT_OPTIONS,
    running: bool = False,
) -> Tensor | RunningSpectrum:
    """Lyapunov spectrum of the discrete map ``x_{t+1} = step(x_t, t)``; ``(batch, k)``.

    Args:
        step: ``step(x, t) -> x_next`` on ``x (batch, n)``.
        jacobian: ``jacobian(x, t) -> (batch, n, n)`` with ``J[b, i, j] = d x_next_i / d x_j``.
        x0: initial states ``(batch, n)``, floating; converted to ``options.dtype``, the
            precision of the computation, on ``x0``'s device.
        n_steps: measured steps ``T``.
        warmup: steps of ``step`` alone (times ``0 .. warmup-1``) before measuring.
        options: qr_every, num_exponents, log_base (units: default bits per step), dtype,
            nonfinite; ``state`` must be ``"full"``.
        running: return the finite-time estimates after every QR as a
            :class:`RunningSpectrum` (for convergence plots; each estimate sorted
            descending on its own, non-finite handling applied per estimate) instead of
            the final spectrum.
    """
    if options.state != "full":
        raise ValueError(
            f"options.state={options.state!r} applies to recurrent networks; "
            "a map has only its full state"
        )
    if x0.dim() != 2 or not x0.dtype.is_floating_point:
        raise ValueError(f"x0 must be a floating (batch, n) tensor, got {x0.dtype} {x0.shape}")
    if n_steps < 1 or warmup < 0:
        raise ValueError(f"need n_steps >= 1 and warmup >= 0, got {n_steps}, {warmup}")
    batch, n = x0.shape
    k = n if options.num_exponents is None else options.num_exponents
    if not 1 <= k <= n:
        raise ValueError(f"num_exponents must be in [1, {n}], got {options.num_exponents}")

    def advance(x: Tensor, t: int) -> tuple[Tensor, Tensor]:
        jac = jacobian(x, t)
        if jac.shape != (batch, n, n):
            raise ValueError(f"jacobian(x, t) must return shape {(batch, n, n)}, got {jac.shape}")
        return step(x, t), jac

    x = x0.to(options.dtype)
    for t in range(warmup):
        x = step(x, t)
    _, _, log_sum, history = evolve_basis(
        advance,
        x,
        initial_basis((batch,), n, k, x),
        n_steps,
        qr_every=options.qr_every,
        t0=warmup,
        running=running,
    )
    if running:
        return running_from_history(history, options)
    return finish(log_sum, n_steps, options)


def running_from_history(
    history: list[tuple[int, Tensor]], options: SpectrumOptions
) -> RunningSpectrum:
    """Stack ``(steps, log sum)`` pairs into a :class:`RunningSpectrum` in ``options``' units."""
    steps = torch.tensor([s for s, _ in history], dtype=torch.int64)
    exps = torch.stack([finish(v, s, options) for s, v in history])
    return RunningSpectrum(steps=steps, exponents=exps)
