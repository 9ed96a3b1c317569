"""The workflow on a real single-node SLURM through profiles/slurm (issue 7).

A private SLURM (munged, slurmctld, slurmd; slurm/slurm_cluster.py) runs on this host inside
private network and mount namespaces. Snakemake runs the whole workflow (``rule all``) on
tests/config/micro.yaml with ``--profile profiles/slurm --profile <local override>``
(slurm/slurm_override.py: resources fitted to the test node, everything else from the
cluster profile). The tests prove from SLURM's own records (job completion log, scontrol)
and from each job's kept SLURM log that every job of every rule went through sbatch, that
jobs were grouped and GPU requests reached SLURM, that the outputs equal a local run's, and
that a failing job ends the run promptly with its rule and log named and a rerun resumes.
Every daemon is stopped by PID when the module ends, pass or fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import torch
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent / "slurm"))

from project import MICRO_CONFIG, REPO, copy_worktree
from slurm_cluster import SlurmCluster
from slurm_jobs import job_runs, submissions
from slurm_override import ANALYSIS_RULES, TEST_RUNTIME_MIN, TEST_THREADS, write_override

pytestmark = pytest.mark.integration

PROFILE = REPO / "profiles" / "slurm"
CPU_PROFILE = REPO / "profiles" / "slurm-cpu"
TINY_CONFIG = REPO / "tests" / "config" / "tiny.yaml"
#: The cluster run's config: the whole DAG on one task and one population (two training
#: shards, so shards group), copied over config/config.yaml of each run's checkout.
SLURM_CONFIG = MICRO_CONFIG
FAILING_SNAKEFILE = Path(__file__).resolve().parent / "slurm" / "failing" / "Snakefile"
VENV_BIN = Path(sys.executable).parent
SNAKEMAKE = str(VENV_BIN / "snakemake")
#: Phase target rules (no action; Snakemake runs them itself).
PHASE_RULES = {"all", "data", "train", "spectra", "aelle", "figures"}
#: Rules Snakemake runs itself (`localrules:`): downloads need the login node's network.
LOCAL_RULES = {"download"}
#: Rules whose jobs ask SLURM for a GPU in profiles/slurm.
GPU_RULES = {"train_shard", "spectrum_shard"}
#: Rule groups a submission of several jobs may hold: the profile's shard groups and the
#: override's analysis group (slurm/slurm_override.py).
GROUPED_RULES = ({"train_shard"}, {"spectrum_shard"}, set(ANALYSIS_RULES))
TINY_ARGS = ["--configfile", str(TINY_CONFIG.relative_to(REPO))]
#: Columns that legitimately differ between two runs (timings).
VOLATILE_COLUMNS = {"wall_s"}
WORKFLOW_TIMEOUT_S = 900
FAILURE_TIMEOUT_S = 180


def _environment() -> dict[str, str]:
    """The test's environment with the venv first on PATH; sbatch exports it to every job."""
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}


def _copy_checkout(dest: Path) -> Path:
    """The working tree copied into ``dest``, with SLURM_CONFIG as its config/config.yaml."""
    copy_worktree(dest)
    shutil.copy2(SLURM_CONFIG, dest / "config" / "config.yaml")
    return dest


@pytest.fixture(scope="module")
def slurm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlurmCluster]:
    """A started cluster for the whole module; stopped by PID afterwards, pass or fail."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("the SLURM test cluster needs Linux and root (namespaces, mounts, daemons)")
    cluster = SlurmCluster(tmp_path_factory.mktemp("slurm"))
    with cluster:
        yield cluster


def _run_slurm(
    cluster: SlurmCluster, workdir: Path, override: Path, args: list[str], timeout_s: float
) -> subprocess.CompletedProcess[str]:
    """Snakemake with the cluster profile and the local override, inside the namespaces."""
    argv = [
        SNAKEMAKE,
        *("--profile", str(PROFILE), "--profile", str(override)),
        *("--workflow-profile", "none"),
        *args,
    ]
    return subprocess.run(
        cluster.command(argv, cwd=workdir),
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def _explain(done: subprocess.CompletedProcess[str], cluster: SlurmCluster) -> str:
    return f"exit {done.returncode}\n{done.stderr[-8000:]}\n{cluster.log_tail()}"


def _minutes(limit: str) -> int:
    """SLURM's ``[D-]HH:MM:SS`` time limit in whole minutes."""
    days, _, clock = limit.rpartition("-")
    hours, minutes, _ = (int(part) for part in clock.split(":"))
    return (int(days or 0) * 24 + hours) * 60 + minutes


