"""Test-wide settings and the one tiny workflow run that the workflow, DVC and SLURM tests
share (made at most once per test session, only when a test asks for it)."""

from pathlib import Path

import pytest
import torch
from project import checkout_with_config, run

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout (git repository) that has run `make run` on the tiny configuration; what
    the command printed is in its `logs/make-run.out`."""
    checkout = checkout_with_config(tmp_path_factory.mktemp("tiny") / "producer")
    proc = run(["make", "run"], checkout)
    # What `make run` printed, for the test that it prints no Python warnings.
    (checkout / "logs/make-run.out").write_text(proc.stdout + proc.stderr)
    return checkout
