"""Shard training: stacking does not change results, records, checkpoints, divergence.

The stacked and fused paths agreeing is in test_training_paths.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import aelle.models.shard as shard
from aelle.models import RECORD_COLUMNS, ShardSpec, load_checkpoint, train_shard
from aelle.models.inspect import next_character_probabilities

SMNIST_CFG = {"epochs": 2, "lr": 0.01, "batch_size": 64, "checkpoints": [0, 2]}


def losses(frame: pd.DataFrame) -> np.ndarray:
    return frame.sort_values(["index", "epoch"])[["train_loss", "val_loss"]].to_numpy()


@pytest.mark.parametrize(
    ("arch", "task"), [("lstm", "smnist"), ("cornn", "smnist"), ("gru", "charrnn")]
)
def test_alone_equals_stacked(arch, task, digits, text):
    data = digits if task == "smnist" else text
    cfg = SMNIST_CFG if task == "smnist" else {"epochs": 2, "lr": 0.01, "batch_size": 8}

    def run(indices):
        spec = ShardSpec.create(task, arch, 12, indices, 3, (0.1, 1.0))
        return train_shard(data, spec, cfg, progress=False, path="stacked")

    stacked = run([0, 1, 2])
    alone = pd.concat([run([i]) for i in (2, 0, 1)])
    np.testing.assert_allclose(losses(stacked), losses(alone), atol=1e-5, rtol=0)
    assert stacked.groupby("index").val_loss.apply(lambda v: v.iloc[-1] < v.iloc[0]).all()


def test_records_and_checkpoints(digits, tmp_path):
    spec = ShardSpec.create("smnist", "rnn", 10, [4, 7], 1, (0.2, 0.4))
    frame = train_shard(digits, spec, SMNIST_CFG, checkpoint_dir=tmp_path, progress=False)
    assert list(frame.columns) == list(RECORD_COLUMNS)
    assert len(frame) == 2 * 3 and set(frame.status) == {"ok"}
    assert frame.network_id.iloc[0] == "smnist/rnn/h10/n0004"
    assert frame.p.between(0.2, 0.4).all() and frame.accuracy.between(0, 1).all()
    assert frame.wall_s.is_monotonic_increasing
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch0.pt", "epoch2.pt"]
    ckpt = load_checkpoint(tmp_path / "epoch2.pt")
    assert ckpt["kind"] == "rnn" and ckpt["epoch"] == 2 and ckpt["indices"].tolist() == [4, 7]
    assert ckpt["cell_params"]["weight_hh"].shape == (2, 10, 10)
    assert ckpt["readout"]["weight"].shape == (2, 10, 10) and ckpt["readout"]["bias"].shape == (
        2,
        10,
    )
    assert torch.allclose(ckpt["p"], torch.tensor(frame.p.iloc[:2].to_numpy()))
    untrained = load_checkpoint(tmp_path / "epoch0.pt")
    assert untrained["cell_params"]["weight_hh"].abs().max() <= ckpt["p"].max()
    df = frame.set_index(["index", "epoch"])
    assert df.loc[(4, 0), "val_loss"] == pytest.approx(np.log(10), abs=0.3)


@pytest.mark.parametrize("path", ["stacked", "fused"])
def test_diverged_network_is_marked_and_others_unaffected(path, digits, monkeypatch):
    def run(indices):
        spec = ShardSpec.create("smnist", "lstm", 8, indices, 5, (0.1, 0.5))
        return train_shard(digits, spec, SMNIST_CFG, progress=False, path=path)

    reference = run([0, 2])
    real_draw = shard.draw_p
    victim = shard.network_seed(5, "smnist", "lstm", 8, 1)

    def draw(seed, rng):  # network 1 gets infinite weights: NaN loss from the first step
        return float("inf") if seed == victim else real_draw(seed, rng)

    monkeypatch.setattr(shard, "draw_p", draw)
    frame = run([0, 1, 2])
    status = frame.set_index(["index", "epoch"]).status
    assert (status.loc[1] == "diverged").all() and (status.loc[[0, 2]] == "ok").all()
    others = frame[frame["index"] != 1]
    np.testing.assert_allclose(losses(others), losses(reference), atol=1e-5, rtol=0)


def test_next_character_probabilities(text, tmp_path):
    cfg = {"epochs": 1, "lr": 0.01, "batch_size": 8, "checkpoints": [1]}
    spec = ShardSpec.create("charrnn", "lstm", 8, [0, 1], 0, (0.1, 0.3))
    train_shard(text, spec, cfg, checkpoint_dir=tmp_path, progress=False)
    ckpt = load_checkpoint(tmp_path / "epoch1.pt")
    vocab = text.meta["vocab"]
    probs = next_character_probabilities(ckpt, 1, "the qu!", vocab)
    assert probs.shape == (7, len(vocab) + 1)
    assert torch.allclose(probs.sum(-1), torch.ones(7, dtype=torch.float64))
    with pytest.raises(IndexError):
        next_character_probabilities(ckpt, 2, "the", vocab)


def test_unknown_combinations_are_refused(digits):
    with pytest.raises(ValueError, match="only on the signal task"):
        train_shard(digits, ShardSpec.create("smnist", "force", 8, [0], 0, (1, 2)), SMNIST_CFG)
    with pytest.raises(ValueError, match="unknown architecture"):
        train_shard(digits, ShardSpec.create("smnist", "tcn", 8, [0], 0, (1, 2)), SMNIST_CFG)


def test_cell_options_and_device(digits, tmp_path):
    cfg = {"epochs": 1, "lr": 0.01, "batch_size": 64, "checkpoints": [1]}
    spec = ShardSpec.create("smnist", "asrnn", 6, [0], 0, (0.5, 1.0), cell_options={"eps": 0.1})
    train_shard(digits, spec, cfg, "auto", tmp_path, progress=False)
    ckpt = load_checkpoint(tmp_path / "epoch1.pt")
    assert ckpt["cell_options"] == {"eps": 0.1, "gamma": 0.01}
    if not torch.cuda.is_available():
        rnn = ShardSpec.create("smnist", "rnn", 6, [0], 0, (0.5, 1.0))
        with pytest.raises(RuntimeError, match="no CUDA device"):
            train_shard(digits, rnn, cfg, "cuda", progress=False)


def test_each_charrnn_network_has_its_own_subset(text):
    from aelle.models.objectives import CharObjective

    objective = CharObjective(text, [1, 2, 3], 8, 0.5)
    total = len(text.arrays["train_seq"])
    assert objective.subsets.shape == (3, round(total / 2), 20)
    assert not torch.equal(objective.subsets[0], objective.subsets[1])
    again = CharObjective(text, [2], 8, 0.5)
    assert torch.equal(again.subsets[0], objective.subsets[1])
