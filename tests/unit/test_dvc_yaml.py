"""dvc.yaml stays in step with the workflow: for every named run listed under `vars: runs`
one stage per phase (`<phase>@<run>`) whose command runs that phase's target with the run's
config, whose code dependencies are exactly the files its phase reads, whose data
dependencies are exactly the upstream outputs its jobs read, whose params exist in the
run's config, and whose outputs hold exactly the files the phase's jobs write."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
import yaml
from dry_run import Job, dry_run_jobs
from dvc.dependency.param import ParamsDependency
from dvc.repo import Repo
from library_imports import library_modules

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
SHIPPED_RUNS = {
    "offline": "config/config.yaml",
    "study": "config/study.yaml",
    "paper": "config/paper.yaml",
}
# What every phase reads besides its own rule file and scripts: the helpers and config
# checks of common.smk, the schema they validate against, the environment.
COMMON = {"workflow/rules/common.smk", "workflow/schemas/config.schema.yaml"}
ENVIRONMENT = {"envs/aelle.yaml", "requirements.lock"}
RULE = re.compile(r"^rule\s+(\w+)\s*:", re.MULTILINE)
SCRIPT = re.compile(r'"\.\./scripts/(\w+\.py)"')
IMPORT_LINE = re.compile(r"^(?:from aelle[\w.]* import .+|import aelle[\w.]*)$", re.MULTILINE)
CONFIG_KEY = re.compile(r'config\["(\w+)"\]')


@dataclass(frozen=True)
class Stage:
    """One resolved dvc.yaml stage."""

    cmd: str
    deps: frozenset[str]
    params: dict[str, list[str]]
    outs: dict[str, tuple[bool, bool]]  # path: (persist, metric)


@pytest.fixture(scope="module")
def stages() -> dict[str, Stage]:
    """Every stage as DVC resolves dvc.yaml's templating (foreach over the runs)."""
    with Repo(str(REPO)) as repo:
        return {
            stage.name: Stage(
                stage.cmd,
                frozenset(d.def_path for d in stage.deps if not isinstance(d, ParamsDependency)),
                {d.def_path: list(d.params) for d in stage.deps if isinstance(d, ParamsDependency)},
                {o.def_path: (o.persist, o.metric) for o in stage.outs},
            )
            for stage in repo.index.stages
        }


@pytest.fixture(scope="module")
def runs() -> dict[str, str]:
    (entry,) = [v for v in yaml.safe_load((REPO / "dvc.yaml").read_text())["vars"] if "runs" in v]
    return entry["runs"]


def test_runs_are_the_shipped_configs_under_their_run_names(runs: dict[str, str]) -> None:
    assert runs == SHIPPED_RUNS
    for name, config in runs.items():
        assert yaml.safe_load((REPO / config).read_text())["run"] == name, config


def test_every_run_has_one_stage_per_phase_running_its_target(
    stages: dict[str, Stage], runs: dict[str, str]
) -> None:
    assert set(stages) == {f"{phase}@{run}" for phase in PHASES for run in runs}
    for run, config in runs.items():
        for phase in PHASES:
            cmd = stages[f"{phase}@{run}"].cmd
            assert cmd == f"snakemake --configfile {config} --cores all {phase}"


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


def rule_file(phase: str) -> str:
    (name,) = [f for f, p in RULE_FILES.items() if p == phase]
    return f"workflow/rules/{name}"


def code_read_by(phase: str) -> set[str]:
    """The files a phase's jobs read: its rule file and common.smk, the schema, its rules'
    scripts, every module of src/aelle those import (whole subpackages, since a subpackage's
    __init__ loads its modules), its conda env files and lock, the report captions."""
    smk = [REPO / "workflow/rules/common.smk", REPO / rule_file(phase)]
    texts = [p.read_text() for p in smk]
    scripts = {f"workflow/scripts/{s}" for text in texts[1:] for s in SCRIPT.findall(text)}
    code = "\n".join(IMPORT_LINE.findall("\n".join(texts)))
    code += "\n" + "\n".join((REPO / s).read_text() for s in scripts)
    modules = set()
    for path in library_modules(code, REPO / "src", "aelle"):
        parts = path.relative_to(REPO / "src/aelle").parts
        modules.add(f"src/aelle/{parts[0]}")  # a subpackage folder or a top-level module
    found = COMMON | {rule_file(phase)} | scripts | modules | ENVIRONMENT
    if "torch_env()" in texts[1]:
        found.add("envs/aelle-cuda.yaml")
    if '"../report/' in texts[1]:
        found.add("workflow/report")
    return found


