"""Split networks (never rows) into train / validation / test."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

SPLITS = ("train", "val", "test")


def split_networks(
    network_ids: Sequence[str], fractions: Sequence[float], seed: int
) -> dict[str, str]:
    """Assign each distinct network id to ``"train"``, ``"val"`` or ``"test"``.

    The sorted distinct ids are permuted with ``numpy.random.default_rng(seed)``; the
    first ``round(f_train * n)`` go to train, the next ``round(f_val * n)`` to validation,
    the rest to test. With ``n >= 3`` every split gets at least one network.
    """
    fractions = [float(f) for f in fractions]
    if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1.0) > 1e-6:
        raise ValueError(
            f"split fractions must be three non-negative numbers summing to 1, got {fractions}"
        )
    ids = np.array(sorted(set(network_ids)), dtype=object)
    n = ids.shape[0]
    if n < 3:
        raise ValueError(f"split_networks: need at least 3 networks, got {n}")
    order = np.random.default_rng(seed).permutation(n)
    n_train = min(max(round(fractions[0] * n), 1), n - 2)
    n_val = min(max(round(fractions[1] * n), 1), n - n_train - 1)
    labels = np.array(["test"] * n, dtype=object)
    labels[order[:n_train]] = "train"
    labels[order[n_train : n_train + n_val]] = "val"
    return dict(zip(ids.tolist(), labels.tolist(), strict=True))


def assign_split(table: pd.DataFrame, fractions: Sequence[float], seed: int) -> pd.DataFrame:
    """Return a copy of ``table`` with a ``split`` column shared by all rows of a network.

    The split is stratified by population: the networks of each (``arch``, ``size``) are
    split on their own with :func:`split_networks`, so every population has networks in
    train, validation and test, and any analysis restricted to one architecture or size
    still has all three splits. Only networks with at least one usable row are split; rows
    of the others get ``"excluded"``.
    """
    usable = table.loc[table["usable"]]
    mapping: dict[str, str] = {}
    for (arch, size), group in usable.groupby(["arch", "size"], sort=True):
        ids = group["network_id"].unique()
        if len(ids) < 3:
            raise ValueError(
                f"population {arch} h{size}: {len(ids)} usable networks, "
                f"at least 3 are needed to fill train, validation and test"
            )
        mapping.update(split_networks(ids, fractions, seed))
    out = table.copy()
    out["split"] = out["network_id"].map(mapping).fillna("excluded")
    return out
