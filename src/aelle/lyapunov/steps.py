"""Workflow entry points for spectra: prepared data and checkpoints in, tables out.

Every function takes plain paths and values (the Snakemake scripts call these). ``spec``
is a task's ``spectrum:`` config section (``sequences``, ``warmup_steps``, ``steps``), which
sets the input streams; ``options`` (:class:`~aelle.lyapunov.options.SpectrumOptions`) set
the measurement, and exponents are in units of ``options.log_base`` per step (2: bits).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from aelle.data import TaskData, load_prepared
from aelle.lyapunov.options import SpectrumOptions
from aelle.lyapunov.population import checkpoint_cell, population_spectra
from aelle.lyapunov.rnn import rnn_spectrum
from aelle.models import load_checkpoint, spectrum_start
from aelle.runtime import progress_bar, resolve_device

PathLike = str | Path
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Start:
    """A checkpoint ready to measure: its networks, inputs and start state.

    ``measure`` is ``(batch, time, features)``; ``warmup`` the warm-up inputs
    ``(batch, warmup_time, features)`` or None when ``h0`` ``(K, batch, n)`` (FORCE
    networks' teacher-forced states) replaces the warm-up.
    """

    checkpoint: dict[str, Any]
    measure: Tensor
    warmup: Tensor | None
    h0: Tensor | None


def input_streams(
    data: TaskData, input_set: str, spec: Mapping[str, Any], seed: int
) -> tuple[Tensor, Tensor]:
    """``(warmup (B, Tw, I), measure (B, T, I))`` of ``input_set``, B = ``spec["sequences"]``.

    Depends only on the data, the input set, ``spec`` and ``seed``, so every shard and
    epoch of a task is measured on the same streams.
    """
    return data.lyapunov_inputs(
        input_set, spec["sequences"], spec["warmup_steps"], spec["steps"], seed
    )


def measurement_start(checkpoint_path: PathLike, streams: tuple[Tensor, Tensor]) -> Start:
    """Load a checkpoint and pair it with ``streams`` (from :func:`input_streams`)."""
    checkpoint = load_checkpoint(Path(checkpoint_path))
    warmup, h0 = spectrum_start(checkpoint, streams[0])
    return Start(checkpoint, streams[1], warmup, h0)


def _spectra(
    start: Start,
    input_set: str,
    options: SpectrumOptions,
    device: torch.device,
) -> pd.DataFrame:
    """The one call of the population engine (spectra table, one row per network)."""
    ckpt = start.checkpoint
    desc = f"spectra {ckpt.get('arch', ckpt['kind'])}_h{ckpt['hidden_size']} e{ckpt['epoch']}"
    with progress_bar(start.measure.shape[1], f"{desc} {input_set}") as bar:
        return population_spectra(
            start.checkpoint,
            start.measure,
            warmup_inputs=start.warmup,
            h0=start.h0,
            input_set=input_set,
            options=options,
            device=device,
            progress=bar.update,
        )


def shard_spectra(
    data_path: PathLike,
    checkpoint_dir: PathLike,
    out_path: PathLike,
    *,
    pairs: Sequence[tuple[int, str]],
    spec: Mapping[str, Any],
    seed: int,
    options: SpectrumOptions,
    device: str = "cpu",
) -> pd.DataFrame:
    """Spectra of one shard at every ``(epoch, input_set)`` of ``pairs``, in one process.

    Reads ``checkpoint_dir/epoch{e}.pt``; writes (Parquet) and returns the rows of
    :mod:`aelle.lyapunov.population`, ``pairs`` in order, networks in checkpoint order.
    Each network's spectrum depends only on its own weights and the task's input
    streams, so the rows do not depend on how networks are grouped into shards.
    """
    if not pairs:
        raise ValueError("shard_spectra: no (epoch, input_set) pairs given")
    data = load_prepared(Path(data_path))
    streams = {s: input_streams(data, s, spec, seed) for s in dict.fromkeys(s for _, s in pairs)}
    dev = resolve_device(device)
    tables = [
        _spectra(
            measurement_start(Path(checkpoint_dir) / f"epoch{epoch}.pt", streams[input_set]),
            input_set,
            options,
            dev,
        )
        for epoch, input_set in pairs
    ]
    table = pd.concat(tables, ignore_index=True)
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(out_path, index=False)
    log.info(
        "spectra of %d networks x %d (epoch, input set); status counts %s",
        len(tables[0]),
        len(pairs),
        table.groupby("status").size().to_dict(),
    )
    return table


def convergence(
    data_path: PathLike,
    checkpoint_path: PathLike,
    out_path: PathLike,
    *,
    spec: Mapping[str, Any],
    seed: int,
    options: SpectrumOptions,
) -> np.ndarray:
    """Running spectrum estimate of the checkpoint's first network on the "val" inputs.

    Writes (``.npy``) and returns the ``(steps / qr_every, k)`` mean over input sequences
    of the running estimate after each re-orthonormalisation.
    """
    start = measurement_start(
        checkpoint_path, input_streams(load_prepared(Path(data_path)), "val", spec, seed)
    )
    running = rnn_spectrum(
        checkpoint_cell(start.checkpoint, slice(0, 1)),
        start.measure,
        warmup_inputs=start.warmup,
        h0=None if start.h0 is None else start.h0[:1],
        options=replace(options, nonfinite="nan"),
        running=True,
        stacked=False,
    )
    estimate = running.exponents.mean(dim=1).numpy()
    np.save(out_path, estimate)
    log.info(
        "network %s: running estimate %s over %d steps",
        start.checkpoint["network_ids"][0],
        estimate.shape,
        int(running.steps[-1]),
    )
    return estimate
