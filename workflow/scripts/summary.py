"""Snakemake adapter: merge every analysis' metrics into metrics.json and summary.md."""

from aelle.ae.steps import summarise
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads):
    summarise(
        snakemake.input.metrics,
        snakemake.output.metrics,
        snakemake.output.summary,
        records_paths=snakemake.input.records,
        charrnn_data=snakemake.input.charrnn[0] if snakemake.input.charrnn else None,
    )
