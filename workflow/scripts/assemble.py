"""Snakemake adapter: one task's spectra and training records -> the assembled table."""

from aelle.ae.steps import assemble
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads) as log:
    assemble(
        snakemake.input.spectra,
        snakemake.input.records,
        snakemake.output[0],
        length=snakemake.params.length,
        method=snakemake.params.method,
    )
    log.info("assembled %d spectra files", len(snakemake.input.spectra))
