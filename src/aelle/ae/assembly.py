"""Bring Lyapunov spectra to one length and join them with each network's losses.

Resampling conventions (exponents are kept in the spectrum's own log base, bits or
nats per step, and in descending order):

- ``"midpoint"`` (the paper's repeated midpoint insertion, defined here for any
  lengths ``n <= L``): while a full pass fits (``2n - 1 <= L``) insert the mean of every
  pair of neighbours (``n -> 2n - 1``); then one partial pass inserts the remaining
  ``L - n`` midpoints into gaps spread evenly over the spectrum
  (gap ``floor((k + 1/2) * (n - 1) / (L - n))`` for ``k = 0 .. L - n - 1``). Every original
  exponent is kept exactly; ``n > L`` is refused (use ``"linear"``).
- ``"linear"``: piecewise-linear interpolation of the exponents placed at evenly spaced
  positions on [0, 1], read at ``L`` evenly spaced positions (up- or down-sampling).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

RESAMPLE_METHODS = ("midpoint", "linear")

EXCLUSION_REASONS = ("diverged", "nonfinite_spectrum", "nonfinite_loss")


def _midpoint_pass(x: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """Insert the midpoint of ``x[g], x[g + 1]`` after index ``g`` for every ``g`` in ``gaps``."""
    mids = 0.5 * (x[gaps] + x[gaps + 1])
    return np.insert(x, gaps + 1, mids)


def resample_midpoint(x: np.ndarray, length: int) -> np.ndarray:
    """Lengthen a spectrum ``(n,)`` to ``(length,)`` by repeated midpoint insertion.

    See the module docstring for the exact rule; ``n == length`` returns a copy.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    if x.ndim != 1 or n == 0:
        raise ValueError(f"resample_midpoint: expected a non-empty 1-D spectrum, got {x.shape}")
    if n > length:
        raise ValueError(
            f"resample_midpoint: spectrum has {n} exponents, more than the target length "
            f"{length}; midpoint insertion only lengthens (use method='linear')"
        )
    if n == 1:
        return np.full(length, x[0])
    while 2 * x.shape[0] - 1 <= length:
        x = _midpoint_pass(x, np.arange(x.shape[0] - 1))
    missing = length - x.shape[0]
    if missing:
        gaps = np.floor((np.arange(missing) + 0.5) * (x.shape[0] - 1) / missing).astype(int)
        x = _midpoint_pass(x, gaps)
    return x


