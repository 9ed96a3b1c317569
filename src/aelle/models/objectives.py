"""Per-task batches and losses for gradient training of K networks (a :class:`Networks`).

Losses are cross-entropies in nats, one value per network: ``(K,)``. Every network draws
its own batches (and its charrnn training subset) from its own generators, so what a
network sees does not depend on the other networks in the stack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from aelle.data import TaskData
from aelle.models.population import Networks
from aelle.models.seeds import generator

EVAL_STEP_ELEMENTS = 1 << 18
"""Evaluation chunk bound: values in one step's gate pre-activations (K x rows x 4H), about
1 MiB in float32, so that each step's elementwise work stays in cache (measured: the
train-split evaluation of 32 smnist LSTMs of hidden 64 is 1.6x faster than with whole-split
chunks)."""
EVAL_SEQUENCE_ELEMENTS = 1 << 23
"""Evaluation chunk bound: values in the chunk's widest whole-sequence tensor (features or
logits, K x rows x T x max(H, outputs)), 32 MiB in float32."""


def _cross_entropy(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean CE per network: logits (K, B, ..., C), targets (K, B, ...) → (K,) nats."""
    k, c = logits.shape[0], logits.shape[-1]
    if k == 1:  # one network: torch's mean reduction, one op fewer per training step
        return F.cross_entropy(logits.reshape(-1, c), targets.reshape(-1)).reshape(1)
    ce = F.cross_entropy(logits.reshape(-1, c), targets.reshape(-1), reduction="none")
    return ce.reshape(k, -1).mean(dim=1)


class SmnistObjective:
    """Classify an image read row by row: CE on the readout of the last step."""

    def __init__(self, data: TaskData, seeds: Sequence[int], batch_size: int) -> None:
        self.x, self.y = data.arrays["train_x"], data.arrays["train_y"]
        self.val_x, self.val_y = data.arrays["val_x"], data.arrays["val_y"]
        self.batch_size = batch_size
        self.data_gens = [generator(s, "data") for s in seeds]

    def epoch(self) -> Iterator[tuple[Tensor, Tensor]]:
        """Batches (x (K, B, T, I), labels (K, B)), each network in its own random order."""
        order = torch.stack([torch.randperm(len(self.y), generator=g) for g in self.data_gens])
        for start in range(0, len(self.y), self.batch_size):
            idx = order[:, start : start + self.batch_size]
            yield self.x[idx], self.y[idx]

    def loss(self, pop: Networks, x: Tensor, y: Tensor, masks: Tensor | None) -> Tensor:
        """Per-network CE (K,) of the class read out at the last step."""
        features = pop.run(x)[:, :, -1]
        return _cross_entropy(pop.readout(features, masks), y)

    def mask_shape(self, x: Tensor, hidden: int) -> tuple[int, ...]:
        """Dropout mask shape of one network for batch ``x``: (B, H)."""
        return (x.shape[1], hidden)

    @torch.no_grad()
    def evaluate(self, pop: Networks, split: str = "val") -> tuple[Tensor, Tensor]:
        """(CE (K,) in nats, accuracy (K,)) on the whole split, dropout off."""
        x, y = (self.val_x, self.val_y) if split == "val" else (self.x, self.y)
        return _evaluate(pop, pop.run, len(y), lambda s: (x[s], y[s]), last_only=True)


