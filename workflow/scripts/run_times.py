"""Snakemake adapter: the run-times page (benchmark files, and the reproduce note if any)."""

from aelle.report.steps import run_times_page
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads):
    note = snakemake.input.note[0] if snakemake.input.note else None
    run_times_page(snakemake.params.benchmarks, snakemake.output[0], note)
