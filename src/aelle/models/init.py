"""Initial weights of one network, drawn from its own generator.

Every recurrent and input weight ~ Uniform(−p, p) (the paper's population knob). Optional
biases and the linear readout use torch's default Uniform(−1/√H, 1/√H). Shapes follow
:mod:`aelle.cells` without the leading network dimension.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
GRADIENT_KINDS = ("rnn", "lstm", "gru", "asrnn", "cornn")


def _uniform(shape: tuple[int, ...], scale: float, generator: torch.Generator) -> Tensor:
    return (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * scale


def weight_shapes(kind: str, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
    """Shapes of the weights drawn Uniform(−p, p), in draw order."""
    h, i = hidden_size, input_size
    if kind in GATES:
        g = GATES[kind]
        return {"weight_ih": (g * h, i), "weight_hh": (g * h, h)}
    if kind == "asrnn":
        return {"W": (h, h), "V": (h, i)}
    if kind == "cornn":
        return {"W": (h, h), "W_z": (h, h), "V": (h, i)}
    raise ValueError(f"unknown architecture {kind!r}; expected one of {GRADIENT_KINDS}")


def bias_shapes(kind: str, hidden_size: int) -> dict[str, tuple[int, ...]]:
    """Shapes of the optional recurrent biases."""
    if kind in GATES:
        rows = GATES[kind] * hidden_size
        return {"bias_ih": (rows,), "bias_hh": (rows,)}
    return {"b": (hidden_size,)}


def init_network(
    kind: str,
    input_size: int,
    hidden_size: int,
    output_size: int,
    p: float,
    generator: torch.Generator,
    *,
    bias: bool = False,
) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """Draw one network: (cell params, readout {"weight" (O, H), "bias" (O,)}), float64."""
    params = {
        name: _uniform(shape, p, generator)
        for name, shape in weight_shapes(kind, input_size, hidden_size).items()
    }
    bound = 1 / math.sqrt(hidden_size)
    if bias:
        params.update(
            {
                name: _uniform(s, bound, generator)
                for name, s in bias_shapes(kind, hidden_size).items()
            }
        )
    readout = {
        "weight": _uniform((output_size, hidden_size), bound, generator),
        "bias": _uniform((output_size,), bound, generator),
    }
    return params, readout
