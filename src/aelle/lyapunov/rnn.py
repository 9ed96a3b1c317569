"""Lyapunov spectra of recurrent networks driven by input sequences.

A network is treated as the driven map ``s_{t+1} = step(s_t, x_t)`` of its state ``s``;
the exponents come from the QR method of :mod:`aelle.lyapunov.engine` (its conventions on
Jacobians, QR, units and non-finite values apply here). Conventions owned here:

- ``options.state="full"``: the whole state (``[h, c]`` for LSTM, ``[y, z]`` for coRNN,
  every layer of a multi-layer module), ``n`` exponents. ``"hidden"``: the paper's convention,
  the Jacobian block of the hidden part only (``h``; coRNN ``y``) with the rest of the
  state (``c``, ``z``) held fixed in the derivative while the state itself evolves fully.
- Warm-up runs the network forward on ``warmup_inputs`` (state only, no basis; by default
  none), then the basis starts from the identity and the measurement runs on ``inputs``.
- The initial state is zero unless ``h0`` is given; no dropout is involved.
- The input batch is kept: the spectrum of each sequence is returned, the caller averages
  (mean and std over the batch axis).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, overload

import torch
from torch import Tensor, nn

from aelle.cells import Cell, cell_from_torch
from aelle.lyapunov.engine import (
    RunningSpectrum,
    evolve_basis,
    finish,
    initial_basis,
    running_from_history,
)
from aelle.lyapunov.options import DEFAULT_OPTIONS, SpectrumOptions

Model = Cell | nn.RNN | nn.LSTM | nn.GRU


def as_cell(model: Model) -> Cell:
    """The stacked cell of ``model`` (a :class:`~aelle.cells.Cell` or a torch RNN module)."""
    if isinstance(model, Cell):
        return model
    if isinstance(model, nn.RNN | nn.LSTM | nn.GRU):
        return cell_from_torch(model)
    raise TypeError(
        f"model must be an aelle Cell or a torch nn.RNN/nn.LSTM/nn.GRU, got {type(model)!r}"
    )


def _inputs(name: str, inputs: Tensor, cell: Cell, dtype: torch.dtype) -> Tensor:
    """Validate ``inputs`` and return them as ``(time, M, batch, I)`` in ``dtype``."""
    if not isinstance(inputs, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(inputs)!r}")
    if not inputs.dtype.is_floating_point:
        raise TypeError(f"{name} must be a floating tensor, got dtype {inputs.dtype}")
    if inputs.device != cell.device:
        raise ValueError(
            f"{name} are on {inputs.device} but the network's parameters are on {cell.device}"
        )
    m, i = cell.num_networks, cell.input_size
    if inputs.dim() == 3 and inputs.shape[2] == i:
        inputs = inputs.unsqueeze(0).expand(m, *inputs.shape)
    elif not (inputs.dim() == 4 and inputs.shape[0] == m and inputs.shape[3] == i):
        raise ValueError(
            f"{name} must have shape (batch, time, {i}) or (M={m}, batch, time, {i}), "
            f"got {tuple(inputs.shape)}"
        )
    if inputs.shape[2] == 0:
        raise ValueError(f"{name} have no time steps")
    return inputs.permute(2, 0, 1, 3).to(dtype).contiguous()


def _initial_state(h0: Tensor | None, cell: Cell, batch: int, dtype: torch.dtype) -> Tensor:
    if h0 is None:
        return cell.initial_state(batch, dtype=dtype, device=cell.device)
    m, n = cell.num_networks, cell.state_size
    if h0.device != cell.device:
        raise ValueError(f"h0 is on {h0.device} but the network is on {cell.device}")
    if h0.dim() == 2 and h0.shape == (batch, n):
        h0 = h0.unsqueeze(0).expand(m, batch, n)
    elif h0.shape != (m, batch, n):
        raise ValueError(
            f"h0 must have shape (batch={batch}, n={n}) or (M={m}, batch, n), got {tuple(h0.shape)}"
        )
    return h0.to(dtype).clone()


def _measure(
    model: Model,
    inputs: Tensor,
    warmup_inputs: Tensor | None,
    h0: Tensor | None,
    options: SpectrumOptions,
    running: bool,
    progress: Callable[[int], object] | None,
) -> tuple[Cell, Tensor, list[tuple[int, Tensor]]]:
    dtype, hidden = options.dtype, options.state == "hidden"
    cell = as_cell(model)
    cell = cell.to(dtype=dtype)
    xs = _inputs("inputs", inputs, cell, dtype)
    batch = xs.shape[2]
    s = _initial_state(h0, cell, batch, dtype)
    if warmup_inputs is not None:
        ws = _inputs("warmup_inputs", warmup_inputs, cell, dtype)
        if ws.shape[2] != batch:
            raise ValueError(
                f"warmup_inputs have batch {ws.shape[2]} but inputs have batch {batch}"
            )
        with torch.no_grad():
            for x_t in ws:
                s = cell.step(s, x_t)
    n = cell.hidden_state_size if hidden else cell.state_size
    k = n if options.num_exponents is None else options.num_exponents
    if not 1 <= k <= n:
        raise ValueError(f"num_exponents must be in [1, {n}] for state={options.state!r}, got {k}")

    def advance(s: Tensor, t: int) -> tuple[Tensor, Tensor]:
        return cell.step_and_jacobian(s, xs[t], hidden_only=hidden)

    with torch.no_grad():
        q0 = initial_basis((cell.num_networks, batch), n, k, s)
        _, _, log_sum, history = evolve_basis(
            advance,
            s,
            q0,
            xs.shape[0],
            qr_every=options.qr_every,
            running=running,
            progress=progress,
        )
    return cell, log_sum, history


@overload
def rnn_spectrum(
    model: Model,
    inputs: Tensor,
    *,
    warmup_inputs: Tensor | None = None,
    h0: Tensor | None = None,
    options: SpectrumOptions = DEFAULT_OPTIONS,
    running: Literal[False] = False,
    stacked: bool | None = None,
    progress: Callable[[int], object] | None = None,
) -> Tensor: ...


@overload
def rnn_spectrum(
    model: Model,
    inputs: Tensor,
    *,
    warmup_inputs: Tensor | None = None,
    h0: Tensor | None = None,
    options: SpectrumOptions = DEFAULT_OPTIONS,
    running: Literal[True],
    stacked: bool | None = None,
    progress: Callable[[int], object] | None = None,
) -> RunningSpectrum: ...


def rnn_spectrum(
    model: Model,
    inputs: Tensor,
    *,
    warmup_inputs: Tensor | None = None,
    h0: Tensor | None = None,
    options: SpectrumOptions = DEFAULT_OPTIONS,
    running: bool = False,
    stacked: bool | None = None,
    progress: Callable[[int], object] | None = None,
) -> Tensor | RunningSpectrum:
    """Lyapunov spectrum of each input sequence driving ``model``, in descending order.

    Args:
        model: a torch ``nn.RNN`` (tanh) / ``nn.LSTM`` / ``nn.GRU`` (any ``num_layers``,
            with or without bias, ``batch_first`` irrelevant: ``inputs`` are always batch
            first) or a :class:`~aelle.cells.Cell` holding ``M`` stacked networks.
        inputs: ``(batch, time, features)`` shared by all networks, or
            ``(M, batch, time, features)`` per network; ``time`` measured steps. Must be a
            floating tensor on the parameters' device (the computation runs there).
        warmup_inputs: same layouts with the same batch; run before measuring.
        h0: initial state ``(batch, n)`` or ``(M, batch, n)`` in the cell's state layout
            (default zeros).
        options: :class:`~aelle.lyapunov.options.SpectrumOptions`: ``state`` (``"full"`` or
            ``"hidden"``, module docstring), ``qr_every``, ``num_exponents`` (default: the
            dimension of the system), ``log_base`` (default 2: bits per step), ``dtype``
            (default float64) and ``nonfinite`` (``"nan"`` gives ``NaN`` rows for the
            non-finite trajectories only, so that a caller records status
            ``"nonfinite"`` for networks with any ``NaN`` row).
        running: return a :class:`~aelle.lyapunov.engine.RunningSpectrum`, the
            finite-time estimates after every QR (for convergence plots), instead of the
            final spectrum; its ``exponents`` carry a leading axis ``S`` of estimates.
        stacked: shape of the result. ``None``: ``(M, batch, k)`` if the model holds
            ``M > 1`` networks, else ``(batch, k)``; ``True``: always ``(M, batch, k)``;
            ``False``: ``(batch, k)``, allowed only for one network.
        progress: called with ``1`` after each measured step (e.g. ``tqdm.update``).

    Returns:
        Exponents per network and input sequence, ``(M, batch, k)`` or ``(batch, k)``, in
        ``options.log_base`` units per step; with ``running``, a ``RunningSpectrum`` with
        ``steps (S,)`` and ``exponents (S, M, batch, k)`` or ``(S, batch, k)``.
    """
    cell, log_sum, history = _measure(model, inputs, warmup_inputs, h0, options, running, progress)
    if running:
        result = running_from_history(history, options)
        exps = _shape(result.exponents, cell.num_networks, stacked, lead=1)
        return RunningSpectrum(steps=result.steps, exponents=exps)
    exps = finish(log_sum, inputs.shape[-2], options)
    return _shape(exps, cell.num_networks, stacked, lead=0)


def _shape(exps: Tensor, m: int, stacked: bool | None, lead: int) -> Tensor:
    """Apply the ``stacked`` rule to ``exps`` whose network axis is ``lead``."""
    if stacked is None:
        stacked = m > 1
    if stacked:
        return exps
    if m != 1:
        raise ValueError(f"stacked=False needs a single network, the model holds {m}")
    return exps.squeeze(lead)


__all__ = ["as_cell", "rnn_spectrum"]
