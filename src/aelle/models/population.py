"""A population of K same-shaped networks trained together as one stacked module.

Each network is cell → dropout → linear readout. The cell is :mod:`aelle.cells` with the
stacked parameters as ``nn.Parameter`` values; the readout is a batched matmul. Network k
never mixes with network j: every operation is block-diagonal over the leading K axis, so
a network computes the same thing alone or in any stack.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from aelle.cells import Cell, make_cell
from aelle.models.init import init_network
from aelle.models.lstm_sequence import lstm_sequence
from aelle.models.seeds import generator

DEFAULT_OPTIONS: dict[str, dict[str, float]] = {
    "asrnn": {"eps": 0.01, "gamma": 0.01},
    "cornn": {"dt": 0.042, "gamma": 2.7, "eps": 4.7},
}


def cell_options_of(kind: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The cell options of ``kind``: :data:`DEFAULT_OPTIONS` updated by ``overrides``."""
    return dict(DEFAULT_OPTIONS.get(kind, {}), **(overrides or {}))


def step_cell(cell: Cell, x: Tensor) -> Tensor:
    """Features (M, B, T, H) of ``cell`` driven by ``x (M, B, T, I)`` from the zero state,
    one :meth:`~aelle.cells.Cell.step` at a time (differentiable through autograd)."""
    state = cell.initial_state(x.shape[1], dtype=x.dtype, device=x.device)
    outputs = []
    for t in range(x.shape[2]):
        state = cell.step(state, x[:, :, t])
        outputs.append(cell.output(state))
    return torch.stack(outputs, dim=2)


class Networks(nn.Module):
    """K networks' shared tail: dropout → linear readout, and what training reads of them.

    ``dropout`` applies to the readout's input during training, with masks supplied by the
    caller (so each network draws its own from its own generator). Subclasses provide the
    readout ``readout_weight (K, O, H)`` and ``readout_bias (K, O)``, and drive the
    recurrent part: ``run`` (inputs (K, B, T, I) → features (K, B, T, H)), ``run_tokens``
    (codes (K, B, T) → features) and ``cell_params`` (name → (K, ...), the checkpoint
    layout).
    """

    readout_weight: Tensor
    readout_bias: Tensor

    def __init__(self, dropout: float) -> None:
        super().__init__()
        self.dropout = float(dropout)

    @property
    def num_networks(self) -> int:
        """K."""
        return self.readout_weight.shape[0]

    @property
    def hidden_size(self) -> int:
        """H."""
        return self.readout_weight.shape[-1]

    def stacked_parameters(self) -> dict[str, Tensor]:
        """Every trained tensor with the networks on its leading axis (K, ...)."""
        return dict(self.named_parameters())

    def readout(self, features: Tensor, mask: Tensor | None = None) -> Tensor:
        """Linear readout of ``features (K, B, ..., H)`` → ``(K, B, ..., O)``.

        ``mask`` (same shape as ``features``): a dropout keep-mask, boolean or 0/1; kept units are
        scaled by 1 / (1 − dropout) (inverted dropout).
        """
        if mask is not None:
            features = features * (mask / (1 - self.dropout))
        shape = features.shape
        flat = features.reshape(shape[0], -1, shape[-1])
        # bmm, then the bias: twice as fast on a CPU as baddbmm with a broadcast bias
        out = torch.bmm(flat, self.readout_weight.transpose(1, 2)).add_(
            self.readout_bias.unsqueeze(1)
        )
        return out.reshape(*shape[:-1], -1)

    def dropout_masks(
        self, shape: tuple[int, ...], generators: Sequence[torch.Generator]
    ) -> Tensor:
        """Boolean keep-masks (K, *shape), P(keep) = 1 − dropout, network k from ``generators[k]``.

        Drawn on the CPU so that they do not depend on the device or on the other networks;
        moved as booleans (a quarter of float32's bytes) and never converted: the readout
        multiplies by them directly.
        """
        keep = 1 - self.dropout
        masks = [(torch.rand(shape, generator=g) < keep) for g in generators]
        stacked = masks[0].unsqueeze(0) if len(masks) == 1 else torch.stack(masks)
        return stacked.to(device=self.readout_weight.device)


