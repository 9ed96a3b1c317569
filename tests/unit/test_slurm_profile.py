"""A run on the SLURM profile stops before any submission while the profile still holds a
placeholder partition or account, and names the profile key; filled in, it plans the jobs.

Each case is a Snakemake dry run with the SLURM executor plugin (no cluster needed: the
check runs when the Snakefile is parsed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
PROFILE = REPO / "profiles/slurm/config.yaml"
# Placeholder -> a value a cluster might have.
FILLED = {"your_gpu_partition": "gpu", "your_partition": "cpu", "your_account": "lab"}


def dry_run(profile: Path) -> subprocess.CompletedProcess[str]:
    """`snakemake -n data` on the tiny config with ``profile`` and no workflow profile."""
    command = [str(SNAKEMAKE), "data", "-n", "--quiet", "rules"]
    command += ["--profile", str(profile), "--workflow-profile", "none"]
    command += ["--configfile", "tests/config/tiny.yaml"]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)


def profile_with(tmp_path: Path, keep: str | None) -> Path:
    """A copy of profiles/slurm with every placeholder but ``keep`` filled in."""
    text = PROFILE.read_text(encoding="utf-8")
    for placeholder, value in FILLED.items():
        if placeholder != keep:
            text = text.replace(placeholder, value)
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def assert_refused(proc: subprocess.CompletedProcess[str], key: str, value: str) -> None:
    """The dry run stopped before planning any job, naming ``key`` and its ``value``."""
    log = proc.stdout + proc.stderr  # Snakemake logs errors to stdout
    assert proc.returncode != 0
    assert f"SLURM profile key '{key}' is still the placeholder '{value}'" in log
    assert "prepare_data" not in log


def test_shipped_profile_names_its_first_placeholder() -> None:
    proc = dry_run(PROFILE.parent)
    assert_refused(proc, "default-resources: slurm_partition", "your_partition")


def test_placeholder_in_set_resources_is_named(tmp_path: Path) -> None:
    proc = dry_run(profile_with(tmp_path, keep="your_gpu_partition"))
    assert_refused(proc, "set-resources: train_shard: slurm_partition", "your_gpu_partition")


def test_filled_in_profile_plans_the_jobs(tmp_path: Path) -> None:
    proc = dry_run(profile_with(tmp_path, keep=None))
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "prepare_data" in proc.stdout
