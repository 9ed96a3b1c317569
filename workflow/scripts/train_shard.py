"""Snakemake adapter: train one shard of a population, write checkpoints and records."""

from aelle.models.steps import train
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads):
    train(
        snakemake.input.data,
        snakemake.output.checkpoints,
        snakemake.output.records,
        shard=snakemake.params.shard,
        training=snakemake.params.training,
        seed=snakemake.params.seed,
        device=snakemake.params.device,
    )
