"""Snakemake adapter: copy the run's summary, metrics and key figures into its record folder."""

from aelle.plots.record import write_record
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads):
    write_record(
        snakemake.input.summary,
        snakemake.input.metrics,
        snakemake.params.figures,
        snakemake.output[0],
    )
