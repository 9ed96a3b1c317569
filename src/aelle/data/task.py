"""One entry point for the three tasks' data: load, prepare to a file, reload.

A :class:`TaskData` holds plain tensors (see :mod:`aelle.data.smnist`,
:mod:`aelle.data.charrnn`, :mod:`aelle.data.signal` for each task's arrays) and can be
saved with ``torch.save`` and reloaded with ``weights_only=True``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import Tensor

from aelle.data import charrnn, signal, smnist
from aelle.data.sources import DataError

TASKS = ("smnist", "charrnn", "signal")
FORMAT = "aelle-task/1"


@dataclass(frozen=True)
class TaskData:
    """A task's prepared data.

    ``input_size`` / ``output_size``: smnist image columns / 10 classes; charrnn
    vocabulary + 1 (one-hot with the unknown symbol) for both; signal 1 / 1.
    ``meta``: charrnn ``vocab`` (str) and ``subset_fraction`` (each network's share of
    the training sequences); signal ``dt``, ``period_steps``.
    """

    task: str
    input_size: int
    output_size: int
    arrays: dict[str, Tensor]
    meta: dict[str, object] = field(default_factory=dict)

    def lyapunov_inputs(
        self,
        input_set: str,
        sequences: int,
        warmup_steps: int,
        steps: int,
        seed: int,
        dtype: torch.dtype = torch.float32,
    ) -> tuple[Tensor, Tensor]:
        """Input streams for spectra: (warmup (B, Tw, I), measure (B, T, I)), B = sequences.

        Each stream is one contiguous input of Tw + T steps whose first Tw steps warm the
        network up and whose last T steps are measured (so measurement never re-uses the
        warm-up input). ``input_set`` "val" draws from validation data (signal: the
        training target at random phases), "novel" from the held-out data (smnist: held-out
        images; charrnn: the novel text; signal: the novel targets). smnist streams are
        concatenations of whole images, row by row, so T may exceed one image's rows;
        signal streams are the target value itself (1 feature).
        """
        if input_set not in ("val", "novel"):
            raise ValueError(f"input_set must be 'val' or 'novel', got {input_set!r}")
        total = warmup_steps + steps
        if self.task == "smnist":
            streams = smnist.image_streams(self.arrays[f"{input_set}_x"], sequences, total, seed)
        elif self.task == "charrnn":
            codes = charrnn.text_streams(self.arrays[f"{input_set}_text"], sequences, total, seed)
            streams = charrnn.one_hot(codes, self.input_size - 1)
        else:
            key = "target_terms" if input_set == "val" else "novel_terms"
            terms = self.arrays[key].reshape(-1, signal.COMPONENTS, 2)
            dt = float(self.meta["dt"])
            streams = signal.signal_streams(terms, sequences, total, dt, seed)[..., None]
        streams = streams.to(dtype)
        return streams[:, :warmup_steps], streams[:, warmup_steps:]


def load_task(task: str, data_cfg: Mapping[str, object], *, root: Path, seed: int = 0) -> TaskData:
    """Build a task's data from its config section ``tasks.{task}.data``.

    ``root`` resolves relative file paths (every file is local: see :mod:`aelle.data.sources`);
    ``seed`` fixes the splits (smnist), topic choice (charrnn) and targets (signal).
    """
    if task == "smnist":
        arrays = smnist.load(data_cfg, root=root, seed=seed)
        return TaskData(task, arrays["train_x"].shape[-1], 10, arrays)
    if task == "charrnn":
        arrays, vocab = charrnn.load(data_cfg, root=root, seed=seed)
        meta = {"vocab": vocab, "subset_fraction": float(data_cfg.get("subset_fraction", 0.2))}
        return TaskData(task, len(vocab) + 1, len(vocab) + 1, arrays, meta)
    if task == "signal":
        arrays, meta = signal.load(data_cfg, seed=seed)
        return TaskData(task, 1, 1, arrays, dict(meta))
    raise DataError(f"unknown task {task!r} (expected one of {TASKS})")


def save_task(data: TaskData, path: Path) -> None:
    """Write ``data`` to ``path`` (``torch.save`` of plain tensors, strings and numbers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "task": data.task,
        "input_size": data.input_size,
        "output_size": data.output_size,
        "arrays": data.arrays,
        "meta": data.meta,
    }
    torch.save(payload, path)


def load_prepared(path: Path) -> TaskData:
    """Read a file written by :func:`save_task` / :func:`prepare`."""
    payload = torch.load(path, weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise DataError(f"{path}: not a prepared task file (format {FORMAT!r} expected)")
    return TaskData(
        payload["task"],
        int(payload["input_size"]),
        int(payload["output_size"]),
        dict(payload["arrays"]),
        dict(payload["meta"]),
    )


def prepare(
    task: str, data_cfg: Mapping[str, object], out: Path, *, root: Path, seed: int = 0
) -> TaskData:
    """Load a task's data (:func:`load_task`) and write it to ``out``; return it."""
    data = load_task(task, data_cfg, root=root, seed=seed)
    save_task(data, out)
    return data
