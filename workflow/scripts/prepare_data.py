"""Snakemake adapter: build one task's data and write it for the other phases."""

from aelle.data.steps import prepare_data
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads):
    prepare_data(
        snakemake.wildcards.task,
        snakemake.params.data,
        snakemake.output[0],
        root=".",
        seed=snakemake.params.seed,
    )