@pytest.mark.parametrize("phase", PHASES)
def test_code_dependencies_are_exactly_what_the_phase_reads(
    stages: dict[str, Stage], runs: dict[str, str], phase: str
) -> None:
    expected = code_read_by(phase)
    assert "src/aelle" not in expected
    for run in runs:
        deps = stages[f"{phase}@{run}"].deps
        code = {d for d in deps if not d.startswith(("data/", "results/"))}
        assert code == expected, (
            f"{phase}@{run}: extra {code - expected}, missing {expected - code}"
        )
        assert all((REPO / d).exists() for d in code)


@pytest.mark.parametrize("run", list(SHIPPED_RUNS))
def test_params_are_keys_of_the_runs_config(
    stages: dict[str, Stage], runs: dict[str, str], run: str
) -> None:
    config = yaml.safe_load((REPO / runs[run]).read_text())
    for phase in PHASES:
        params = stages[f"{phase}@{run}"].params
        assert list(params) == [runs[run]], f"{phase}@{run}: params from the run's config only"
        keys = set(params[runs[run]])
        assert keys <= set(config), f"{phase}@{run}: {keys - set(config)} not in {runs[run]}"
        read = set(CONFIG_KEY.findall((REPO / rule_file(phase)).read_text())) - {"record"}
        assert read | {"tasks"} <= keys, f"{phase}@{run}: reads {read - keys} too"


def test_outputs_persist_and_metrics_declared(stages: dict[str, Stage]) -> None:
    for name, stage in stages.items():
        run = name.split("@")[1]
        assert all(persist for persist, _ in stage.outs.values()), name
        metrics = [path for path, (_, metric) in stage.outs.items() if metric]
        assert metrics == ([f"results/{run}/metrics.json"] if name.startswith("figures@") else [])


def holders(path: str, outs: list[str]) -> list[str]:
    """The entries of `outs` equal to `path` or a folder above it."""
    return [
        out
        for out in outs
        if PurePosixPath(path) == PurePosixPath(out)
        or PurePosixPath(out) in PurePosixPath(path).parents
    ]


def upstream_jobs(target: int, jobs: list[Job]) -> set[int]:
    """Indices of the jobs that job `target` needs, directly or not."""
    producer = {f: i for i, job in enumerate(jobs) for f in job.outputs + job.benchmarks}
    needed, todo = set(), [target]
    while todo:
        for f in jobs[todo.pop()].inputs:
            if f in producer and producer[f] not in needed:
                needed.add(producer[f])
                todo.append(producer[f])
    return needed


@pytest.fixture(scope="module")
def offline_jobs() -> list[Job]:
    return dry_run_jobs(REPO, SHIPPED_RUNS["offline"], (*PHASES, "all"))


@pytest.fixture(scope="module")
def offline_outs(stages: dict[str, Stage]) -> dict[str, list[str]]:
    """{phase: the outs of its offline stage}."""
    return {phase: list(stages[f"{phase}@offline"].outs) for phase in PHASES}


def test_each_stage_outputs_hold_exactly_what_its_phase_writes(
    offline_outs: dict[str, list[str]], offline_jobs: list[Job]
) -> None:
    outs = offline_outs
    every_out = [out for phase_outs in outs.values() for out in phase_outs]
    phases = rule_phases()
    targets = {job.rule: i for i, job in enumerate(offline_jobs) if job.rule in PHASES}
    assert set(targets) == set(PHASES)
    reached = {phase: upstream_jobs(i, offline_jobs) for phase, i in targets.items()}
    used, problems = set(), set()
    for i, job in enumerate(offline_jobs):
        if job.rule == "all" or job.rule in PHASES:
            continue
        phase = phases[job.rule]
        if i not in reached[phase]:
            problems.add(f"job of rule {job.rule} ({job.outputs}) is not needed by {phase}")
        for f in job.outputs + job.benchmarks:
            held = holders(f, every_out)
            used.update(held)
            if not held or held != holders(f, outs[phase]):
                problems.add(f"{f} (rule {job.rule}, phase {phase}) is under dvc.yaml outs {held}")
    problems.update(f"dvc.yaml out {out} holds no job output" for out in set(every_out) - used)
    assert not problems, "\n".join(sorted(problems))


def test_data_dependencies_are_exactly_the_upstream_outputs_read(
    stages: dict[str, Stage], offline_outs: dict[str, list[str]], offline_jobs: list[Job]
) -> None:
    outs = offline_outs
    every_out = [out for phase_outs in outs.values() for out in phase_outs]
    phases = rule_phases()
    read: dict[str, set[str]] = {phase: set() for phase in PHASES}
    for job in offline_jobs:
        if job.rule in phases:
            phase = phases[job.rule]
            for f in job.inputs:
                read[phase].update(h for h in holders(f, every_out) if h not in outs[phase])
    for phase in PHASES:
        deps = {d for d in stages[f"{phase}@offline"].deps if d.startswith(("data/", "results/"))}
        assert deps == read[phase], phase
