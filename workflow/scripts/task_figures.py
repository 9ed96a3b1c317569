"""Snakemake adapter: the population and convergence figures of a task."""

from aelle.plots.steps import convergence_figure, population_figures
from aelle.runtime import job_logging

w, params = snakemake.wildcards, snakemake.params
with job_logging(snakemake.log[0], snakemake.threads):
    population_figures(snakemake.input.table, snakemake.output.population, task=w.task)
    convergence_figure(
        snakemake.input.convergence,
        snakemake.output.convergence,
        task=w.task,
        log_base=params.log_base,
        qr_every=params.qr_every,
    )
