"""Reading conda environment files and requirements.lock, with PyPI names for both."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

# conda-forge name -> PyPI name, where they differ.
CONDA_TO_PYPI = {
    "pytorch": "torch",
    "matplotlib-base": "matplotlib",
    "seaborn-base": "seaborn",
}


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


def env_specs(env: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, spec) of every dependency of a conda env: kind ``conda`` or ``pip``."""
    specs: list[tuple[str, str]] = []
    for dep in env.get("dependencies", []):
        if isinstance(dep, dict):
            specs += [("pip", spec) for spec in dep.get("pip", [])]
        else:
            specs.append(("conda", str(dep)))
    return specs


def pypi_name(kind: str, spec: str) -> str:
    """Normalised PyPI name of one dependency of a conda env."""
    name, _ = conda_pin(spec)
    return normalise(CONDA_TO_PYPI.get(name, name) if kind == "conda" else name)


def env_distributions(path: Path) -> set[str]:
    """Normalised PyPI names of every package the conda env file ``path`` lists."""
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {pypi_name(kind, spec) for kind, spec in env_specs(env)}
