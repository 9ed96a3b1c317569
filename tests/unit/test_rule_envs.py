"""Each rule's conda env lists every third-party package its script imports, directly or
through the library, and the rules that run torch on config `device` get the CUDA env
for cuda and auto. Checked without conda: the rules come from Snakemake's parsed workflow
(tests/workflow_rules.py), the imports from the source (tests/library_imports.py)."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest
from condaenv import env_distributions, pypi_name
from library_imports import distributions, third_party_modules
from workflow_rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
SCRIPTS = ROOT / "workflow/scripts"
CPU_ENV, CUDA_ENV = ROOT / "envs/aelle.yaml", ROOT / "envs/aelle-cuda.yaml"
DEVICES = ["cpu", "cuda", "auto"]


@pytest.fixture(scope="module")
def rules() -> dict[str, dict[str, dict]]:
    """{config device: {rule: {conda, script, params}}} of the workflow on config/config.yaml."""
    return load_rules(ROOT, ROOT / "config/config.yaml", DEVICES)


@functools.cache
def script_distributions(script: Path) -> dict[str, set[str]]:
    """{module: distributions} of the third-party modules ``script`` needs through aelle."""
    return distributions(third_party_modules(script, SRC, "aelle"))


def missing_packages(rules: dict[str, dict], envs: Path) -> list[str]:
    """One line per (rule, module) whose script imports ``module`` while the rule's env
    file (looked up in folder ``envs``) lists none of the distributions that provide it."""
    problems = []
    for name, rule in sorted(rules.items()):
        if rule["script"] is None:
            continue
        if rule["conda"] is None:
            problems.append(f"rule {name}: runs {rule['script']} without a conda env")
            continue
        env = envs / Path(rule["conda"]).name
        listed = env_distributions(env)
        for module, dists in sorted(script_distributions(Path(rule["script"])).items()):
            if not dists & listed:
                problems.append(
                    f"rule {name}: {Path(rule['script']).name} imports {module} "
                    f"({', '.join(sorted(dists))}), not listed in {env.name}"
                )
    return problems


@pytest.mark.parametrize("device", DEVICES)
def test_each_rule_env_lists_what_its_script_imports(rules, device) -> None:
    assert missing_packages(rules[device], ROOT / "envs") == []


def test_rule_scripts_and_envs_are_where_the_checks_look(rules) -> None:
    """The scripts the drop-a-package cases start from are the rules' scripts, and every env
    file the check reads is in envs/."""
    scripts = {Path(r["script"]) for r in rules["cpu"].values() if r["script"]}
    assert scripts and scripts <= set(SCRIPTS.glob("*.py"))
    envs = {Path(r["conda"]).parent for d in DEVICES for r in rules[d].values() if r["conda"]}
    assert envs == {ROOT / "envs"}


def test_torch_rules_use_the_cuda_env_for_cuda_and_auto(rules) -> None:
    """cpu: every rule in the CPU env. cuda and auto: the same non-empty set of rules in the
    CUDA env, among them every rule that passes config `device` to its script."""
    assert {r["conda"] for r in rules["cpu"].values() if r["conda"]} == {str(CPU_ENV)}
    on_gpu = {
        device: {n for n, r in rules[device].items() if r["conda"] == str(CUDA_ENV)}
        for device in ("cuda", "auto")
    }
    passes_device = {n for n, r in rules["cuda"].items() if "device" in r["params"]}
    assert passes_device, "no rule passes config `device` to its script"
    assert passes_device <= on_gpu["cuda"] == on_gpu["auto"]


def imported_by_scripts() -> list[str]:
    """Distributions that some workflow script imports through the library (collection
    time, from the source alone)."""
    return sorted(
        {d for s in SCRIPTS.glob("*.py") for ds in script_distributions(s).values() for d in ds}
    )


def lists(line: str, dist: str) -> bool:
    """Whether a line of an env file is the dependency ``dist`` (a normalised PyPI name)."""
    spec = line.strip().removeprefix("- ")
    return line.lstrip().startswith("- ") and pypi_name("conda", spec) == dist


@pytest.mark.parametrize("dist", imported_by_scripts())
def test_check_fails_when_a_package_is_dropped_from_the_envs(rules, dist, tmp_path) -> None:
    """Copies of envs/ without ``dist``: the check names ``dist`` for some rule."""
    shutil.copytree(ROOT / "envs", tmp_path, dirs_exist_ok=True)
    removed = 0
    for env in tmp_path.glob("*.yaml"):
        lines = env.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not lists(line, dist)]
        removed += len(lines) - len(kept)
        env.write_text("".join(kept), encoding="utf-8")
    assert removed >= 1, f"{dist} is in no env file"
    problems = missing_packages(rules["cuda"], tmp_path)
    assert problems and all(", not listed in" in p and dist in p for p in problems), problems


def test_imports_are_followed_through_the_library(tmp_path) -> None:
    """Known answer on a made-up library: package __init__ files, submodules named in
    ``from`` imports, relative imports, imports inside functions and a Parquet call count;
    so do a helper module next to the script; stdlib modules and library modules the script
    never reaches do not."""
    files = {
        "lib/__init__.py": "import json\n",
        "lib/a/__init__.py": "import yaml\n",
        "lib/a/b.py": "from . import c\nfrom .. import d\n",
        "lib/a/c.py": "def f():\n    import scipy.linalg\n",
        "lib/d.py": "import pandas as pd\n\ndef g(t):\n    return pd.read_parquet(t)\n",
        "lib/unused.py": "import requests\n",
        "script.py": "from lib.a import b\nimport numpy as np\nimport helper\n",
        "helper.py": "import torch\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    found = third_party_modules(tmp_path / "script.py", tmp_path, "lib")
    assert found == {"yaml", "scipy", "pandas", "pyarrow", "numpy", "torch"}
