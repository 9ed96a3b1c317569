"""Snakemake adapter: Lyapunov spectra of one shard at one epoch on one input set."""

from pathlib import Path

from aelle.data import load_prepared
from aelle.lyapunov import SpectrumOptions
from aelle.lyapunov.population import population_spectra
from aelle.models import load_checkpoint, spectrum_start
from aelle.models.training import progress_bar
from aelle.runtime import job_logging, resolve_device

w = snakemake.wildcards
spec = snakemake.params.spectrum
with job_logging(snakemake.log[0], snakemake.threads) as log:
    data = load_prepared(Path(snakemake.input.data))
    warmup, measure = data.lyapunov_inputs(
        w.input_set, spec["sequences"], spec["warmup_steps"], spec["steps"], snakemake.params.seed
    )
    checkpoint = load_checkpoint(Path(snakemake.input.checkpoints) / f"epoch{w.epoch}.pt")
    warmup, h0 = spectrum_start(checkpoint, warmup)
    with progress_bar(spec["steps"], f"spectra {w.arch}_h{w.size} e{w.epoch}", True) as bar:
        table = population_spectra(
            checkpoint,
            measure,
            warmup_inputs=warmup,
            h0=h0,
            input_set=w.input_set,
            options=SpectrumOptions.from_config(snakemake.config, w.task),
            device=resolve_device(snakemake.params.device),
            progress=bar.update,
        )
    table.to_parquet(snakemake.output[0], index=False)
    log.info(
        "spectra of %d networks; status counts %s",
        len(table),
        table.groupby("status").size().to_dict(),
    )
