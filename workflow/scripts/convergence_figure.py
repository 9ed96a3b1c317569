"""Snakemake adapter: the convergence figure of a task's sample network."""

from aelle.plots.steps import convergence_figure
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads) as log:
    paths = convergence_figure(
        snakemake.input[0],
        snakemake.output[0],
        task=snakemake.wildcards.task,
        log_base=snakemake.params.log_base,
        qr_every=snakemake.params.qr_every,
    )
    log.info("wrote %s", [str(p) for p in paths])
