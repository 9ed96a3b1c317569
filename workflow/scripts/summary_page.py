"""Snakemake adapter: results/<run>/summary.md as an HTML page for the report."""

from aelle.report.steps import summary_page
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads):
    summary_page(snakemake.input[0], snakemake.output[0])
