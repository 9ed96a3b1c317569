"""Snakemake adapter: embedding, prediction and training figures of one analysis."""

from aelle.plots.steps import analysis_figures
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads) as log:
    paths = analysis_figures(
        snakemake.input.fit,
        snakemake.input.metrics,
        snakemake.input.predictions,
        snakemake.output[0],
        task=snakemake.wildcards.task,
        log_base=snakemake.params.log_base,
    )
    log.info("wrote %s", [str(p) for p in paths])
