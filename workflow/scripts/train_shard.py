"""Snakemake adapter: train one shard of a population, write checkpoints and records."""

from pathlib import Path

from aelle.data import load_prepared
from aelle.models import ShardSpec, train_shard
from aelle.runtime import job_logging

w = snakemake.wildcards
with job_logging(snakemake.log[0], snakemake.threads) as log:
    spec = ShardSpec.create(
        w.task,
        w.arch,
        int(w.size),
        snakemake.params.indices,
        snakemake.params.seed,
        snakemake.params.p_range,
    )
    records = train_shard(
        load_prepared(Path(snakemake.input.data)),
        spec,
        snakemake.params.training,
        snakemake.params.device,
        Path(snakemake.output.checkpoints),
    )
    records.to_parquet(snakemake.output.records, index=False)
    log.info(
        "trained %d networks; status counts %s",
        len(snakemake.params.indices),
        records.groupby("status").size().to_dict(),
    )
