"""Static import analysis: the third-party packages a script needs through this library.

A script's imports are followed through every module of the library it imports (with
the packages above each module, whose ``__init__`` runs first), reading source with
`ast` only, so nothing is imported. Every ``import`` statement counts, including those
inside functions, since any of them may run. Packages that a library loads by itself
count too where a call names them: pandas' Parquet functions import pyarrow (ENGINES).
"""

from __future__ import annotations

import ast
import functools
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

from condaenv import normalise

# Method names whose call makes a third-party library import another package by itself.
ENGINES = {"read_parquet": "pyarrow", "to_parquet": "pyarrow"}


def module_path(src: Path, module: str) -> Path | None:
    """Source file of ``module`` (dotted name) under ``src``, or None if it is not there."""
    base = src.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imported_names(tree: ast.AST, package: str) -> set[str]:
    """Dotted names of every module an ``import``/``from`` statement (or an ENGINES call) of
    ``tree`` may load; ``from a import b`` gives both ``a`` and ``a.b`` (``b`` may be a
    submodule), and relative imports are resolved against ``package``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".") if node.level else []
            base = ".".join([*parts[: len(parts) - node.level + 1], node.module or ""]).strip(".")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Attribute) and node.attr in ENGINES:
            names.add(ENGINES[node.attr])
    return names


def third_party_modules(entry: Path, src: Path, library: str) -> set[str]:
    """Top-level names of the non-stdlib modules imported by ``entry`` (a script or a
    library module) and, transitively, by the modules of ``library`` under ``src`` and the
    modules next to ``entry`` (a script's helpers) that it imports."""
    found: set[str] = set()
    seen: set[Path] = set()
    queue = [(entry, "")]
    while queue:
        path, package = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imported_names(ast.parse(path.read_text(encoding="utf-8")), package):
            parts = name.split(".")
            root = src if parts[0] == library else entry.parent
            if parts[0] != library and module_path(root, parts[0]) is None:
                found.add(parts[0])
                continue
            for depth in range(1, len(parts) + 1):
                module = ".".join(parts[:depth])
                if found_path := module_path(root, module):
                    is_package = found_path.name == "__init__.py"
                    queue.append((found_path, module if is_package else module.rpartition(".")[0]))
    return {n for n in found if n and n not in sys.stdlib_module_names and n != "__future__"}


@functools.cache
def installed_distributions() -> dict[str, list[str]]:
    """{top-level module: distributions} of this environment (slow to scan: cached)."""
    return packages_distributions()


def distributions(modules: set[str]) -> dict[str, set[str]]:
    """{module: normalised names of the distributions that install it}; a module that no
    installed distribution provides stands for a distribution of its own name."""
    installed = installed_distributions()
    return {m: {normalise(d) for d in installed.get(m, [m])} for m in modules}


def library_modules(code: str, src: Path, library: str) -> set[Path]:
    """Source files of every module of ``library`` under ``src`` that ``code`` (Python
    source, or the import lines of a Snakemake file) imports, transitively, with the
    ``__init__`` of each package above them."""
    found: set[Path] = set()
    queue = [(ast.parse(code), "")]
    while queue:
        tree, package = queue.pop()
        for name in imported_names(tree, package):
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):
                module = ".".join(parts[:depth])
                path = module_path(src, module) if parts[0] == library else None
                if path is not None and path not in found:
                    found.add(path)
                    is_package = path.name == "__init__.py"
                    inner = module if is_package else module.rpartition(".")[0]
                    queue.append((ast.parse(path.read_text(encoding="utf-8")), inner))
    return found
