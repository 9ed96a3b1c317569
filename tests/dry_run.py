"""The jobs of a Snakemake dry run as data: rule, inputs, outputs, logs and benchmark of
each, parsed from what `snakemake --dry-run` prints, for tests that inspect the DAG without
running it."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from project import run

SNAKEMAKE = Path(sys.executable).parent / "snakemake"
TIMEOUT_S = 300
JOB_START = re.compile(r"\n(?=(?:local)?rule \w+:)")


@dataclass(frozen=True)
class Job:
    """One job of a dry run; file lists in the order Snakemake prints them."""

    rule: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    logs: tuple[str, ...]
    benchmarks: tuple[str, ...]

    @property
    def written(self) -> tuple[str, ...]:
        """Every file the job writes: outputs, logs and benchmark."""
        return self.outputs + self.logs + self.benchmarks


def field(block: str, key: str) -> tuple[str, ...]:
    """The comma-separated files of a job's ``key:`` line(s)."""
    lines = re.findall(rf"^\s+{key}: (.+)$", block, re.MULTILINE)
    return tuple(f for line in lines for f in line.split(", "))


def dry_run(root: Path, configfile: str | Path, targets: tuple[str, ...] = ()) -> str:
    """What `snakemake --dry-run --forceall` prints for ``targets`` (default: the default
    target) with ``configfile`` in ``root``; raises with its stderr when it fails."""
    args = [str(SNAKEMAKE), "--configfile", str(configfile), "--dry-run", "--forceall"]
    return run([*args, *targets], root, timeout=TIMEOUT_S).stdout


def dry_run_jobs(root: Path, configfile: str | Path, targets: tuple[str, ...] = ()) -> list[Job]:
    """Every job of a forced dry run of ``targets`` with ``configfile`` in ``root``."""
    jobs = []
    for block in JOB_START.split(dry_run(root, configfile, targets)):
        match = re.match(r"(?:local)?rule (\w+):", block)
        if match:
            jobs.append(
                Job(
                    match.group(1),
                    field(block, "input"),
                    field(block, "output"),
                    field(block, "log"),
                    field(block, "benchmark"),
                )
            )
    return jobs
