"""The conda environments of the rules pin exactly the versions of requirements.lock."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ENVS = sorted((ROOT / "envs").glob("*.yaml"))
# conda-forge name -> PyPI name, where they differ.
CONDA_TO_PYPI = {
    "pytorch": "torch",
    "matplotlib-base": "matplotlib",
    "seaborn-base": "seaborn",
}
# Packages of the environment itself rather than of requirements.lock.
NOT_IN_LOCK = {"python", "pip"}
PYTHON = "3.11"


def normalise(name: str) -> str:
    """PEP 503 name: lower case, runs of -_. as one dash."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(text: str) -> dict[str, str]:
    """``name==version`` lines of a lock file → {normalised name: version}."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            if not sep:
                raise ValueError(f"requirements.lock: {line!r} is not pinned with ==")
            pins[normalise(name.split("[")[0])] = version.strip()
    return pins


def conda_pin(spec: str) -> tuple[str, str | None]:
    """``name=version[=build]`` or ``name==version`` → (name, version); None if unpinned."""
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(?:==?([^=\s]+)(?:=\S+)?)?", spec.strip())
    if not match:
        return spec.strip(), None
    return match.group(1), match.group(2)


def env_pin_problems(env: dict[str, Any], lock: dict[str, str]) -> list[str]:
    """Every dependency of a conda env whose pin differs from the lock, named with both
    versions; unpinned dependencies and ones absent from the lock are problems too."""
    problems = []
    specs: list[tuple[str, str]] = []
    for dep in env.get("dependencies", []):
        if isinstance(dep, dict):
            specs += [("pip", spec) for spec in dep.get("pip", [])]
        else:
            specs.append(("conda", str(dep)))
    for kind, spec in specs:
        name, version = conda_pin(spec)
        pypi = normalise(CONDA_TO_PYPI.get(name, name) if kind == "conda" else name)
        if name in NOT_IN_LOCK:
            continue
        if version is None:
            problems.append(f"{name}: not pinned to one version ({spec!r})")
        elif pypi not in lock:
            problems.append(f"{name}: {version} pinned but {pypi} is not in requirements.lock")
        elif lock[pypi] != version:
            problems.append(f"{name}: env pins {version}, requirements.lock pins {lock[pypi]}")
    return problems


def third_party_imports(package: Path) -> set[str]:
    """Top-level names imported anywhere under ``package`` that are not stdlib or local."""
    names = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != package.name}


def test_there_is_an_env_for_the_library() -> None:
    assert ROOT / "envs/aelle.yaml" in ENVS


@pytest.mark.parametrize("path", ENVS, ids=lambda p: p.name)
def test_env_pins_equal_requirements_lock(path: Path) -> None:
    lock = read_lock((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert env_pin_problems(env, lock) == [], path.name


@pytest.mark.parametrize("path", ENVS, ids=lambda p: p.name)
def test_env_uses_conda_forge_only_and_python_311(path: Path) -> None:
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge", "nodefaults"]
    assert f"python={PYTHON}" in env["dependencies"]


def test_library_env_covers_every_third_party_import() -> None:
    env = yaml.safe_load((ROOT / "envs/aelle.yaml").read_text(encoding="utf-8"))
    pinned = {
        normalise(CONDA_TO_PYPI.get(name, name))
        for name, _ in map(conda_pin, (d for d in env["dependencies"] if isinstance(d, str)))
    }
    distributions = packages_distributions()
    for module in third_party_imports(ROOT / "src/aelle"):
        dists = {normalise(d) for d in distributions.get(module, [module])}
        assert dists & pinned, (
            f"src/aelle imports {module} ({sorted(dists)}), not in envs/aelle.yaml"
        )


def test_checker_names_package_and_both_versions() -> None:
    lock = read_lock("numpy==2.4.6\ntorch==2.13.0\nPyYAML==6.0.4\n")
    env = {
        "dependencies": [
            "python=3.11",
            "numpy=2.4.5",
            "pytorch=2.13.0=cpu_*",
            "pyyaml=6.0.4",
            {"pip": ["torch==2.12.0"]},
        ]
    }
    assert env_pin_problems(env, lock) == [
        "numpy: env pins 2.4.5, requirements.lock pins 2.4.6",
        "torch: env pins 2.12.0, requirements.lock pins 2.13.0",
    ]


def test_checker_flags_unpinned_and_unlocked_packages() -> None:
    lock = read_lock("numpy==2.4.6\n")
    env = {"dependencies": ["numpy>=2", "scipy", "requests=2.0"]}
    assert env_pin_problems(env, lock) == [
        "numpy>=2: not pinned to one version ('numpy>=2')",
        "scipy: not pinned to one version ('scipy')",
        "requests: 2.0 pinned but requests is not in requirements.lock",
    ]
