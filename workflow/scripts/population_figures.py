"""Snakemake adapter: spectra, loss-vs-hyperparameter and distributions figures of a task."""

from aelle.plots.steps import population_figures
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads) as log:
    paths = population_figures(
        snakemake.input[0], snakemake.output[0], task=snakemake.wildcards.task
    )
    log.info("wrote %s", [str(p) for p in paths])
