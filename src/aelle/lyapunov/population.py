"""Spectra of a saved population: checkpoint + input sequences -> one table row per network.

Row columns (the project's spectra table): ``network_id, task, arch, size, index, epoch,
input_set, status ("ok" | "nonfinite"), log_base, exponents, exponents_std``. ``exponents``
is the mean over the input sequences of each sequence's descending spectrum, and
``exponents_std`` its standard deviation (population std, ``ddof=0``); both are lists of
length ``k``. A network with any non-finite exponent gets status ``"nonfinite"`` and
``NaN`` where no finite value exists; it is never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd
import torch
from torch import Tensor

from aelle.cells import Cell, make_cell
from aelle.lyapunov.options import DEFAULT_OPTIONS, SpectrumOptions
from aelle.lyapunov.rnn import rnn_spectrum

COLUMNS = (
    "network_id", "task", "arch", "size", "index", "epoch", "input_set", "status",
    "log_base", "exponents", "exponents_std",
)  # fmt: skip


def checkpoint_cell(
    checkpoint: dict[str, Any], networks: slice = slice(None), device: Any = "cpu"
) -> Cell:
    """The stacked cell of ``checkpoint`` (networks ``networks``) on ``device``."""
    params = {k: v[networks].to(device) for k, v in checkpoint["cell_params"].items()}
    return make_cell(checkpoint["kind"], params, **checkpoint["cell_options"])


def population_spectra(
    checkpoint: dict[str, Any],
    inputs: Tensor,
    *,
    warmup_inputs: Tensor | None = None,
    h0: Tensor | None = None,
    input_set: str = "val",
    options: SpectrumOptions = DEFAULT_OPTIONS,
    device: Any = "cpu",
    chunk: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> pd.DataFrame:
    """Spectrum table of every network in ``checkpoint`` (format ``aelle-population/1``).

    ``inputs`` / ``warmup_inputs`` are ``(batch, time, features)`` shared by all networks
    and moved to ``device``; ``h0`` is an optional start state ``(K, batch, n)`` per network
    (default zero); ``options`` are those of :func:`~aelle.lyapunov.rnn.rnn_spectrum`
    except ``nonfinite``, always ``"nan"`` here (a non-finite network is recorded, never
    raised); ``input_set`` labels the rows; ``chunk`` networks are measured per stacked
    call (default: all at once); ``progress(1)`` is called after each measured step of
    each chunk.
    """
    total = len(checkpoint["network_ids"])
    chunk = total if chunk is None else chunk
    if chunk < 1:
        raise ValueError(f"chunk must be a positive number of networks, got {chunk}")
    options = replace(options, nonfinite="nan")
    inputs = inputs.to(device)
    warmup = None if warmup_inputs is None else warmup_inputs.to(device)
    parts = []
    for start in range(0, total, chunk):
        networks = slice(start, start + chunk)
        cell = checkpoint_cell(checkpoint, networks, device)
        parts.append(
            rnn_spectrum(
                cell,
                inputs,
                warmup_inputs=warmup,
                h0=None if h0 is None else h0[networks].to(device),
                options=options,
                stacked=True,
                progress=progress,
            ).cpu()
        )
    exps = torch.cat(parts).double()
    ok = torch.isfinite(exps).all(dim=(1, 2))
    mean, std = exps.mean(1), exps.std(1, correction=0)
    arch = checkpoint.get("arch", checkpoint["kind"])
    rows = [
        {
            "network_id": checkpoint["network_ids"][j],
            "task": checkpoint["task"],
            "arch": arch,
            "size": int(checkpoint["hidden_size"]),
            "index": int(checkpoint["indices"][j]),
            "epoch": int(checkpoint["epoch"]),
            "input_set": input_set,
            "status": "ok" if ok[j] else "nonfinite",
            "log_base": options.log_base,
            "exponents": mean[j].tolist(),
            "exponents_std": std[j].tolist(),
        }
        for j in range(total)
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))