class CharObjective:
    """Next-character prediction: mean CE per character over 99 steps of 100-char sequences.

    Network k trains on its own random ``subset_fraction`` of the training sequences.
    Inputs are character codes (one-hot inputs given as indices, run by
    ``Population.run_tokens``), targets the next codes.
    """

    def __init__(
        self, data: TaskData, seeds: Sequence[int], batch_size: int, subset_fraction: float
    ) -> None:
        sequences = data.arrays["train_seq"]
        count = max(1, round(subset_fraction * len(sequences)))
        self.subsets = torch.stack(
            [
                sequences[torch.randperm(len(sequences), generator=generator(s, "subset"))[:count]]
                for s in seeds
            ]
        )
        self.val_seq = data.arrays["val_seq"]
        self.batch_size = batch_size
        self.data_gens = [generator(s, "data") for s in seeds]

    @staticmethod
    def _split(seq: Tensor) -> tuple[Tensor, Tensor]:
        """(input codes, target codes): all but the last, all but the first character."""
        return seq[..., :-1], seq[..., 1:]

    def epoch(self) -> Iterator[tuple[Tensor, Tensor]]:
        """Batches (input codes (K, B, L-1), targets (K, B, L-1)), own order per network."""
        count = self.subsets.shape[1]
        order = torch.stack([torch.randperm(count, generator=g) for g in self.data_gens])
        for start in range(0, count, self.batch_size):
            idx = order[:, start : start + self.batch_size]
            yield self._split(
                torch.gather(self.subsets, 1, idx[..., None].expand(-1, -1, self.subsets.shape[-1]))
            )

    def loss(self, pop: Networks, x: Tensor, y: Tensor, masks: Tensor | None) -> Tensor:
        """Per-network mean CE per character (K,), nats."""
        return _cross_entropy(pop.readout(pop.run_tokens(x), masks), y)

    def mask_shape(self, x: Tensor, hidden: int) -> tuple[int, ...]:
        """Dropout mask shape of one network for batch ``x``: (B, T, H)."""
        return (x.shape[1], x.shape[2], hidden)

    @torch.no_grad()
    def evaluate(self, pop: Networks, split: str = "val") -> tuple[Tensor, Tensor]:
        """(CE (K,) in nats per character, NaN accuracy (K,)); "train" uses each own subset."""
        if split == "val":
            rows, chunk = len(self.val_seq), lambda s: self._split(self.val_seq[s])
        else:
            rows, chunk = self.subsets.shape[1], lambda s: self._split(self.subsets[:, s])
        return _evaluate(pop, pop.run_tokens, rows, chunk)


def _evaluate(
    pop: Networks,
    forward: Callable[[Tensor], Tensor],
    count: int,
    chunk: Callable[[slice], tuple[Tensor, Tensor]],
    *,
    last_only: bool = False,
) -> tuple[Tensor, Tensor]:
    """Mean loss (nats) and accuracy (K,) of every network over ``count`` examples.

    Accuracy is that of the last step's class (``last_only``), NaN otherwise.

    ``forward``: ``pop.run`` (x float (K, B, T, I)) or ``pop.run_tokens`` (x codes
    (K, B, T)). ``chunk(rows)`` returns (x, y) for those examples, shared by all networks
    (no leading K) or per network (leading K). Chunks hold as many examples as both
    :data:`EVAL_STEP_ELEMENTS` and :data:`EVAL_SEQUENCE_ELEMENTS` allow.
    """
    k = pop.num_networks
    dtype, device = pop.readout_weight.dtype, pop.readout_weight.device
    total = torch.zeros(k, dtype=torch.float64)
    correct = torch.zeros(k, dtype=torch.float64)
    probe, _ = chunk(slice(0, 1))
    tokens = not probe.is_floating_point()
    shared_dims = 2 if tokens else 3  # (B, T) codes or (B, T, I) values: no leading K
    steps = probe.shape[-1] if tokens else probe.shape[-2]
    width = max(pop.hidden_size, pop.readout_weight.shape[1])
    step = max(
        1,
        min(
            EVAL_STEP_ELEMENTS // (k * 4 * pop.hidden_size),
            EVAL_SEQUENCE_ELEMENTS // (k * steps * width),
        ),
    )
    for start in range(0, count, step):
        xb, yb = chunk(slice(start, start + step))
        if xb.dim() == shared_dims:
            xb, yb = xb.expand(k, *xb.shape), yb.expand(k, *yb.shape)
        xb, yb = xb.to(device=device, dtype=None if tokens else dtype), yb.to(device)
        features = forward(xb)
        logits = pop.readout(features[:, :, -1] if last_only else features)
        rows = xb.shape[1]
        total += _cross_entropy(logits, yb).double().cpu() * rows
        if last_only:
            correct += (logits.argmax(-1) == yb).double().flatten(1).mean(1).cpu() * rows
    return total / count, correct / count if last_only else torch.full_like(total, float("nan"))
