"""Named runs: every file a run writes sits under results/<run>/, logs/<run>/ or
data/<run>/ (config key `run`), so two runs with different configs never touch each
other's files; tools/run_name.py prints a config's run name."""

import itertools
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
from dry_run import dry_run_jobs

REPO = Path(__file__).resolve().parents[2]
# Every shipped config whose DAG plans offline (paper.yaml's unpinned hashes stop it; see
# tests/unit/test_download.py), with its run name.
RUNS = {
    "config/config.yaml": "offline",
    "config/study.yaml": "study",
    "tests/config/tiny.yaml": "tiny",
    "tests/config/micro.yaml": "micro",
    "tests/config/nano.yaml": "nano",
}
# The record rule writes into git (config key `record`, e.g. docs/study), not a run folder.
RECORD_RULE = "record"


@pytest.fixture(scope="module")
def written() -> dict[str, set[str]]:
    """Every file the forced DAG of each config writes (outputs, logs, benchmarks)."""
    return {
        config: {
            path
            for job in dry_run_jobs(REPO, config)
            if job.rule != RECORD_RULE
            for path in job.written
        }
        for config in RUNS
    }


@pytest.mark.parametrize("config", RUNS)
def test_run_name_tool_prints_the_configs_run(config: str) -> None:
    proc = subprocess.run(
        [sys.executable, "tools/run_name.py", config],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout == f"{RUNS[config]}\n"


def test_run_name_tool_names_the_file_without_a_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 1\n")
    proc = subprocess.run(
        [sys.executable, "tools/run_name.py", str(bad)], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode != 0
    assert proc.stderr.strip() == f"run_name: {bad} has no valid 'run:' key (got None)"


@pytest.mark.parametrize("config", RUNS)
def test_every_file_of_a_run_is_under_its_own_folders(
    written: dict[str, set[str]], config: str
) -> None:
    run = RUNS[config]
    folders = [PurePosixPath(top, run) for top in ("results", "logs", "data")]
    assert written[config]
    outside = {
        path
        for path in written[config]
        if not any(folder in PurePosixPath(path).parents for folder in folders)
    }
    assert not outside, sorted(outside)[:10]


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(RUNS, 2)))
def test_two_runs_write_disjoint_files(
    written: dict[str, set[str]], first: str, second: str
) -> None:
    assert not written[first] & written[second]
