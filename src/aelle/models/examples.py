"""Task illustrations: what a good, a middling and a bad network of a population do.

Feeds the ``task-examples`` figure family (:func:`aelle.plots.steps.task_examples_figure`
reads the arrays returned here from an ``.npz`` file).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from aelle.data import TaskData
from aelle.data.charrnn import decode
from aelle.models.checkpoint import load_checkpoint
from aelle.models.inspect import force_generation, next_character_probabilities

EXAMPLE_TASKS = ("charrnn", "signal")
SNIPPET_CHARACTERS = 80


def pick_examples(records: pd.DataFrame) -> dict[str, pd.Series]:
    """The final-epoch records of the best, the median and the worst network.

    Only networks with status ``ok`` and a finite final ``val_loss`` are candidates;
    ``middling`` is the network at the middle position of the sorted losses.
    """
    final = records.loc[records["epoch"] == records.groupby("network_id")["epoch"].transform("max")]
    usable = final.loc[(final["status"] == "ok") & np.isfinite(final["val_loss"])]
    if len(usable) < 3:
        raise ValueError(
            f"task examples need 3 trained networks with a finite loss, found {len(usable)}"
        )
    ranked = usable.sort_values("val_loss", kind="stable").reset_index(drop=True)
    return {
        "good": ranked.iloc[0],
        "middling": ranked.iloc[len(ranked) // 2],
        "bad": ranked.iloc[-1],
    }


def task_examples(
    data: TaskData, records: pd.DataFrame, checkpoint_paths: Mapping[str, Path]
) -> dict[str, np.ndarray]:
    """Arrays of the ``task-examples`` figure for a charrnn or signal population.

    ``records``: final-epoch (or all-epoch) training records; ``checkpoint_paths`` maps
    each ``network_id`` to the final-epoch checkpoint holding it. charrnn examples are the
    next-character probabilities ``(T, V + 1)`` after each prefix of an 80-character
    validation snippet, with ``target`` the indices of the true next characters ``(T,)``;
    signal examples are the autonomously generated signals ``(T,)``, each against its own
    network's target period (``target`` (3, T), rows in the order of ``names``), ``dt`` in
    the task's time units.
    """
    if data.task not in EXAMPLE_TASKS:
        raise ValueError(f"task examples exist for {EXAMPLE_TASKS}, not {data.task!r}")
    picks = pick_examples(records)
    arrays: dict[str, np.ndarray] = {
        "names": np.array(list(picks)),
        "losses": np.array([float(row["val_loss"]) for row in picks.values()]),
    }
    if data.task == "charrnn":
        vocab = str(data.meta["vocab"])
        codes = data.arrays["val_text"][: SNIPPET_CHARACTERS + 1]
        text = decode(codes[:-1], vocab)
        arrays["target"] = codes[1:].numpy()
        arrays["vocabulary"] = np.array([*vocab, "\ufffd"])
    else:
        arrays["dt"] = np.array(float(data.meta["dt"]))
    targets = []
    for name, row in picks.items():
        checkpoint = load_checkpoint(checkpoint_paths[row["network_id"]])
        position = list(checkpoint["network_ids"]).index(row["network_id"])
        if data.task == "charrnn":
            probs = next_character_probabilities(checkpoint, position, text, vocab)
            arrays[f"example_{name}"] = probs.numpy()
        else:
            result = force_generation(checkpoint)
            arrays[f"example_{name}"] = result["generated"][position].numpy()
            targets.append(result["target"][position].numpy())
    if targets:
        arrays["target"] = np.stack(targets)
    return arrays
