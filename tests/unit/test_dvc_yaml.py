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
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


@pytest.fixture(scope="module")
def stages() -> dict:
    return yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]


def stage_outputs(stage: dict) -> list[str]:
    """Paths of a stage's outs and metrics."""
    return [next(iter(o)) if isinstance(o, dict) else o
            for key in ("outs", "metrics") for o in stage.get(key, [])]


def test_one_stage_per_phase_running_its_target(stages: dict) -> None:
    assert list(stages) == PHASES
    for phase, stage in stages.items():
        targets = "figures all" if phase == "figures" else phase
        assert stage["cmd"] == f"snakemake --cores all --configfile config/config.yaml {targets}"


def test_phase_target_rules_exist() -> None:
    rules = {name for f in [REPO / "Snakefile", *(REPO / "workflow/rules").glob("*.smk")]
             for name in re.findall(r"^rule\s+(\w+)\s*:", f.read_text(), re.MULTILINE)}
    assert set(PHASES) <= rules


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
    assert stage_outputs(stages["figures"])[-1] == "results/metrics.json"


def dry_run_jobs() -> list[tuple[str, list[str], list[str]]]:
    """(rule, input files, output files incl. benchmark) of every job of all phase targets."""
    out = subprocess.run(
        [str(SNAKEMAKE), "--dry-run", "--forceall", "--configfile", "tests/config/tiny.yaml",
         *PHASES, "all"], cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", out):
        match = re.match(r"(?:local)?rule (\w+):", block)
        if match:
            files = {key: [f for line in re.findall(rf"^\s+{key}: (.+)$", block, re.MULTILINE)
                           for f in line.split(", ")]
                     for key in ("input", "output", "benchmark")}
            jobs.append((match.group(1), files["input"], files["output"] + files["benchmark"]))
    return jobs


def holders(path: str, outs: list[str]) -> list[str]:
    """The entries of `outs` equal to `path` or a folder above it."""
    return [out for out in outs
            if PurePosixPath(path) == PurePosixPath(out)
            or PurePosixPath(out) in PurePosixPath(path).parents]


def test_stage_outputs_hold_every_file_the_workflow_writes(stages: dict) -> None:
    outs = {name: stage_outputs(stage) for name, stage in stages.items()}
    every_out = [out for phase_outs in outs.values() for out in phase_outs]
    jobs = dry_run_jobs()
    assert {rule for rule, _, _ in jobs} >= set(PHASES)
    used = set()
    for rule, inputs, outputs in jobs:
        for f in outputs:
            held = holders(f, every_out)
            assert len(held) == 1, f"{f} (rule {rule}) is under {held or 'no'} dvc.yaml out"
            used.add(held[0])
        if rule in PHASES:
            for f in inputs:
                assert holders(f, outs[rule]), f"target {f} of rule {rule} not in stage {rule}"
    assert used == set(every_out), f"dvc.yaml outs no job writes: {set(every_out) - used}"