def resample_linear(x: np.ndarray, length: int) -> np.ndarray:
    """Resample a spectrum ``(n,)`` to ``(length,)`` by linear interpolation on [0, 1]."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.shape[0] == 0:
        raise ValueError(f"resample_linear: expected a non-empty 1-D spectrum, got {x.shape}")
    if x.shape[0] == 1:
        return np.full(length, x[0])
    return np.interp(np.linspace(0.0, 1.0, length), np.linspace(0.0, 1.0, x.shape[0]), x)


def resample(x: np.ndarray, length: int, method: str) -> np.ndarray:
    """Resample a spectrum ``(n,)`` to ``(length,)`` with ``method`` in ``RESAMPLE_METHODS``."""
    if length < 1:
        raise ValueError(f"resample: target length must be positive, got {length}")
    if method == "midpoint":
        return resample_midpoint(x, length)
    if method == "linear":
        return resample_linear(x, length)
    raise ValueError(f"resample: unknown method {method!r}; expected one of {RESAMPLE_METHODS}")


SPECTRA_COLUMNS = (
    "network_id",
    "task",
    "arch",
    "size",
    "index",
    "epoch",
    "input_set",
    "status",
    "log_base",
    "exponents",
)
RECORD_COLUMNS = ("network_id", "p", "epoch", "val_loss", "status")


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {missing}; has {list(frame.columns)}")


def _network_losses(records: pd.DataFrame) -> pd.DataFrame:
    """Per network: p, final epoch, final val_loss, and whether training diverged.

    The final epoch is the last epoch recorded for the network's population
    (task, arch, size); a network with no row there gets a NaN final loss (counted as
    ``nonfinite_loss``).
    """
    pop = records["network_id"].str.rsplit("/", n=1).str[0]
    last_epoch = records.groupby(pop)["epoch"].transform("max")
    final = records.loc[records["epoch"] == last_epoch, ["network_id", "val_loss"]]
    if final["network_id"].duplicated().any():
        dup = final.loc[final["network_id"].duplicated(), "network_id"].iloc[0]
        raise ValueError(f"training records hold two rows for network {dup} at its last epoch")
    per_net = records.groupby("network_id").agg(
        p=("p", "first"),
        diverged=("status", lambda s: bool((s == "diverged").any())),
    )
    per_net["final_epoch"] = last_epoch.groupby(records["network_id"]).max()
    per_net["final_loss"] = final.set_index("network_id")["val_loss"]
    return per_net.reset_index()


def _exclusion(row: pd.Series) -> str:
    if row["diverged"]:
        return "diverged"
    if row["status"] != "ok" or not np.all(np.isfinite(row["exponents"])):
        return "nonfinite_spectrum"
    if not (np.isfinite(row["final_loss"]) and np.isfinite(row["epoch_loss"])):
        return "nonfinite_loss"
    return ""


def assemble_table(
    spectra: pd.DataFrame, records: pd.DataFrame, *, length: int, method: str
) -> pd.DataFrame:
    """Join spectra with losses and bring every usable spectrum to ``length`` exponents.

    Args:
        spectra: rows of the spectra contract (one per network x epoch x input set).
        records: rows of the training-records contract (one per network x epoch).
        length: common spectrum length ``L``.
        method: ``"midpoint"`` or ``"linear"`` (module docstring).

    Returns:
        One row per spectra row with columns ``network_id, task, arch, size, index,
        epoch, input_set, p, final_loss, epoch_loss`` (val_loss at this spectrum's
        epoch, the early baseline), ``spectrum_status, training_status`` ("ok" |
        "diverged"), ``excluded`` (one of ``EXCLUSION_REASONS`` or ""), ``usable``,
        ``n_exponents, log_base, max_le, mean_le`` (of the raw exponents, in the
        spectrum's log base), ``exponents`` (the raw spectrum) and ``spectrum`` (list
        of ``length`` floats, descending; NaN-filled for non-finite spectra).
    """
    _require(spectra, SPECTRA_COLUMNS, "spectra table")
    _require(records, RECORD_COLUMNS, "training records table")
    if spectra.duplicated(["network_id", "epoch", "input_set"]).any():
        dup = spectra.loc[spectra.duplicated(["network_id", "epoch", "input_set"])].iloc[0]
        raise ValueError(
            f"spectra table holds two rows for network {dup['network_id']} at epoch "
            f"{dup['epoch']}, input set {dup['input_set']}"
        )
    per_net = _network_losses(records)
    epoch_loss = records[["network_id", "epoch", "val_loss"]].rename(
        columns={"val_loss": "epoch_loss"}
    )
    table = spectra.merge(per_net, on="network_id", how="left", validate="many_to_one")
    table = table.merge(epoch_loss, on=["network_id", "epoch"], how="left", validate="many_to_one")
    unknown = table["final_epoch"].isna()
    if unknown.any():
        raise ValueError(
            f"spectra for network {table.loc[unknown, 'network_id'].iloc[0]} have no "
            "training records"
        )
    table["diverged"] = table["diverged"].astype(bool)
    table["exponents"] = [np.asarray(e, dtype=np.float64) for e in table["exponents"]]
    table["excluded"] = table.apply(_exclusion, axis=1)
    table["usable"] = table["excluded"] == ""
    table["n_exponents"] = [e.shape[0] for e in table["exponents"]]
    finite = [bool(np.all(np.isfinite(e))) and e.size > 0 for e in table["exponents"]]
    pairs = list(zip(table["exponents"], finite, strict=True))
    table["max_le"] = [e.max() if ok else np.nan for e, ok in pairs]
    table["mean_le"] = [e.mean() if ok else np.nan for e, ok in pairs]
    table["spectrum"] = [
        resample(e, length, method).tolist() if ok else [np.nan] * length for e, ok in pairs
    ]
    table = table.rename(columns={"status": "spectrum_status"})
    table["exponents"] = [e.tolist() for e in table["exponents"]]
    table["training_status"] = np.where(table["diverged"], "diverged", "ok")
    columns = [
        "network_id",
        "task",
        "arch",
        "size",
        "index",
        "epoch",
        "input_set",
        "p",
        "final_epoch",
        "final_loss",
        "epoch_loss",
        "spectrum_status",
        "training_status",
        "excluded",
        "usable",
        "n_exponents",
        "log_base",
        "max_le",
        "mean_le",
        "exponents",
        "spectrum",
    ]
    return table[columns].sort_values(["network_id", "epoch", "input_set"]).reset_index(drop=True)


def spectrum_matrix(table: pd.DataFrame) -> np.ndarray:
    """Stack the ``spectrum`` column of an assembled table into ``(rows, L)`` float64."""
    if len(table) == 0:
        raise ValueError("spectrum_matrix: the table has no rows")
    return np.stack([np.asarray(s, dtype=np.float64) for s in table["spectrum"]])


def exclusion_counts(table: pd.DataFrame) -> dict[str, int]:
    """Number of distinct networks per exclusion reason (and in total) in ``table``."""
    excluded = table.loc[~table["usable"]]
    counts = {
        reason: int(excluded.loc[excluded["excluded"] == reason, "network_id"].nunique())
        for reason in EXCLUSION_REASONS
    }
    counts["networks_total"] = int(table["network_id"].nunique())
    counts["networks_with_exclusion"] = int(excluded["network_id"].nunique())
    return counts
