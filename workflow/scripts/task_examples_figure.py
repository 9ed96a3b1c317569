"""Snakemake adapter: the task-examples figure (good / middling / bad networks)."""

from aelle.plots.steps import task_examples_figure
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads) as log:
    paths = task_examples_figure(
        snakemake.input[0], snakemake.output[0], task=snakemake.wildcards.task
    )
    log.info("wrote %s", [str(p) for p in paths])
