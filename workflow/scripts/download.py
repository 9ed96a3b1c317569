"""Snakemake adapter: fetch one remote input file (timeout, retries, sha256 check)."""

from aelle.downloads import RemoteFile, fetch
from aelle.runtime import job_logging

with job_logging(snakemake.log[0], snakemake.threads):
    fetch(RemoteFile(**snakemake.params.remote), snakemake.output[0])
