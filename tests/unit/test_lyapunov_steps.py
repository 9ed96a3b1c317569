"""Spectrum steps of the workflow: one job per shard, grouping-independent, known answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from aelle.data import TaskData, save_task
from aelle.lyapunov import SpectrumOptions
from aelle.lyapunov.steps import convergence, shard_spectra
from aelle.models import load_checkpoint, save_checkpoint
from aelle.models.steps import train

SPEC = {"sequences": 2, "warmup_steps": 5, "steps": 12}
OPTIONS = SpectrumOptions(state="full", qr_every=1, log_base=2.0)
PAIRS = [(0, "val"), (1, "val"), (1, "novel")]
TRAINING = {"epochs": 1, "lr": 0.01, "batch_size": 64, "checkpoints": [0, 1]}
PER_NETWORK = ("network_ids", "indices", "seeds", "p")


def subset(checkpoint: dict[str, Any], networks: slice) -> dict[str, Any]:
    """The checkpoint of networks ``networks`` only (what a smaller shard would hold)."""
    part = {k: v for k, v in checkpoint.items() if k != "format"}
    for key in PER_NETWORK:
        part[key] = checkpoint[key][networks]
    part["cell_params"] = {k: v[networks] for k, v in checkpoint["cell_params"].items()}
    part["readout"] = {k: v[networks] for k, v in checkpoint["readout"].items()}
    return part


@pytest.fixture(scope="module")
def shard(digits: TaskData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Prepared digits and one trained shard of four rnn networks (checkpoints 0 and 1)."""
    root = tmp_path_factory.mktemp("shard")
    save_task(digits, root / "smnist.pt")
    train(
        root / "smnist.pt",
        root / "all/checkpoints",
        root / "all/records.parquet",
        shard={
            "task": "smnist",
            "arch": "rnn",
            "size": 6,
            "indices": [0, 1, 2, 3],
            "p_range": [0.1, 1.0],
        },
        training=TRAINING,
        seed=5,
    )
    return root


def spectra(root: Path, name: str) -> pd.DataFrame:
    return shard_spectra(
        root / "smnist.pt",
        root / name / "checkpoints",
        root / name / "spectra.parquet",
        pairs=PAIRS,
        spec=SPEC,
        seed=3,
        options=OPTIONS,
    )


def test_shard_spectra_hold_every_pair_and_network(shard: Path) -> None:
    table = spectra(shard, "all")
    assert len(table) == 4 * len(PAIRS)
    assert list(zip(table["epoch"], table["input_set"], strict=True))[::4] == PAIRS
    written = pd.read_parquet(shard / "all/spectra.parquet")
    assert written[["network_id", "epoch", "input_set"]].equals(
        table[["network_id", "epoch", "input_set"]]
    )
    np.testing.assert_array_equal(np.stack(written["exponents"]), np.stack(table["exponents"]))
    assert set(table["status"]) == {"ok"}


def test_spectra_do_not_depend_on_the_grouping(shard: Path) -> None:
    for epoch in (0, 1):
        whole = load_checkpoint(shard / f"all/checkpoints/epoch{epoch}.pt")
        for name, networks in (("one", slice(0, 1)), ("three", slice(1, 4))):
            path = shard / name / "checkpoints" / f"epoch{epoch}.pt"
            save_checkpoint(path, **subset(whole, networks))
    keys = ["network_id", "epoch", "input_set"]
    together = spectra(shard, "all").sort_values(keys, ignore_index=True)
    apart = pd.concat([spectra(shard, "one"), spectra(shard, "three")])
    apart = apart.sort_values(keys, ignore_index=True)
    assert together[keys].equals(apart[keys])
    for column in ("exponents", "exponents_std"):
        np.testing.assert_allclose(
            np.stack(together[column]), np.stack(apart[column]), rtol=0, atol=1e-12
        )


def contracting(checkpoint: dict[str, Any], gain: float) -> dict[str, Any]:
    """Network 0 of ``checkpoint`` made a linear contraction: h stays 0, Jacobian gain * I."""
    single = subset(checkpoint, slice(0, 1))
    params = dict(single["cell_params"])
    size = params["weight_hh"].shape[-1]
    params["weight_hh"] = gain * torch.eye(size, dtype=params["weight_hh"].dtype)[None]
    params["weight_ih"] = torch.zeros_like(params["weight_ih"])
    return {**single, "cell_params": params}


def test_known_answer_of_a_contraction(shard: Path) -> None:
    # tanh RNN with zero input weights stays at h = 0, where its Jacobian is 0.5 I: every
    # exponent is log2(0.5) = -1 bit per step, at every step of the running estimate.
    checkpoint = contracting(load_checkpoint(shard / "all/checkpoints/epoch1.pt"), 0.5)
    for epoch in (0, 1):
        save_checkpoint(shard / "half/checkpoints" / f"epoch{epoch}.pt", **checkpoint)
    table = spectra(shard, "half")
    np.testing.assert_allclose(np.stack(table["exponents"]), -1.0, rtol=0, atol=1e-12)
    running = convergence(
        shard / "smnist.pt",
        shard / "half/checkpoints/epoch1.pt",
        shard / "running.npy",
        spec=SPEC,
        seed=3,
        options=OPTIONS,
    )
    assert running.shape == (SPEC["steps"], 6)
    np.testing.assert_allclose(running, -1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(np.load(shard / "running.npy"), running)


def test_no_pairs_is_an_error(shard: Path) -> None:
    with pytest.raises(ValueError, match="no \\(epoch, input_set\\) pairs"):
        shard_spectra(
            shard / "smnist.pt",
            shard,
            shard / "x.parquet",
            pairs=[],
            spec=SPEC,
            seed=0,
            options=OPTIONS,
        )
