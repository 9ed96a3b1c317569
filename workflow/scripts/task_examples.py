"""Snakemake adapter: run a task's good, middling and bad networks and draw them."""

from aelle.models.steps import examples
from aelle.plots.steps import task_examples_figure
from aelle.runtime import job_logging

inputs, out = snakemake.input, snakemake.output
with job_logging(snakemake.log[0], snakemake.threads):
    examples(inputs.data, inputs.records, snakemake.params.final_checkpoints, out.arrays)
    task_examples_figure(out.arrays, out.figures, task=snakemake.wildcards.task)
