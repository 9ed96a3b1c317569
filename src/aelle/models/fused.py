"""One network run by torch's fused recurrent module (``nn.RNN``, ``nn.LSTM``, ``nn.GRU``).

:class:`FusedNetwork` is the ``K = 1`` counterpart of
:class:`~aelle.models.population.Population` for the kinds torch has fused kernels for: the
same parameters (copied from a one-network population, so the same initial network), the
same readout and dropout, and the same inputs and outputs with a leading network axis of 1.
On a CPU torch's fused LSTM runs the time loop in C++ and trains a larger network or a
longer sequence faster than the stacked step-by-step cells
(:func:`aelle.models.training.choose_path` says when).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from aelle.models.population import Networks, Population

FUSED_MODULES: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class FusedNetwork(Networks):
    """One network: a one-layer torch ``nn.RNN`` (tanh) / ``nn.LSTM`` / ``nn.GRU``, then
    dropout and the linear readout of :class:`~aelle.models.population.Networks`.

    Shapes carry the network axis of length 1 like a population's: ``run`` maps inputs
    ``(1, B, T, I)`` to features ``(1, B, T, H)``.
    """

    def __init__(self, pop: Population) -> None:
        if pop.num_networks != 1:
            raise ValueError(f"FusedNetwork holds one network, got {pop.num_networks}")
        if pop.kind not in FUSED_MODULES:
            raise ValueError(
                f"no fused torch module for architecture {pop.kind!r}; "
                f"expected one of {sorted(FUSED_MODULES)}"
            )
        if int(pop.cell_options.get("num_layers", 1)) != 1:
            raise ValueError("FusedNetwork supports one layer (cell option num_layers = 1)")
        params = {n: v.detach() for n, v in pop.cell_params.items()}
        weight = params["weight_ih"]
        super().__init__(pop.dropout)
        self.kind = pop.kind
        self.input_size = weight.shape[-1]
        with torch.random.fork_rng(devices=[]):  # their throwaway init leaves torch's RNG alone
            self.head = nn.Linear(
                pop.hidden_size,
                pop.readout_weight.shape[1],
                device=weight.device,
                dtype=weight.dtype,
            )
            self.module = FUSED_MODULES[pop.kind](
                self.input_size,
                pop.hidden_size,
                bias="bias_ih" in params,
                batch_first=True,
                device=weight.device,
                dtype=weight.dtype,
            )
        with torch.no_grad():
            for name, value in params.items():
                getattr(self.module, f"{name}_l0").copy_(value[0])
            self.head.weight.copy_(pop.readout_weight[0])
            self.head.bias.copy_(pop.readout_bias[0])

    @property
    def readout_weight(self) -> Tensor:  # type: ignore[override]
        """The readout weight as a (1, O, H) view."""
        return self.head.weight.unsqueeze(0)

    @property
    def readout_bias(self) -> Tensor:  # type: ignore[override]
        """The readout bias as a (1, O) view."""
        return self.head.bias.unsqueeze(0)

    @property
    def cell_params(self) -> dict[str, Tensor]:
        """The recurrent weights in the population layout: name → (1, ...) views."""
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return {
            n: getattr(self.module, f"{n}_l0").unsqueeze(0)
            for n in names
            if hasattr(self.module, f"{n}_l0")
        }

    def stacked_parameters(self) -> dict[str, Tensor]:
        """Every trained tensor as a (1, ...) view of the parameter (writes go through)."""
        return {n: p.unsqueeze(0) for n, p in self.named_parameters()}

    def readout(self, features: Tensor, mask: Tensor | None = None) -> Tensor:
        """:meth:`Networks.readout` by the ``nn.Linear`` head (the same numbers, fewer ops)."""
        if mask is not None:
            features = features * (mask / (1 - self.dropout))
        return self.head(features)

    def run(self, x: Tensor) -> Tensor:
        """Features ``(1, B, T, H)`` of inputs ``x (1, B, T, I)`` from the zero state."""
        return self.module(x[0])[0].unsqueeze(0)

    def run_tokens(self, tokens: Tensor) -> Tensor:
        """:meth:`run` on one-hot inputs given as codes ``tokens (1, B, T)`` int64 in [0, I)."""
        if tokens.dim() != 3 or tokens.shape[0] != 1 or tokens.dtype != torch.int64:
            raise ValueError(
                f"tokens must be int64 of shape (1, batch, time), "
                f"got {tokens.dtype} {tuple(tokens.shape)}"
            )
        low, high = (int(v) for v in tokens.aminmax()) if tokens.numel() else (0, 0)
        if low < 0 or high >= self.input_size:
            raise ValueError(
                f"tokens must lie in [0, {self.input_size}), got values in [{low}, {high}]"
            )
        weight = self.head.weight
        # scattered straight into the float tensor: a quarter of one_hot's int64 bytes, and
        # no conversion pass (measured 4x faster for 578 sequences of 99 characters)
        x = weight.new_zeros(*tokens.shape, self.input_size)
        return self.run(x.scatter_(-1, tokens.unsqueeze(-1), 1.0))
