"""Snakemake adapter: train one analysis' autoencoder(s) and embed every network."""

from aelle.ae.steps import fit
from aelle.runtime import job_logging

w = snakemake.wildcards
with job_logging(snakemake.log[0], snakemake.threads):
    fit(
        snakemake.input[0],
        snakemake.output[0],
        cfg=snakemake.params.cfg,
        seed=snakemake.params.seed,
        analysis=w.analysis,
        arch=None if w.arch == "all" else w.arch,
    )
