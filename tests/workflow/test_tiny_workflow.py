"""The whole DAG on the tiny configuration: every output exists and is valid, the report
builds, a killed run resumes without recomputing finished shards, and spectra are
reproducible from scratch."""

import base64
import json
import math
import os
import signal
import subprocess
import time
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest
from project import checkout_with_config, command_env, run

from aelle.plots import FAMILIES

pytestmark = pytest.mark.workflow


def finite_numbers(value, where="metrics"):
    """Yield (path, number) for every number in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from finite_numbers(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from finite_numbers(item, f"{where}[{i}]")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield where, value


def test_nothing_left_to_do(tiny_run):
    proc = run(["snakemake", "-n"], tiny_run)
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_every_figure_decodes_and_every_family_is_indexed(tiny_run):
    figures = tiny_run / "results/tiny/figures"
    pngs = sorted(figures.rglob("*.png"))
    assert pngs
    for png in pngs:
        image = matplotlib.image.imread(png)
        assert image.shape[0] > 100 and image.shape[1] > 100, png
        assert png.with_suffix(".pdf").read_bytes().startswith(b"%PDF"), png
    index = (figures / "INDEX.md").read_text()
    missing = [family for family in FAMILIES if f"| {family} |" not in index]
    assert not missing, f"families without a figure: {missing}"
    assert index.count(".png)") == len(pngs)


def test_metrics_are_finite_and_summarised(tiny_run):
    metrics = json.loads((tiny_run / "results/tiny/metrics.json").read_text())
    numbers = list(finite_numbers(metrics))
    assert numbers
    bad = [(path, x) for path, x in numbers if not math.isfinite(x)]
    assert not bad, bad[:5]
    summary = (tiny_run / "results/tiny/summary.md").read_text()
    for task in ("smnist", "charrnn", "signal"):
        assert f"| {task} |" in summary


def test_tables_have_a_row_per_network_and_epoch(tiny_run):
    records = pd.concat(
        pd.read_parquet(p) for p in (tiny_run / "results/tiny/train").rglob("records.parquet")
    )
    assert not records.duplicated(["network_id", "epoch"]).any()
    # tiny: 5 smnist + 3 charrnn + 2 signal populations of 8 networks, checkpoints 0, 1, 2
    assert len(records) == (5 + 3 + 2) * 8 * 3
    spectra = pd.concat(
        pd.read_parquet(p) for p in (tiny_run / "results/tiny/spectra").rglob("*.parquet")
    )
    assert set(spectra["input_set"]) == {"val", "novel"}
    # smnist and charrnn: epochs 0, 1, 2 on val plus the final epoch on novel; signal: val only
    assert len(spectra) == (5 + 3) * 8 * 4 + 2 * 8 * 3


def test_report_builds(tiny_run):
    run(["snakemake", "--report", "results/tiny/report.html"], tiny_run)
    assert (tiny_run / "results/tiny/report.html").stat().st_size > 10_000


def marked_incomplete(checkout: Path) -> set[Path]:
    """Outputs Snakemake marked as being written when the run died (its incomplete markers:
    file names are the URL-safe base64 of the output path, split into '@'-prefixed parts)."""
    root = checkout / ".snakemake/incomplete"
    paths = set()
    for marker in root.rglob("*"):
        if marker.is_file() and not marker.name.startswith("@"):
            parts = [p.removeprefix("@") for p in marker.relative_to(root).parts]
            paths.add(checkout / base64.urlsafe_b64decode("".join(parts)).decode())
    return paths


def spectra_tables(root: Path) -> dict[str, pd.DataFrame]:
    return {
        str(p.relative_to(root)): pd.read_parquet(p)
        for p in sorted((root / "results/tiny/spectra").rglob("*.parquet"))
    }


def test_interrupted_run_resumes_without_recomputing_and_spectra_are_reproducible(
    tiny_run, tmp_path
):
    checkout = checkout_with_config(tmp_path / "resume")
    proc = subprocess.Popen(
        ["snakemake", "--cores", "2", "spectra"],
        cwd=checkout,
        env=command_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        while len(list((checkout / "results/tiny/train").rglob("records.parquet"))) < 3:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no shard finished within 10 minutes"
            time.sleep(0.5)
        time.sleep(1.0)
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: Snakemake stops its jobs and its lock
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    incomplete = marked_incomplete(checkout)
    finished = {
        p: p.stat().st_mtime_ns
        for p in (checkout / "results/tiny/train").rglob("records.parquet")
        if p not in incomplete
    }
    assert finished
    log = run(["snakemake", "--cores", "2", "spectra"], checkout).stderr
    unchanged = {p: p.stat().st_mtime_ns for p in finished}
    assert unchanged == finished, "a finished shard was trained again"
    shards = len(list((tiny_run / "results/tiny/train").rglob("records.parquet")))
    assert log.count("rule train_shard:") == shards - len(finished)
    ours, reference = spectra_tables(checkout), spectra_tables(tiny_run)
    assert ours.keys() == reference.keys()
    for name, table in ours.items():
        pd.testing.assert_frame_equal(table, reference[name], check_exact=True, obj=name)
