"""Workflow entry points for training: prepared data in, checkpoints and records out.

Every function takes plain paths and values (the Snakemake scripts call these).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aelle.data import load_prepared
from aelle.models.examples import task_examples
from aelle.models.shard import ShardSpec
from aelle.models.training import train_shard

PathLike = str | Path
log = logging.getLogger(__name__)


def train(
    data_path: PathLike,
    checkpoint_dir: PathLike,
    records_path: PathLike,
    *,
    shard: Mapping[str, Any],
    training: Mapping[str, Any],
    seed: int,
    device: str = "cpu",
) -> pd.DataFrame:
    """Train one shard; write its checkpoints and its records (Parquet); return the records.

    ``shard``: ``task``, ``arch``, ``size`` (hidden units), ``indices`` (network numbers
    within the population) and ``p_range`` (low, high); ``training``: the task's
    ``training:`` config section; ``seed``: the global seed every network's own seed
    derives from. Columns of the records: :data:`aelle.models.RECORD_COLUMNS`.
    """
    spec = ShardSpec.create(
        shard["task"],
        shard["arch"],
        int(shard["size"]),
        list(shard["indices"]),
        seed,
        shard["p_range"],
    )
    records = train_shard(
        load_prepared(Path(data_path)), spec, training, device, Path(checkpoint_dir)
    )
    Path(records_path).parent.mkdir(parents=True, exist_ok=True)
    records.to_parquet(records_path, index=False)
    log.info(
        "trained %d networks; status counts %s",
        len(shard["indices"]),
        records.groupby("status").size().to_dict(),
    )
    return records


def examples(
    data_path: PathLike,
    records_paths: Sequence[PathLike],
    final_checkpoints: Mapping[str, PathLike],
    out_path: PathLike,
) -> dict[str, np.ndarray]:
    """Write the arrays of the task-examples figure (``.npz``) and return them.

    See :func:`aelle.models.examples.task_examples` for the arrays. ``final_checkpoints``
    maps each records file to the final-epoch checkpoint of its shard.
    """
    records = {str(path): pd.read_parquet(path) for path in records_paths}
    checkpoint_of = {
        network_id: Path(final_checkpoints[path])
        for path, table in records.items()
        for network_id in table["network_id"].unique()
    }
    arrays = task_examples(
        load_prepared(Path(data_path)),
        pd.concat(records.values(), ignore_index=True),
        checkpoint_of,
    )
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    np.savez(out_path, **arrays)
    log.info("examples: %s", dict(zip(arrays["names"], arrays["losses"], strict=True)))
    return arrays
