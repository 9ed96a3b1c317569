"""``aelle spectrum``: Lyapunov spectra of a saved population, written as a table.

Example::

    aelle spectrum results/train/smnist/lstm_h32/shard0/epoch6.pt \\
        --inputs val.npy --warmup-inputs warm.npy --output spectra.parquet
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from aelle.lyapunov.population import population_spectra
from aelle.lyapunov.rnn import STATE_CONVENTIONS
from aelle.models.checkpoint import load_checkpoint
from aelle.models.force import spectrum_start
from aelle.runtime import resolve_device

DTYPES = {"float32": torch.float32, "float64": torch.float64}
TABLE_SUFFIXES = (".parquet", ".csv")


def register(subparsers: Any) -> None:
    """Add the ``spectrum`` sub-command to the ``aelle`` parser."""
    p = subparsers.add_parser(
        "spectrum",
        help="Lyapunov spectra of a population checkpoint",
        description=__doc__.splitlines()[0],
    )
    p.add_argument("checkpoint", type=Path, help="population checkpoint (aelle-population/1)")
    p.add_argument(
        "--inputs", type=Path, required=True,
        help="measured inputs, .npy or .pt, float (batch, time, features)",
    )  # fmt: skip
    p.add_argument(
        "--warmup-inputs",
        type=Path,
        help="warm-up inputs, same batch (optional; FORCE networks are teacher-forced "
        "on them, then measured in closed loop)",
    )
    p.add_argument("--output", type=Path, required=True, help="table: .parquet or .csv")
    p.add_argument("--input-set", default="val", help="label for the input_set column")
    p.add_argument("--state", choices=STATE_CONVENTIONS, default="full")
    p.add_argument("--qr-every", type=int, default=1)
    p.add_argument("--num-exponents", type=int, help="leading exponents (default: all)")
    p.add_argument("--log-base", type=float, default=2.0, help="2: bits (default), e: nats")
    p.add_argument("--dtype", choices=sorted(DTYPES), default="float64")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    p.add_argument("--chunk", type=int, help="networks per stacked call (default: all)")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    p.set_defaults(func=run)


def load_inputs(path: Path) -> torch.Tensor:
    """Read a float ``(batch, time, features)`` array from ``.npy`` or ``.pt``."""
    if path.suffix == ".npy":
        data = torch.from_numpy(np.load(path, allow_pickle=False))
    elif path.suffix == ".pt":
        data = torch.load(path, weights_only=True, map_location="cpu")
        if not isinstance(data, torch.Tensor):
            raise ValueError(f"{path}: expected a tensor, found {type(data).__name__}")
    else:
        raise ValueError(f"{path}: inputs must be .npy or .pt")
    if data.dim() != 3 or not data.dtype.is_floating_point:
        raise ValueError(
            f"{path}: inputs must be a float array (batch, time, features), "
            f"got {data.dtype} {tuple(data.shape)}"
        )
    return data


def write_table(table: pd.DataFrame, path: Path) -> None:
    """Write Parquet (list columns native) or CSV (list columns as JSON arrays)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        table.to_parquet(path, index=False)
    else:
        lists = {c: table[c].map(json.dumps) for c in ("exponents", "exponents_std")}
        table.assign(**lists).to_csv(path, index=False)


def run(args: argparse.Namespace) -> int:
    """Compute and write the spectrum table; return the exit status."""
    if args.output.suffix not in TABLE_SUFFIXES:
        raise SystemExit(f"aelle spectrum: --output must end in {TABLE_SUFFIXES}")
    torch.set_num_threads(max(1, args.threads))
    device = resolve_device(args.device)
    checkpoint = load_checkpoint(args.checkpoint)
    inputs = load_inputs(args.inputs)
    warmup, h0 = None, None
    if args.warmup_inputs is not None:
        warmup, h0 = spectrum_start(checkpoint, load_inputs(args.warmup_inputs))
    total = len(checkpoint["network_ids"])
    chunks = math.ceil(total / (args.chunk or total)) if total else 0
    with tqdm(total=chunks * inputs.shape[1], desc="spectrum", unit="step") as bar:
        table = population_spectra(
            checkpoint, inputs, warmup_inputs=warmup, h0=h0, input_set=args.input_set,
            state=args.state, qr_every=args.qr_every, num_exponents=args.num_exponents,
            log_base=args.log_base, dtype=DTYPES[args.dtype], device=device,
            chunk=args.chunk, progress=bar.update,
        )  # fmt: skip
    write_table(table, args.output)
    bad = int((table["status"] != "ok").sum())
    print(f"{args.output}: {len(table)} networks, {bad} non-finite")
    return 0