def _working_rules() -> set[str]:
    """The workflow's rules that SLURM runs (phase target rules and local rules aside)."""
    listed = subprocess.run(
        [SNAKEMAKE, "--list-rules", "--workflow-profile", "none", *TINY_ARGS],
        cwd=REPO,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(listed.stdout.split()) - PHASE_RULES - LOCAL_RULES


def test_profiles_name_every_workflow_rule() -> None:
    """Snakemake ignores set-resources of unknown rules silently: both cluster profiles must
    size exactly the workflow's rules that do work, and only training and spectra get GPUs."""
    working_rules = _working_rules()
    gpu_profile = yaml.safe_load((PROFILE / "config.yaml").read_text())
    cpu_profile = yaml.safe_load((CPU_PROFILE / "config.yaml").read_text())
    for profile in (gpu_profile, cpu_profile):
        assert set(profile["set-resources"]) == working_rules
        assert set(profile["set-threads"]) == working_rules
    gpu_rules = {r for r, res in gpu_profile["set-resources"].items() if res.get("gpu")}
    assert gpu_rules == GPU_RULES
    assert not any("gpu" in res for res in cpu_profile["set-resources"].values())
    assert set(gpu_profile["groups"]) <= working_rules
    assert set(cpu_profile["group-components"]) == set(gpu_profile["groups"].values())


def _assert_equal(ours: object, theirs: object, where: str) -> None:
    """Bitwise equality of nested dicts / lists of tensors, strings and numbers."""
    assert type(ours) is type(theirs), where
    if isinstance(ours, dict):
        assert ours.keys() == theirs.keys(), where
        for key in ours:
            _assert_equal(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(ours, list | tuple):
        assert len(ours) == len(theirs), where
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            _assert_equal(a, b, f"{where}[{index}]")
    elif isinstance(ours, torch.Tensor):
        assert ours.dtype == theirs.dtype and torch.equal(ours, theirs), where
    else:
        assert ours == theirs, where


def _files(root: Path, pattern: str) -> list[Path]:
    """Files under ``root`` matching ``pattern`` (hidden files aside), relative, sorted."""
    return sorted(
        p.relative_to(root) for p in root.glob(pattern) if p.is_file() and p.name[0] != "."
    )


def _assert_same_results(ours: Path, theirs: Path) -> int:
    """The results of run ``ours`` equal those of run ``theirs`` (two checkouts): every
    training and spectrum table (timing columns aside) and every checkpoint, bitwise;
    results/micro/metrics.json as JSON; the summary and figure index as text; the same figure
    files (PNG and PDF bytes carry creation metadata, so their contents are not compared).
    Returns the number of files compared."""
    compared = 0
    for pattern in ("results/micro/train/**/*.parquet", "results/micro/spectra/**/*.parquet"):
        names = _files(theirs, pattern)
        assert names and names == _files(ours, pattern), pattern
        for name in names:
            a, b = pd.read_parquet(ours / name), pd.read_parquet(theirs / name)
            keep = [c for c in b.columns if c not in VOLATILE_COLUMNS]
            pd.testing.assert_frame_equal(a[keep], b[keep], check_exact=True, obj=str(name))
        compared += len(names)
    checkpoints = _files(theirs, "results/micro/train/**/*.pt")
    assert checkpoints and checkpoints == _files(ours, "results/micro/train/**/*.pt")
    for name in checkpoints:
        a = torch.load(ours / name, weights_only=True)
        _assert_equal(a, torch.load(theirs / name, weights_only=True), str(name))
    # Parsed and written again: exact values, key order aside, NaN equal to NaN.
    metrics = [
        json.loads((run / "results/micro/metrics.json").read_text()) for run in (ours, theirs)
    ]
    assert json.dumps(metrics[0], sort_keys=True) == json.dumps(metrics[1], sort_keys=True)
    for text in ("results/micro/summary.md", "results/micro/figures/INDEX.md"):
        assert (ours / text).read_text() == (theirs / text).read_text(), text
    figures = _files(theirs, "results/micro/figures/**/*.png")
    assert figures and figures == _files(ours, "results/micro/figures/**/*.png")
    assert _files(theirs, "results/micro/figures/**/*.pdf") == _files(
        ours, "results/micro/figures/**/*.pdf"
    )
    return compared + len(checkpoints) + 3


def test_whole_workflow_runs_through_sbatch_and_matches_local_run(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    slurm_dir = _copy_checkout(tmp_path / "slurm-run")
    local_dir = _copy_checkout(tmp_path / "local-run")
    override = write_override(PROFILE, tmp_path / "override")

    # The local run overlaps the SLURM run, which mostly waits on the scheduler. Both build
    # the default target (rule all): every phase, from data to figures and the summary.
    local = subprocess.Popen(
        [SNAKEMAKE, "--cores", "2"],
        cwd=local_dir,
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        done = _run_slurm(slurm, slurm_dir, override, [], WORKFLOW_TIMEOUT_S)
        _, local_err = local.communicate(timeout=WORKFLOW_TIMEOUT_S)
    finally:
        if local.poll() is None:
            local.kill()
            local.wait()
    assert done.returncode == 0, _explain(done, slurm)
    assert local.returncode == 0, local_err[-8000:]

    # Snakemake itself ran no job that does work; every job it scheduled, of every rule ...
    runs = job_runs(done.stderr)
    assert {run.rule for run in runs if run.local} <= PHASE_RULES
    scheduled = sorted((run.rule, run.wildcards) for run in runs if not run.local)
    # (rule record copies a run's record to the config's `record` folder; tiny keeps none)
    assert {rule for rule, _ in scheduled} == _working_rules() - {"record"}
    # ... was submitted with sbatch, and SLURM recorded each submission as completed.
    submitted = submissions(done.stderr)
    records = {record["JobId"]: record for record in slurm.job_records()}
    assert {s.slurm_id for s in submitted} == set(records)
    assert {r["JobState"] for r in records.values()} == {"COMPLETED"}
    assert {r["WorkDir"] for r in records.values()} == {str(slurm_dir.resolve())}
    # Each job ran inside one of those SLURM jobs (its kept SLURM log shows it running), and
    # together they ran exactly the scheduled jobs.
    ran_in_slurm: dict[str, list[tuple[str, str]]] = {}
    for submission in submitted:
        assert submission.log.is_file(), f"SLURM log not kept: {submission.log}"
        ran_in_slurm[submission.slurm_id] = [
            (run.rule, run.wildcards) for run in job_runs(submission.log.read_text()) if run.local
        ]
    assert sorted(job for jobs in ran_in_slurm.values() for job in jobs) == scheduled
    # Training and spectrum shards went to SLURM several to a submission, one rule each, and
    # each AeLLE analysis (fit, evaluation, figures) as one submission.
    grouped = [{rule for rule, _ in jobs} for jobs in ran_in_slurm.values() if len(jobs) > 1]
    assert all(rules in grouped for rules in GROUPED_RULES), ran_in_slurm
    assert all(rules in GROUPED_RULES for rules in grouped), ran_in_slurm
    # GPU requests of training and spectra reached SLURM, one GPU per submission; a group
    # asked for its jobs' summed runtime (they share the GPU in turn) and one job's CPUs.
    for slurm_id, jobs in ran_in_slurm.items():
        wants_gpu = {rule for rule, _ in jobs} <= GPU_RULES
        details = slurm.job_details(slurm_id)
        assert (details.get("TresPerJob") == "gres:gpu:1") == wants_gpu, (jobs, details)
        assert details["NumCPUs"] == str(TEST_THREADS), details
        assert _minutes(details["TimeLimit"]) == len(jobs) * TEST_RUNTIME_MIN, (jobs, details)

    # Same seeds, same code: the cluster's results equal the local run's.
    assert _assert_same_results(slurm_dir, local_dir) > 0


def test_failing_job_stops_the_run_with_rule_and_log_then_rerun_resumes(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    workdir = tmp_path / "failing"
    workdir.mkdir()
    override = write_override(PROFILE, tmp_path / "override")
    args = ["--snakefile", str(FAILING_SNAKEFILE)]
    before = {record["JobId"] for record in slurm.job_records()}

    start = time.monotonic()
    failed = _run_slurm(slurm, workdir, override, args, FAILURE_TIMEOUT_S)
    elapsed = time.monotonic() - start
    assert failed.returncode != 0, failed.stderr[-4000:]
    assert elapsed < FAILURE_TIMEOUT_S
    assert "Error in rule train_shard" in failed.stderr, failed.stderr[-4000:]
    assert "logs/train/shard1.log" in failed.stderr
    assert "injected failure" in (workdir / "logs/train/shard1.log").read_text()
    first = {r["JobId"]: r for r in slurm.job_records() if r["JobId"] not in before}
    assert "FAILED" in {r["JobState"] for r in first.values()}, first
    # The failed SLURM job's log is kept and named in the error report.
    failed_logs = [
        s.log for s in submissions(failed.stderr) if first[s.slurm_id]["JobState"] == "FAILED"
    ]
    assert failed_logs and all(log.is_file() for log in failed_logs)
    assert all(str(log) in failed.stderr for log in failed_logs), failed.stderr[-4000:]

    (workdir / "healed").touch()
    rerun = _run_slurm(slurm, workdir, override, args, FAILURE_TIMEOUT_S)
    assert rerun.returncode == 0, _explain(rerun, slurm)
    redone = {(run.rule, run.wildcards) for run in job_runs(rerun.stderr) if not run.local}
    # The failed shard and what depends on it ran again (shard 0 too if its group stopped
    # before reaching it); the finished data step did not.
    assert {("train_shard", "shard=1"), ("summary", "")} <= redone, rerun.stderr[-4000:]
    assert redone <= {("train_shard", "shard=0"), ("train_shard", "shard=1"), ("summary", "")}
    assert (workdir / "results/summary.txt").read_text() == "trained shard 0\ntrained shard 1\n"
