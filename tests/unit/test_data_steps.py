"""The data step of the workflow writes exactly the task data it returns."""

from __future__ import annotations

from pathlib import Path

import torch

from aelle.data import load_prepared
from aelle.data.steps import prepare_data


def test_prepare_data_writes_what_it_returns(tmp_path: Path) -> None:
    cfg = {"source": "generated", "dt": 0.1, "period_steps": 120, "novel_targets": 2}
    data = prepare_data("signal", cfg, tmp_path / "out/signal.pt", root=tmp_path, seed=4)
    back = load_prepared(tmp_path / "out/signal.pt")
    assert (back.task, back.input_size, back.output_size) == ("signal", 1, 1)
    assert back.arrays.keys() == data.arrays.keys()
    for key, value in data.arrays.items():
        assert torch.equal(back.arrays[key], value), key
