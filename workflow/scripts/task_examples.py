"""Snakemake adapter: arrays of the task-examples figure from the final checkpoints."""

from pathlib import Path

import numpy as np
import pandas as pd

from aelle.data import load_prepared
from aelle.models.examples import task_examples
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads) as log:
    records = {path: pd.read_parquet(path) for path in snakemake.input.records}
    checkpoint_of = {
        network_id: Path(snakemake.params.final_checkpoints[path])
        for path, table in records.items()
        for network_id in table["network_id"].unique()
    }
    arrays = task_examples(
        load_prepared(Path(snakemake.input.data)),
        pd.concat(records.values(), ignore_index=True),
        checkpoint_of,
    )
    np.savez(snakemake.output[0], **arrays)
    log.info("examples: %s", dict(zip(arrays["names"], arrays["losses"], strict=True)))
