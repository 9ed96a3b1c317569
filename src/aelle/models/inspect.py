"""What trained networks do, for the task-illustration figures.

- :func:`next_character_probabilities`: a charrnn network's predicted distribution of the
  next character after each prefix of a text snippet.
- :func:`force_generation`: target vs autonomously generated signal of FORCE networks.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from aelle.data.charrnn import encode, one_hot
from aelle.models.checkpoint import population_from_checkpoint
from aelle.models.force import (
    DTYPE,
    ForcePopulation,
    checkpoint_target,
    initial_state,
    target_signals,
)


@torch.no_grad()
def next_character_probabilities(
    checkpoint: dict[str, Any], network: int, text: str, vocab: str
) -> Tensor:
    """Probabilities (len(text), len(vocab) + 1) of the character after each prefix.

    Row t is the network's softmax output after reading ``text[: t + 1]`` from the zero
    state (dropout off); column ``len(vocab)`` is the unknown symbol. ``network`` is the
    position of the network in the checkpoint's stack.
    """
    if not text:
        raise ValueError("next_character_probabilities: empty text snippet")
    pop = population_from_checkpoint(_select(checkpoint, network))
    x = one_hot(encode(text, vocab), len(vocab), dtype=pop.readout_weight.dtype)
    logits = pop.readout(pop.run(x[None, None]))[0, 0]
    return torch.softmax(logits.double(), dim=-1)


@torch.no_grad()
def force_generation(checkpoint: dict[str, Any]) -> dict[str, Tensor]:
    """Teacher-force one period of each network's own target from x0, then generate one
    period autonomously.

    The targets are the checkpoint's ``target`` record (see :mod:`aelle.models.force`).
    Returns ``{"target" (K, T), "generated" (K, T), "mae" (K,), "teacher_mae" (K,)}``:
    each network's generated signal is compared with its target's next period (the
    protocol of the training's ``val_loss``; see :meth:`ForcePopulation.test`). float64.
    """
    target = target_signals(checkpoint_target(checkpoint))
    params = {k: v.to(DTYPE) for k, v in checkpoint["cell_params"].items()}
    size = int(checkpoint["hidden_size"])
    x0 = torch.stack([initial_state(size, int(s)) for s in checkpoint["seeds"]])
    pop = ForcePopulation(params, x0, dt=float(checkpoint["cell_options"]["dt"]))
    teacher, mae, generated = pop.test(target)
    return {
        "target": torch.roll(target, -1, dims=1),
        "generated": generated,
        "mae": mae,
        "teacher_mae": teacher,
    }


def _select(checkpoint: dict[str, Any], network: int) -> dict[str, Any]:
    """The checkpoint restricted to network ``network`` of its stack (K = 1)."""
    k = len(checkpoint["network_ids"])
    if not 0 <= network < k:
        raise IndexError(f"network {network} out of range for a checkpoint of {k} networks")
    one = dict(checkpoint)
    one["cell_params"] = {n: v[network : network + 1] for n, v in checkpoint["cell_params"].items()}
    one["readout"] = {n: v[network : network + 1] for n, v in checkpoint["readout"].items()}
    return one
