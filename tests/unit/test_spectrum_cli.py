"""``aelle spectrum`` on a checkpoint written by the test."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from aelle.cells import make_cell
from aelle.cli import main
from aelle.lyapunov import rnn_spectrum
from aelle.lyapunov.population import COLUMNS

K, IN, H, OUT = 3, 2, 4, 5


def _checkpoint(path: Path, scale: float = 1.0) -> dict:
    g = torch.Generator().manual_seed(0)
    params = {
        "weight_ih": torch.rand(K, 3 * H, IN, generator=g) - 0.5,
        "weight_hh": (torch.rand(K, 3 * H, H, generator=g) - 0.5) * scale,
    }
    ckpt = {
        "format": "aelle-population/1", "task": "smnist", "arch": "gru", "kind": "gru",
        "epoch": 2, "input_size": IN, "hidden_size": H, "output_size": OUT,
        "network_ids": [f"smnist/gru/h{H}/n{i:04d}" for i in (0, 1, 7)],
        "indices": torch.tensor([0, 1, 7]), "seeds": torch.tensor([11, 12, 13]),
        "p": torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64),
        "cell_params": params, "cell_options": {},
        "readout": {"weight": torch.zeros(K, OUT, H), "bias": torch.zeros(K, OUT)},
    }  # fmt: skip
    torch.save(ckpt, path)
    return ckpt


def test_spectrum_command_writes_table(tmp_path: Path) -> None:
    ckpt = _checkpoint(tmp_path / "epoch2.pt")
    g = torch.Generator().manual_seed(1)
    inputs = torch.randn(4, 20, IN, generator=g)
    warm = torch.randn(4, 30, IN, generator=g, dtype=torch.float64)
    np.save(tmp_path / "val.npy", inputs.numpy())
    torch.save(warm, tmp_path / "warm.pt")
    args = ["spectrum", str(tmp_path / "epoch2.pt"), "--inputs", str(tmp_path / "val.npy"),
            "--warmup-inputs", str(tmp_path / "warm.pt"), "--input-set", "novel"]  # fmt: skip
    assert main([*args, "--output", str(tmp_path / "s.parquet")]) == 0
    table = pd.read_parquet(tmp_path / "s.parquet")
    assert list(table.columns) == list(COLUMNS)
    assert table["network_id"].tolist() == ckpt["network_ids"]
    assert table["index"].tolist() == [0, 1, 7]
    assert (table["status"] == "ok").all() and (table["input_set"] == "novel").all()
    assert (table["epoch"] == 2).all() and (table["size"] == H).all()
    for j in range(K):
        cell = make_cell("gru", {k: v[j : j + 1] for k, v in ckpt["cell_params"].items()})
        exps = rnn_spectrum(cell, inputs.double(), warmup_inputs=warm)
        np.testing.assert_allclose(table["exponents"][j], exps.mean(0).numpy(), atol=1e-12)
        np.testing.assert_allclose(
            table["exponents_std"][j], exps.std(0, correction=0).numpy(), atol=1e-12
        )
    assert main([*args, "--output", str(tmp_path / "s.csv"), "--chunk", "2"]) == 0
    csv = pd.read_csv(tmp_path / "s.csv")
    for j in range(K):
        np.testing.assert_allclose(json.loads(csv["exponents"][j]), table["exponents"][j])


def test_spectrum_command_rejects_bad_inputs(tmp_path: Path) -> None:
    _checkpoint(tmp_path / "c.pt")
    np.save(tmp_path / "ints.npy", np.zeros((2, 3, IN), dtype=np.int64))
    with pytest.raises(ValueError, match="must be a float array"):
        main(["spectrum", str(tmp_path / "c.pt"), "--inputs", str(tmp_path / "ints.npy"),
              "--output", str(tmp_path / "o.parquet")])  # fmt: skip
    np.save(tmp_path / "wide.npy", np.zeros((2, 3, IN + 1)))
    with pytest.raises(ValueError, match=r"inputs must have shape \(batch, time, 2\)"):
        main(["spectrum", str(tmp_path / "c.pt"), "--inputs", str(tmp_path / "wide.npy"),
              "--output", str(tmp_path / "o.parquet")])  # fmt: skip
