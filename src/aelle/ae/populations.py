"""Did the networks learn? Each population's final losses against a task's reference level.

A study can only judge whether AeLLE tells good from bad networks if its good networks have
learned the task. This module summarises each population (task, architecture, size) at its
final training epoch: the good networks are those whose final validation loss is below the
population's median (the label rule of the analyses), and they are compared with a
reference that needs no training:

- smnist: chance accuracy, 1/10 (ten digits, balanced);
- charrnn: the unigram entropy of the training text in nats per character, the
  cross-entropy of a model that predicts every character from its frequency alone;
- signal: no reference (each FORCE network has its own target).

Losses are the records' ``val_loss`` (smnist and charrnn: cross-entropy in nats on the
validation split; signal: mean absolute error), accuracy the validation accuracy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from aelle.ae.findings import markdown_table

SMNIST_CHANCE_ACCURACY = 0.10
"""Accuracy of guessing among ten balanced digit classes."""


def unigram_entropy(codes: Tensor) -> float:
    """Entropy (nats per symbol) of the symbol frequencies of ``codes`` (any shape, int64).

    The cross-entropy of the best model that ignores context: ``-sum_c f_c ln f_c`` over the
    symbols' relative frequencies ``f_c``.
    """
    if codes.numel() == 0:
        raise ValueError("unigram_entropy: no symbols")
    counts = torch.bincount(codes.reshape(-1)).double()
    freqs = counts[counts > 0] / counts.sum()
    return float(-(freqs * freqs.log()).sum())


def population_rows(
    records: pd.DataFrame, references: Mapping[str, float] | None = None
) -> list[dict[str, str]]:
    """One row per population at its final epoch: its losses, its good networks' losses and
    (smnist) accuracy, and the task's reference.

    Args:
        records: training records (columns ``task, arch, size, epoch, val_loss, accuracy,
            status``; one row per network and checkpoint epoch).
        references: ``{task: reference loss}`` in nats, e.g. ``{"charrnn": unigram entropy}``.
    """
    references = references or {}
    final = records[
        records["epoch"] == records.groupby(["task", "arch", "size"])["epoch"].transform("max")
    ]
    rows = []
    for (task, arch, size), group in final.groupby(["task", "arch", "size"], sort=True):
        alive = group[(group["status"] == "ok") & np.isfinite(group["val_loss"])]
        good = alive[alive["val_loss"] < alive["val_loss"].median()]
        row = {
            "task": task,
            "population": f"{arch} h{size}",
            "epoch": str(int(group["epoch"].iloc[0])),
            "networks (finite)": f"{len(group)} ({len(alive)})",
            "median loss": _number(alive["val_loss"].median()),
            "good: median loss": _number(good["val_loss"].median()),
            "good: best loss": _number(good["val_loss"].min()),
            "good: median accuracy": "–",
            "reference": "–",
        }
        if task == "smnist":
            row["good: median accuracy"] = _number(good["accuracy"].median())
            row["reference"] = f"chance accuracy {SMNIST_CHANCE_ACCURACY:.2f}"
        elif task in references:
            row["reference"] = f"unigram entropy {references[task]:.3f} nats"
        rows.append(row)
    return rows


def _number(value: Any) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value:.3f}"


POPULATIONS_READING = (
    "Final epoch of each population. Good networks: final validation loss below the "
    "population's median (the analyses' label rule). Loss: cross-entropy in nats on the "
    "validation split (smnist, charrnn; per character for charrnn), mean absolute error for "
    "signal. Accuracy: validation accuracy (smnist). Reference: what needs no learning, "
    "chance accuracy for smnist, the unigram entropy of the training text for charrnn."
)


def populations_markdown(records: pd.DataFrame, references: Mapping[str, float] | None) -> str:
    """The "did the networks learn?" section of ``summary.md``."""
    rows = population_rows(records, references)
    lines = ["## Populations: did the networks learn?", "", POPULATIONS_READING, ""]
    lines.append(markdown_table(rows) if rows else "No training records in this run.")
    return "\n".join(lines) + "\n"
