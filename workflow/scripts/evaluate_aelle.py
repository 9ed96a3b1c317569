"""Snakemake adapter: score one fitted analysis against the baselines."""

from aelle.ae.steps import evaluate
from aelle.runtime import job_logging

w = snakemake.wildcards
with job_logging(snakemake.log[0], snakemake.threads):
    evaluate(
        snakemake.input.table,
        snakemake.input.fit,
        snakemake.output.metrics,
        snakemake.output.predictions,
        cfg=snakemake.params.cfg,
        seed=snakemake.params.seed,
        analysis=w.analysis,
        task=w.task,
        arch=None if w.arch == "all" else w.arch,
    )
