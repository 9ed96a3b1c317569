"""tools/gpu-check.sh calls the benchmarks with options they accept.

The script runs only where a GPU is lent, so an option a benchmark drops would otherwise
fail there first (it once passed ``--smnist-k``, which the training benchmark no longer had).
"""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def benchmark_calls() -> list[tuple[str, list[str]]]:
    """(benchmark file, its arguments) for every benchmark the script runs."""
    script = (ROOT / "tools/gpu-check.sh").read_text().replace("\\\n", " ")
    calls = []
    for line in script.splitlines():
        found = re.search(r"(benchmarks/\w+\.py)(.*)", line)
        if found:
            words = shlex.split(found.group(2).split("|")[0])
            calls.append((found.group(1), [w for w in words if not w.startswith("2>")]))
    return calls


def test_the_script_runs_both_benchmarks():
    assert {path for path, _ in benchmark_calls()} == {
        "benchmarks/training.py",
        "benchmarks/lyapunov.py",
    }


@pytest.mark.parametrize(("path", "arguments"), benchmark_calls())
def test_benchmark_accepts_the_scripts_options(path, arguments):
    spec = importlib.util.spec_from_file_location(Path(path).stem, ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.argument_parser().parse_args(arguments).device == "cuda"
