"""Snakemake adapter: running spectrum estimate of a task's first network (convergence plot)."""

from pathlib import Path

from aelle.lyapunov import SpectrumOptions
from aelle.lyapunov.steps import convergence
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads):
    convergence(
        snakemake.input.data,
        Path(snakemake.input.checkpoints) / f"epoch{snakemake.params.epoch}.pt",
        snakemake.output[0],
        spec=snakemake.params.spectrum,
        seed=snakemake.params.seed,
        options=SpectrumOptions.from_config(snakemake.config, snakemake.wildcards.task),
    )
