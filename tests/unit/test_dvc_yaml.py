"""dvc.yaml stays in step with the Snakemake workflow: one stage per phase target rule, whose
command runs that target, whose dependencies exist, whose params exist in config/config.yaml,
and whose outputs hold exactly the files the phase's jobs write."""

import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PHASES = ["data", "train", "spectra", "aelle", "figures"]
# The phase (dvc.yaml stage) each rule file belongs to.
RULE_FILES = {
    "data.smk": "data",
    "train.smk": "train",
    "lyapunov.smk": "spectra",
    "aelle.smk": "aelle",
    "figures.smk": "figures",
}
RULE = re.compile(r"^rule\s+(\w+)\s*:", re.MULTILINE)
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


@pytest.fixture(scope="module")
def stages() -> dict:
    return yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]


def stage_outputs(stage: dict) -> list[str]:
    """Paths of a stage's outs and metrics."""
    return [
        next(iter(o)) if isinstance(o, dict) else o
        for key in ("outs", "metrics")
        for o in stage.get(key, [])
    ]


def test_one_stage_per_phase_running_its_target(stages: dict) -> None:
    assert list(stages) == PHASES
    for phase, stage in stages.items():
        assert stage["cmd"] == f"snakemake --configfile config/config.yaml --cores all {phase}"


def rule_phases() -> dict[str, str]:
    """Phase of every rule, from the rule file that defines it."""
    return {
        name: phase
        for f, phase in RULE_FILES.items()
        for name in RULE.findall((REPO / "workflow/rules" / f).read_text())
    }


def test_each_phase_target_rule_is_in_its_rule_file() -> None:
    phases = rule_phases()
    assert {phase: phases.get(phase) for phase in PHASES} == {p: p for p in PHASES}


def test_dependencies_exist(stages: dict) -> None:
    outputs = {out for stage in stages.values() for out in stage_outputs(stage)}
    for name, stage in stages.items():
        for dep in stage["deps"]:
            assert dep in outputs or (REPO / dep).exists(), f"stage {name}: missing dep {dep}"


def test_params_exist_in_config(stages: dict) -> None:
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    for name, stage in stages.items():
        (params,) = stage["params"]
        assert list(params) == ["config/config.yaml"], f"stage {name}: one params file"
        for key in params["config/config.yaml"]:
            assert key in config, f"stage {name}: param {key} not in config/config.yaml"


def test_outputs_persist_and_metrics_declared(stages: dict) -> None:
    for name, stage in stages.items():
        for out in stage.get("outs", []) + stage.get("metrics", []):
            (options,) = out.values()
            assert options == {"persist": True}, f"stage {name}: {out}"
    assert stages["figures"]["metrics"] == [{"results/metrics.json": {"persist": True}}]


def dry_run_jobs() -> list[tuple[str, list[str], list[str]]]:
    """(rule, input files, output files incl. benchmark) of every job of all phase targets."""
    proc = subprocess.run(
        [
            str(SNAKEMAKE),
            "--configfile",
            "tests/config/tiny.yaml",
            "--dry-run",
            "--forceall",
            *PHASES,
            "all",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"snakemake --dry-run failed:\n{proc.stderr[-3000:]}"
    out = proc.stdout
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", out):
        match = re.match(r"(?:local)?rule (\w+):", block)
        if match:
            files = {
                key: [
                    f
                    for line in re.findall(rf"^\s+{key}: (.+)$", block, re.MULTILINE)
                    for f in line.split(", ")
                ]
                for key in ("input", "output", "benchmark")
            }
            jobs.append((match.group(1), files["input"], files["output"] + files["benchmark"]))
    return jobs


def holders(path: str, outs: list[str]) -> list[str]:
    """The entries of `outs` equal to `path` or a folder above it."""
    return [
        out
        for out in outs
        if PurePosixPath(path) == PurePosixPath(out)
        or PurePosixPath(out) in PurePosixPath(path).parents
    ]


def upstream_jobs(target: int, jobs: list[tuple[str, list[str], list[str]]]) -> set[int]:
    """Indices of the jobs that job `target` needs, directly or not."""
    producer = {f: i for i, (_, _, outputs) in enumerate(jobs) for f in outputs}
    needed, todo = set(), [target]
    while todo:
        for f in jobs[todo.pop()][1]:
            if f in producer and producer[f] not in needed:
                needed.add(producer[f])
                todo.append(producer[f])
    return needed


def test_each_stage_outputs_hold_exactly_what_its_phase_writes(stages: dict) -> None:
    outs = {name: stage_outputs(stage) for name, stage in stages.items()}
    every_out = [out for phase_outs in outs.values() for out in phase_outs]
    phases = rule_phases()
    jobs = dry_run_jobs()
    targets = {rule: i for i, (rule, _, _) in enumerate(jobs) if rule in PHASES}
    assert set(targets) == set(PHASES)
    reached = {phase: upstream_jobs(i, jobs) for phase, i in targets.items()}
    used, problems = set(), set()
    for i, (rule, _inputs, outputs) in enumerate(jobs):
        if rule == "all" or rule in PHASES:
            continue
        phase = phases[rule]
        if i not in reached[phase]:
            problems.add(f"job of rule {rule} ({outputs}) is not needed by target rule {phase}")
        for f in outputs:
            held = holders(f, every_out)
            used.update(held)
            if not held or held != holders(f, outs[phase]):
                problems.add(f"{f} (rule {rule}, phase {phase}) is under dvc.yaml outs {held}")
    problems.update(f"dvc.yaml out {out} holds no job output" for out in set(every_out) - used)
    assert not problems, "\n".join(sorted(problems))
