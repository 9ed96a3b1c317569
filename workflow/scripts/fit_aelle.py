"""Snakemake adapter: fit one analysis' autoencoder(s), then score it against the baselines."""

from aelle.ae.steps import evaluate, fit
from aelle.runtime import job_logging

w, out = snakemake.wildcards, snakemake.output
analysis = {
    "cfg": snakemake.params.cfg,
    "seed": snakemake.params.seed,
    "analysis": w.analysis,
    "arch": None if w.arch == "all" else w.arch,
}
with job_logging(snakemake.log[0], snakemake.threads):
    fit(snakemake.input[0], out.fit, **analysis)
    evaluate(snakemake.input[0], out.fit, out.metrics, out.predictions, task=w.task, **analysis)
