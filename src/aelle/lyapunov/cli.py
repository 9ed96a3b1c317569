"""``aelle spectrum``: Lyapunov spectra of a saved population, written as a table.

Example::

    aelle spectrum results/offline/train/smnist/lstm_h32/shard0/checkpoints/epoch6.pt \\
        --inputs val.npy --warmup-inputs warm.npy --output spectra.parquet

A mistake (missing or unreadable file, a file that is not a population checkpoint, inputs
of the wrong shape, a bad option value or device) ends the command with one line on
stderr naming the argument or file, and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from aelle.cli import CommandError
from aelle.lyapunov.options import (
    DEFAULT_OPTIONS,
    DTYPES,
    STATE_CONVENTIONS,
    SpectrumOptionError,
    SpectrumOptions,
)
from aelle.lyapunov.population import checkpoint_cell, population_spectra
from aelle.models.checkpoint import FORMAT, load_checkpoint
from aelle.models.force import spectrum_start
from aelle.runtime import resolve_device

LOG_BASES = {"e": math.e, "2": 2.0, "10": 10.0}
DEVICES = ("cpu", "cuda", "auto")
TABLE_SUFFIXES = (".parquet", ".csv")
FLAGS = {
    "state": "--state",
    "qr_every": "--qr-every",
    "num_exponents": "--num-exponents",
    "log_base": "--log-base",
    "dtype": "--dtype",
}
READ_ERRORS = (pickle.UnpicklingError, RuntimeError, EOFError, ValueError)
"""What torch.load / np.load raise on a file that is not what they read (not OSError)."""


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _name_of(value: object, names: dict[str, Any]) -> str:
    return next(name for name, v in names.items() if v == value)


def register(subparsers: Any) -> None:
    """Add the ``spectrum`` sub-command to the ``aelle`` parser."""
    p = subparsers.add_parser(
        "spectrum",
        help="Lyapunov spectra of a population checkpoint",
        description="Lyapunov spectra of a population checkpoint, written as a table with "
        "one row per network (mean and std over the input sequences).",
    )
    p.add_argument(
        "checkpoint", type=Path, help=f"population checkpoint, a .pt file of format {FORMAT}"
    )
    p.add_argument(
        "--inputs",
        type=Path,
        metavar="FILE",
        required=True,
        help="measured inputs: .npy or .pt float array (batch, time, features); required",
    )
    p.add_argument(
        "--warmup-inputs",
        type=Path,
        metavar="FILE",
        help="warm-up inputs, same batch and features, run before measuring; FORCE networks "
        "are teacher-forced on them, then measured in closed loop (default: none, the "
        "measurement starts from the zero state)",
    )
    p.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        required=True,
        help="table to write: .parquet or .csv; required",
    )
    p.add_argument(
        "--input-set", default="val", help="label of the input_set column (default: %(default)s)"
    )
    p.add_argument(
        "--state",
        choices=STATE_CONVENTIONS,
        default=DEFAULT_OPTIONS.state,
        help="full: exponents of the whole state (LSTM h and c); hidden: the paper's "
        "convention, the hidden part only (default: %(default)s)",
    )
    p.add_argument(
        "--qr-every",
        metavar="N",
        type=int,
        default=DEFAULT_OPTIONS.qr_every,
        help="re-orthonormalise every this many steps (default: %(default)s)",
    )
    p.add_argument(
        "--num-exponents",
        metavar="N",
        type=int,
        help="number of leading exponents to compute (default: all)",
    )
    p.add_argument(
        "--log-base",
        choices=LOG_BASES,
        default=_name_of(DEFAULT_OPTIONS.log_base, LOG_BASES),
        help="unit of the exponents: 2 bits, e nats, 10 decimal digits per step "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--dtype",
        choices=sorted(DTYPES),
        default=_name_of(DEFAULT_OPTIONS.dtype, DTYPES),
        help="precision of the computation (default: %(default)s)",
    )
    p.add_argument(
        "--device",
        choices=DEVICES,
        default="cpu",
        help="where to compute; auto: cuda when a GPU is visible (default: %(default)s)",
    )
    p.add_argument(
        "--chunk",
        metavar="N",
        type=positive_int,
        help="networks measured per stacked call (default: all at once)",
    )
    p.add_argument(
        "--threads",
        metavar="N",
        type=positive_int,
        default=1,
        help="torch intra-op threads (default: %(default)s)",
    )
    p.set_defaults(func=run)


def spectrum_options(args: argparse.Namespace) -> SpectrumOptions:
    """The :class:`SpectrumOptions` of the command line; a bad value names its flag."""
    try:
        return SpectrumOptions(
            state=args.state,
            qr_every=args.qr_every,
            num_exponents=args.num_exponents,
            log_base=LOG_BASES[args.log_base],
            dtype=args.dtype,
        )
    except SpectrumOptionError as err:
        raise CommandError(f"{FLAGS[err.field]}: {err.problem}") from None


def read_checkpoint(path: Path) -> dict[str, Any]:
    """Load a population checkpoint; any failure is a :class:`CommandError` naming ``path``."""
    try:
        return load_checkpoint(path)
    except OSError as err:
        raise CommandError(f"checkpoint {path}: {err.strerror or err}") from None
    except READ_ERRORS:
        raise CommandError(
            f"checkpoint {path}: not a population checkpoint (a .pt file of format {FORMAT})"
        ) from None


def load_inputs(flag: str, path: Path) -> torch.Tensor:
    """Read a float ``(batch, time, features)`` array from ``.npy`` or ``.pt``.

    Any problem is a :class:`CommandError` naming ``flag`` and ``path``.
    """
    if path.suffix not in (".npy", ".pt"):
        raise CommandError(f"{flag} {path}: inputs must be a .npy or .pt file")
    try:
        if path.suffix == ".npy":
            data = torch.from_numpy(np.load(path, allow_pickle=False))
        else:
            data = torch.load(path, weights_only=True, map_location="cpu")
    except OSError as err:
        raise CommandError(f"{flag} {path}: {err.strerror or err}") from None
    except READ_ERRORS:
        kind = "a NumPy array" if path.suffix == ".npy" else "a tensor saved by torch.save"
        raise CommandError(f"{flag} {path}: not readable as {kind}") from None
    if not isinstance(data, torch.Tensor):
        raise CommandError(f"{flag} {path}: expected a tensor, found {type(data).__name__}")
    if data.dim() != 3 or not data.dtype.is_floating_point:
        raise CommandError(
            f"{flag} {path}: inputs must be a float array (batch, time, features), "
            f"got {data.dtype} {tuple(data.shape)}"
        )
    return data


def check_fit(
    args: argparse.Namespace,
    checkpoint: dict[str, Any],
    inputs: torch.Tensor,
    warmup: torch.Tensor | None,
) -> None:
    """Inputs and ``--num-exponents`` fit the checkpoint's networks, else a one-line error."""
    cell = checkpoint_cell(checkpoint, slice(0, 1))
    features = cell.input_size
    for flag, path, data in (
        ("--inputs", args.inputs, inputs),
        ("--warmup-inputs", args.warmup_inputs, warmup),
    ):
        if data is not None and data.shape[2] != features:
            raise CommandError(
                f"{flag} {path}: {data.shape[2]} features per step, but the checkpoint's "
                f"networks take {features}: shape (batch, time, {features}) expected"
            )
    if warmup is not None and warmup.shape[0] != inputs.shape[0]:
        raise CommandError(
            f"--warmup-inputs {args.warmup_inputs}: batch {warmup.shape[0]}, but --inputs "
            f"has batch {inputs.shape[0]}"
        )
    n = cell.hidden_state_size if args.state == "hidden" else cell.state_size
    if args.num_exponents is not None and args.num_exponents > n:
        raise CommandError(
            f"--num-exponents: {args.num_exponents} exceeds the {n} exponents of these "
            f"networks with --state {args.state}"
        )


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
        raise CommandError(f"--output {args.output}: must end in {' or '.join(TABLE_SUFFIXES)}")
    options = spectrum_options(args)
    try:
        device = resolve_device(args.device)
    except RuntimeError:
        raise CommandError(
            f"--device {args.device}: no CUDA device is visible (use cpu or auto)"
        ) from None
    torch.set_num_threads(args.threads)
    checkpoint = read_checkpoint(args.checkpoint)
    inputs = load_inputs("--inputs", args.inputs)
    warmup = None
    if args.warmup_inputs is not None:
        warmup = load_inputs("--warmup-inputs", args.warmup_inputs)
    check_fit(args, checkpoint, inputs, warmup)
    warmup, h0 = (None, None) if warmup is None else spectrum_start(checkpoint, warmup)
    total = len(checkpoint["network_ids"])
    chunks = math.ceil(total / (args.chunk or total)) if total else 0
    with tqdm(total=chunks * inputs.shape[1], desc="spectrum", unit="step") as bar:
        table = population_spectra(
            checkpoint,
            inputs,
            warmup_inputs=warmup,
            h0=h0,
            input_set=args.input_set,
            options=options,
            device=device,
            chunk=args.chunk,
            progress=bar.update,
        )
    try:
        write_table(table, args.output)
    except OSError as err:
        raise CommandError(f"--output {args.output}: {err.strerror or err}") from None
    bad = int((table["status"] != "ok").sum())
    print(f"{args.output}: {len(table)} networks, {bad} non-finite")
    return 0