class Population(Networks):
    """K stacked networks of one kind (``rnn``, ``lstm``, ``gru``, ``asrnn``, ``cornn``).

    Parameters: ``cell_params[name] (K, ...)`` (names as in :mod:`aelle.cells`),
    ``readout_weight (K, O, H)``, ``readout_bias (K, O)``. ``dropout``: see
    :class:`Networks`.
    """

    def __init__(
        self,
        kind: str,
        cell_params: dict[str, Tensor],
        readout_weight: Tensor,
        readout_bias: Tensor,
        *,
        cell_options: dict[str, Any] | None = None,
        dropout: float = 0.1,
    ) -> None:
        super().__init__(dropout)
        self.readout_weight = nn.Parameter(readout_weight)
        self.readout_bias = nn.Parameter(readout_bias)
        self.kind = kind
        self.cell_params = nn.ParameterDict({k: nn.Parameter(v) for k, v in cell_params.items()})
        self.cell_options = cell_options_of(kind, cell_options)
        make_cell(kind, dict(self.cell_params.items()), **self.cell_options)  # checks shapes

    @classmethod
    def create(
        cls,
        kind: str,
        input_size: int,
        hidden_size: int,
        output_size: int,
        seeds: Sequence[int],
        ps: Sequence[float],
        *,
        bias: bool = False,
        dropout: float = 0.1,
        cell_options: dict[str, Any] | None = None,
    ) -> Population:
        """Draw network k from the generator of ``seeds[k]`` with scale ``ps[k]`` (in float64)
        and stack them as float32 on the CPU (move the result with ``.to(device)``)."""
        drawn = [
            init_network(
                kind, input_size, hidden_size, output_size, p, generator(seed, "init"), bias=bias
            )
            for seed, p in zip(seeds, ps, strict=True)
        ]
        if not drawn:
            raise ValueError("a population needs at least one network")

        def stack(tensors: list[Tensor]) -> Tensor:
            return torch.stack(tensors).to(torch.float32)

        params = {name: stack([d[0][name] for d in drawn]) for name in drawn[0][0]}
        return cls(
            kind,
            params,
            stack([d[1]["weight"] for d in drawn]),
            stack([d[1]["bias"] for d in drawn]),
            cell_options=cell_options,
            dropout=dropout,
        )

    @property
    def cell(self) -> Cell:
        """The stacked cell over the live parameters (differentiable through ``step``)."""
        return make_cell(self.kind, dict(self.cell_params.items()), **self.cell_options)

    def run(self, x: Tensor) -> Tensor:
        """Drive every network from the zero state: ``x (K, B, T, I)`` → features (K, B, T, H)."""
        if self._whole_sequence:
            bias = self.cell_params.get("bias_ih")
            if bias is not None:
                bias = bias + self.cell_params["bias_hh"]
            weight = self.cell_params["weight_ih"]
            return self._run_lstm(x.permute(2, 0, 1, 3), weight, bias)
        return step_cell(self.cell, x)

    @property
    def _whole_sequence(self) -> bool:
        """Whether :meth:`run` uses :func:`lstm_sequence` (a one-layer LSTM) over the cells."""
        return self.kind == "lstm" and int(self.cell_options.get("num_layers", 1)) == 1

    def _run_lstm(self, inputs: Tensor, input_weight: Tensor, bias: Tensor | None) -> Tensor:
        """Features (K, B, T, H) by :func:`lstm_sequence` (time-major ``inputs``)."""
        features = lstm_sequence(inputs, input_weight, self.cell_params["weight_hh"], bias)
        return features.permute(1, 2, 0, 3)

    def run_tokens(self, tokens: Tensor) -> Tensor:
        """:meth:`run` on one-hot inputs given as indices ``tokens (K, B, T)`` int64 in [0, I).

        Equal to ``run(one_hot(tokens, I))`` without the one-hot tensor: each step's input
        term is a row of ``Cell.one_hot_table`` (a lookup instead of a matmul with zeros).
        """
        cell = self.cell
        k, i = cell.num_networks, cell.input_size
        if tokens.dim() != 3 or tokens.shape[0] != k or tokens.dtype != torch.int64:
            raise ValueError(
                f"tokens must be int64 of shape (K={k}, batch, time), "
                f"got {tokens.dtype} {tuple(tokens.shape)}"
            )
        low, high = (int(v) for v in tokens.aminmax()) if tokens.numel() else (0, 0)
        if low < 0 or high >= i:
            raise ValueError(f"tokens must lie in [0, {i}), got values in [{low}, {high}]")
        table = cell.one_hot_table()
        rows = tokens + torch.arange(k, device=tokens.device).view(k, 1, 1) * i
        if self._whole_sequence:
            return self._run_lstm(rows.permute(2, 0, 1), table, self.cell_params.get("bias_hh"))
        state = cell.initial_state(tokens.shape[1], dtype=table.dtype, device=table.device)
        outputs = []
        for t in range(tokens.shape[2]):
            state = cell.step_driven(state, F.embedding(rows[:, :, t], table))
            outputs.append(cell.output(state))
        return torch.stack(outputs, dim=2)
