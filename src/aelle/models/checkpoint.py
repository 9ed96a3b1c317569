"""Population checkpoints (format ``aelle-population/1``), loadable with ``weights_only=True``.

One file per (task, arch, size, shard, epoch)::

    {"format", "task", "arch", "kind" (cell kind; R-FORCE is "force"), "epoch",
     "input_size", "hidden_size", "output_size", "network_ids": list[str],
     "indices" (K,) int64, "seeds" (K,) int64, "p" (K,) float64 (FORCE: gain g),
     "cell_params": {name: (K, ...)}, "cell_options": dict,
     "readout": {"weight" (K, O, H), "bias" (K, O)}}

FORCE checkpoints add each network's target: ``"target": {"terms" (K, 4, 2) int64, "dt",
"period_steps"}`` (see :mod:`aelle.models.force`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from aelle.models.population import Population

FORMAT = "aelle-population/1"
KEYS = (
    "task",
    "kind",
    "epoch",
    "input_size",
    "hidden_size",
    "output_size",
    "network_ids",
    "indices",
    "seeds",
    "p",
    "cell_params",
    "cell_options",
    "readout",
)


def save_checkpoint(path: Path, **fields: Any) -> None:
    """Write a checkpoint with the fields of :data:`KEYS` (plus optional ``arch``)."""
    missing = [k for k in KEYS if k not in fields]
    if missing:
        raise ValueError(f"checkpoint {path}: missing fields {missing}")
    payload: dict[str, Any] = {"format": FORMAT, **fields}
    payload["cell_params"] = {k: v.detach().cpu().clone() for k, v in fields["cell_params"].items()}
    payload["readout"] = {k: v.detach().cpu().clone() for k, v in fields["readout"].items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    torch.save(payload, partial)
    partial.replace(path)


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint (``weights_only=True``) and check its format."""
    payload = torch.load(path, weights_only=True, map_location="cpu")
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{path}: not a population checkpoint (format {FORMAT!r} expected)")
    return payload


def population_from_checkpoint(
    checkpoint: dict[str, Any], *, device: torch.device | str = "cpu"
) -> Population:
    """Rebuild the trainable :class:`Population` of a gradient-trained checkpoint."""
    if checkpoint["kind"] == "force":
        raise ValueError("FORCE checkpoints hold no Population; use aelle.models.force")

    def to(t: Tensor) -> Tensor:
        return t.to(device)

    return Population(
        checkpoint["kind"],
        {k: to(v) for k, v in checkpoint["cell_params"].items()},
        to(checkpoint["readout"]["weight"]),
        to(checkpoint["readout"]["bias"]),
        cell_options=dict(checkpoint["cell_options"]),
    )
