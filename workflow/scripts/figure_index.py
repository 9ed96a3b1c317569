"""Snakemake adapter: INDEX.md listing every figure with its family and task."""

from pathlib import Path

from aelle.plots.steps import index
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads):
    index(Path(snakemake.output[0]).parent, snakemake.output[0])
