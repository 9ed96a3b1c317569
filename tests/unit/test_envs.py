"""The conda environments of the rules pin exactly the versions of requirements.lock, and
the CUDA env is the CPU env with another build of pytorch."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from condaenv import CONDA_TO_PYPI, conda_pin, env_specs, normalise, pypi_name, read_lock
from library_imports import distributions, imported_names

ROOT = Path(__file__).resolve().parents[2]
ENVS = sorted((ROOT / "envs").glob("*.yaml"))
CPU_ENV, CUDA_ENV = ROOT / "envs/aelle.yaml", ROOT / "envs/aelle-cuda.yaml"
# Packages of the environment itself rather than of requirements.lock.
NOT_IN_LOCK = {"python", "pip"}
# conda-forge metapackages that choose a build of another package; pinned, not on PyPI.
BUILD_SELECTORS = {"cuda-version"}
PYTHON = "3.11"


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def env_pin_problems(env: dict[str, Any], lock: dict[str, str]) -> list[str]:
    """Every dependency of a conda env whose pin differs from the lock, named with both
    versions; unpinned dependencies and ones absent from the lock are problems too."""
    problems = []
    for kind, spec in env_specs(env):
        name, version = conda_pin(spec)
        pypi = pypi_name(kind, spec)
        if name in NOT_IN_LOCK:
            continue
        if version is None:
            problems.append(f"{name}: not pinned to one version ({spec!r})")
        elif name in BUILD_SELECTORS:
            continue
        elif pypi not in lock:
            problems.append(f"{name}: {version} pinned but {pypi} is not in requirements.lock")
        elif lock[pypi] != version:
            problems.append(f"{name}: env pins {version}, requirements.lock pins {lock[pypi]}")
    return problems


def torch_build(env: dict[str, Any]) -> str:
    """Build string pattern of the env's pytorch pin (``cpu_*``, ``cuda*``)."""
    (spec,) = [s for _, s in env_specs(env) if conda_pin(s)[0] == "pytorch"]
    return spec.split("=")[2]


def test_there_is_a_cpu_and_a_cuda_env_for_the_library() -> None:
    assert {CPU_ENV, CUDA_ENV} <= set(ENVS)


@pytest.mark.parametrize("path", ENVS, ids=lambda p: p.name)
def test_env_pins_equal_requirements_lock(path: Path) -> None:
    lock = read_lock((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    assert env_pin_problems(load(path), lock) == [], path.name


@pytest.mark.parametrize("path", ENVS, ids=lambda p: p.name)
def test_env_uses_conda_forge_only_and_python_311(path: Path) -> None:
    env = load(path)
    assert env["channels"] == ["conda-forge", "nodefaults"]
    assert f"python={PYTHON}" in env["dependencies"]


def test_cpu_env_takes_a_cpu_build_and_cuda_env_a_cuda_build_of_pytorch() -> None:
    assert torch_build(load(CPU_ENV)).startswith("cpu")
    assert torch_build(load(CUDA_ENV)).startswith("cuda")
    assert "cuda-version=12.9" in load(CUDA_ENV)["dependencies"]


def test_cuda_env_equals_cpu_env_apart_from_the_torch_build() -> None:
    """Same packages and versions in the same order; only pytorch's build string and the
    CUDA version selector differ, so a package added to one env must go to the other."""

    def without_build(env: dict[str, Any]) -> list[str]:
        return [
            spec.rsplit("=", 1)[0] if conda_pin(spec)[0] == "pytorch" else spec
            for _, spec in env_specs(env)
            if conda_pin(spec)[0] not in BUILD_SELECTORS
        ]

    assert without_build(load(CUDA_ENV)) == without_build(load(CPU_ENV))


def package(path: Path) -> str:
    """Dotted name of the package that holds the module at ``path`` under src/."""
    return ".".join(path.relative_to(ROOT / "src").parent.parts)


def test_library_env_covers_every_third_party_import() -> None:
    pinned = {pypi_name(kind, spec) for kind, spec in env_specs(load(CPU_ENV))}
    library = ROOT / "src/aelle"
    names = set().union(
        *(
            imported_names(ast.parse(p.read_text(encoding="utf-8")), package(p))
            for p in library.rglob("*.py")
        )
    )
    modules = (
        {n.split(".")[0] for n in names} - set(sys.stdlib_module_names) - {"aelle", "__future__"}
    )
    for module, dists in distributions(modules).items():
        assert dists & pinned, f"src/aelle imports {module} ({sorted(dists)}), not in {CPU_ENV}"


def test_checker_names_package_and_both_versions() -> None:
    lock = read_lock("numpy==2.4.6\ntorch==2.13.0\nPyYAML==6.0.4\n")
    env = {
        "dependencies": [
            "python=3.11",
            "numpy=2.4.5",
            "pytorch=2.13.0=cpu_*",
            "cuda-version=12.9",
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
    env = {"dependencies": ["numpy>=2", "scipy", "requests=2.0", "cuda-version"]}
    assert env_pin_problems(env, lock) == [
        "numpy>=2: not pinned to one version ('numpy>=2')",
        "scipy: not pinned to one version ('scipy')",
        "requests: 2.0 pinned but requests is not in requirements.lock",
        "cuda-version: not pinned to one version ('cuda-version')",
    ]


def test_conda_names_map_to_pypi_names() -> None:
    assert {pypi_name("conda", f"{c}=1") for c in CONDA_TO_PYPI} == set(CONDA_TO_PYPI.values())
    assert normalise("PyYAML") == pypi_name("pip", "pyyaml==6.0.4") == "pyyaml"
