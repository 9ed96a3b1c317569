"""Stacked recurrent cells with analytic state Jacobians.

``M`` same-shaped networks are held as parameter tensors with a leading dimension ``M``
and advanced together (see :class:`Cell` for the ``(M, B, ...)`` layout). Kinds: ``rnn``,
``lstm``, ``gru`` (torch's equations and gate order), ``asrnn``, ``cornn``, ``force``.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from aelle.cells.base import Cell
from aelle.cells.continuous import ASRNNCell, CoRNNCell
from aelle.cells.force import ForceCell
from aelle.cells.gated import GRUCell, LSTMCell, RNNCell, layer_suffix

CELL_TYPES: dict[str, type[Cell]] = {
    c.kind: c for c in (RNNCell, LSTMCell, GRUCell, ASRNNCell, CoRNNCell, ForceCell)
}

__all__ = ["CELL_TYPES", "Cell", "cell_from_torch", "make_cell"]


def make_cell(kind: str, params: dict[str, Tensor], **options: Any) -> Cell:
    """Build the stacked cell of ``kind`` from ``params`` (each with leading dimension ``M``).

    Parameter names and options per kind are documented in :mod:`aelle.cells.gated`
    (``rnn``, ``lstm``, ``gru``; option ``num_layers``), :mod:`aelle.cells.continuous`
    (``asrnn``, ``cornn``) and :mod:`aelle.cells.force` (``force``). The tensors are kept
    by reference, so ``nn.Parameter`` values train through :meth:`Cell.step`.
    """
    if kind not in CELL_TYPES:
        raise ValueError(f"unknown cell kind {kind!r}; expected one of {sorted(CELL_TYPES)}")
    return CELL_TYPES[kind](params, **options)


def cell_from_torch(module: nn.RNN | nn.LSTM | nn.GRU) -> Cell:
    """The ``M = 1`` cell that computes exactly what ``module`` computes (dropout off).

    Works for any ``num_layers``, with or without bias. The cell's tensors are detached views
    of the module's weights with a new leading dimension (shared storage, no autograd).
    ``module.batch_first`` does not matter: cells work step by step.
    """
    if isinstance(module, nn.LSTM):
        kind = "lstm"
        if module.proj_size:
            raise ValueError("cell_from_torch: LSTM with proj_size > 0 is not supported")
    elif isinstance(module, nn.GRU):
        kind = "gru"
    elif isinstance(module, nn.RNN):
        kind = "rnn"
        if module.nonlinearity != "tanh":
            raise ValueError("cell_from_torch: only nn.RNN with nonlinearity='tanh' is supported")
    else:
        raise TypeError(f"cell_from_torch: expected nn.RNN, nn.LSTM or nn.GRU, got {module!r}")
    if module.bidirectional:
        raise ValueError("cell_from_torch: bidirectional modules have no forward-time map")
    params = {}
    for layer in range(module.num_layers):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            if hasattr(module, f"{name}_l{layer}"):
                tensor = getattr(module, f"{name}_l{layer}")
                params[f"{name}{layer_suffix(layer)}"] = tensor.detach().unsqueeze(0)
    return make_cell(kind, params, num_layers=module.num_layers)
