"""Snakemake adapter: build one task's data and write it for the other phases."""

from pathlib import Path

from aelle.data import prepare
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads) as log:
    data = prepare(
        snakemake.wildcards.task,
        snakemake.params.data,
        Path(snakemake.output[0]),
        root=Path("data"),
        seed=snakemake.params.seed,
    )
    log.info(
        "prepared %s: input size %d, arrays %s",
        data.task,
        data.input_size,
        {k: tuple(v.shape) for k, v in data.arrays.items()},
    )
