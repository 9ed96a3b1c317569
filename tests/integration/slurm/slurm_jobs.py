"""Read what Snakemake and its SLURM executor printed: which jobs ran where, under which
SLURM job id and log. Pure text parsing; the tests combine it with SLURM's own records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_SUBMITTED = re.compile(r"^Job (\S+) has been submitted with SLURM jobid (\d+) \(log: (.+)\)\.$")
_JOB_HEADER = re.compile(r"^(\s*)(rule|localrule) (\w+):$")


@dataclass(frozen=True)
class Submission:
    """One sbatch call: the SLURM job id and the job's SLURM log file."""

    slurm_id: str
    log: Path


@dataclass(frozen=True)
class JobRun:
    """One job header printed by Snakemake: ``local`` for ``localrule``, the rule name, its
    wildcards as printed (``""`` when the rule has none) and its output paths."""

    local: bool
    rule: str
    wildcards: str
    outputs: tuple[str, ...] = ()


def submissions(output: str) -> list[Submission]:
    """Every ``Job ... has been submitted with SLURM jobid N (log: PATH).`` line, in order."""
    found = []
    for line in output.splitlines():
        match = _SUBMITTED.match(line.strip())
        if match:
            found.append(Submission(slurm_id=match.group(2), log=Path(match.group(3))))
    return found


def job_runs(output: str) -> list[JobRun]:
    """Every job start: a ``rule NAME:`` / ``localrule NAME:`` header whose block (the lines
    indented deeper than the header) has a ``reason:`` line, with the block's ``wildcards:``
    and ``output:`` values, in order; group members included, the job lists of error reports
    (no ``reason:``) left out. Works on run logs and on ``--dry-run`` output."""
    lines = output.splitlines()
    runs = []
    for number, line in enumerate(lines):
        header = _JOB_HEADER.match(line)
        if not header:
            continue
        indent = len(header.group(1))
        fields = {}
        for body in lines[number + 1 :]:
            stripped = body.lstrip()
            if not stripped or len(body) - len(stripped) <= indent:
                break
            key, sep, value = stripped.partition(": ")
            if sep:
                fields.setdefault(key, value)
        if "reason" not in fields:
            continue
        outputs = tuple(filter(None, fields.get("output", "").split(", ")))
        runs.append(
            JobRun(
                header.group(2) == "localrule",
                header.group(3),
                fields.get("wildcards", ""),
                outputs,
            )
        )
    return runs
