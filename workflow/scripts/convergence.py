"""Snakemake adapter: running spectrum estimate of a task's first network (convergence plot)."""

from dataclasses import replace
from pathlib import Path

import numpy as np

from aelle.data import load_prepared
from aelle.lyapunov import SpectrumOptions, rnn_spectrum
from aelle.lyapunov.population import checkpoint_cell
from aelle.models import load_checkpoint, spectrum_start
from aelle.runtime import job_logging

spec = snakemake.params.spectrum
with job_logging(snakemake.log[0], snakemake.threads) as log:
    data = load_prepared(Path(snakemake.input.data))
    warmup, measure = data.lyapunov_inputs(
        "val", spec["sequences"], spec["warmup_steps"], spec["steps"], snakemake.params.seed
    )
    checkpoint = load_checkpoint(
        Path(snakemake.input.checkpoints) / f"epoch{snakemake.params.epoch}.pt"
    )
    warmup, h0 = spectrum_start(checkpoint, warmup)
    running = rnn_spectrum(
        checkpoint_cell(checkpoint, slice(0, 1)),
        measure,
        warmup_inputs=warmup,
        h0=None if h0 is None else h0[:1],
        options=replace(
            SpectrumOptions.from_config(snakemake.config, snakemake.wildcards.task), nonfinite="nan"
        ),
        running=True,
        stacked=False,
    )
    estimate = running.exponents.mean(dim=1).numpy()
    np.save(snakemake.output[0], estimate)
    log.info(
        "network %s: running estimate %s over %d steps",
        checkpoint["network_ids"][0],
        estimate.shape,
        int(running.steps[-1]),
    )
