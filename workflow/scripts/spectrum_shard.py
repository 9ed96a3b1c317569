"""Snakemake adapter: Lyapunov spectra of one shard at every epoch and input set."""

from aelle.lyapunov import SpectrumOptions
from aelle.lyapunov.steps import shard_spectra
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads):
    shard_spectra(
        snakemake.input.data,
        snakemake.input.checkpoints,
        snakemake.output[0],
        pairs=snakemake.params.pairs,
        spec=snakemake.params.spectrum,
        seed=snakemake.params.seed,
        options=SpectrumOptions.from_config(snakemake.config, snakemake.wildcards.task),
        device=snakemake.params.device,
    )
