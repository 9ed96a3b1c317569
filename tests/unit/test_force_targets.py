"""FORCE targets: one 4-sine target per network from its seed, and every consumer uses it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from aelle.data import DataError, load_task
from aelle.models import (
    ForcePopulation,
    ShardSpec,
    load_checkpoint,
    spectrum_start,
    train_shard,
)
from aelle.models.examples import task_examples
from aelle.models.force import (
    network_target_terms,
    own_target_warmup,
    population_targets,
    target_signals,
    teacher_forced_states,
)
from aelle.models.seeds import network_seed

CFG = {"epochs": 1, "lr": 1.0, "batch_size": 1, "checkpoints": [0, 1]}
DATA = {"period_steps": 300, "dt": 0.4}


def by_hand(terms: torch.Tensor, steps: int, dt: float) -> np.ndarray:
    """f(t) = Σ_k (1/s_k) sin(m_k π t / 60), written out term by term."""
    t = np.arange(steps) * dt
    return sum(np.sin(m * np.pi * t / 60) / s for s, m in terms.tolist())


def train(tmp_path: Path, indices: list[int], data_cfg: dict | None = None) -> pd.DataFrame:
    data = load_task("signal", data_cfg or DATA, root=Path("."), seed=7)
    spec = ShardSpec.create("signal", "force", 30, indices, 3, (1.0, 2.0))
    return train_shard(data, spec, CFG, checkpoint_dir=tmp_path, progress=False)


def test_same_seed_same_target_different_networks_different_targets():
    seeds = [network_seed(0, "signal", "force", 128, i) for i in range(20)]
    first = torch.stack([network_target_terms(s) for s in seeds])
    again = torch.stack([network_target_terms(s) for s in seeds])
    assert torch.equal(first, again)
    assert len({tuple(t.flatten().tolist()) for t in first}) == 20
    assert first.shape == (20, 4, 2)
    assert first[..., 0].min() >= 1 and first[..., 0].max() <= 10  # s_k ∈ {1..10}
    assert first[..., 1].min() >= 1 and first[..., 1].max() <= 5  # m_k ∈ {1..5}


def test_target_values_equal_the_formula():
    data = load_task("signal", {}, root=Path("."), seed=0)
    targets = population_targets(data, [11, 12])
    assert (targets["dt"], targets["period_steps"]) == (0.1, 1200)
    signals = target_signals(targets)
    assert signals.shape == (2, 1200) and signals.dtype == torch.float64
    for k in range(2):
        np.testing.assert_allclose(signals[k].numpy(), by_hand(targets["terms"][k], 1200, 0.1))
    # m_k π t / 60 with t = 1200 · 0.1 = 120: a whole number of periods, f(120) = f(0)
    np.testing.assert_allclose(target_signals(targets, start=1200), signals, atol=1e-12)


def test_shared_option_gives_every_network_the_data_target():
    data = load_task("signal", {"target": "shared"}, root=Path("."), seed=0)
    terms = population_targets(data, [1, 2, 3])["terms"]
    assert all(torch.equal(t, data.arrays["target_terms"]) for t in terms)
    with pytest.raises(DataError, match=r"tasks\.signal\.data\.target"):
        load_task("signal", {"target": "each"}, root=Path("."), seed=0)


def test_networks_learn_their_own_target_whatever_the_shard(tmp_path):
    together = train(tmp_path / "a", [0, 1, 2])
    alone = pd.concat([train(tmp_path / "b", [1]), train(tmp_path / "c", [2, 0])])
    key = ["index", "epoch"]
    together, alone = together.sort_values(key), alone.sort_values(key)
    for column in ("train_loss", "val_loss"):
        np.testing.assert_allclose(together[column], alone[column], rtol=0, atol=1e-10)
    ckpt = load_checkpoint(tmp_path / "a" / "epoch1.pt")
    single = load_checkpoint(tmp_path / "b" / "epoch1.pt")
    assert torch.equal(ckpt["target"]["terms"][1], single["target"]["terms"][0])
    assert not torch.equal(ckpt["target"]["terms"][0], ckpt["target"]["terms"][1])
    seeds = ckpt["seeds"].tolist()
    assert torch.equal(ckpt["target"]["terms"][2], network_target_terms(seeds[2]))
    # untrained (w_o = 0, z = 0): the test error is the mean |f| of the network's OWN target
    untrained = together[together.epoch == 0]["val_loss"].to_numpy()
    own = target_signals(ckpt["target"]).abs().mean(dim=1).numpy()
    np.testing.assert_allclose(untrained, own, rtol=1e-12)
    assert len(set(np.round(own, 9))) == 3


def test_per_network_rls_equals_each_network_alone():
    seeds, gains = [4, 5], [1.3, 1.6]
    terms = torch.stack([network_target_terms(s) for s in seeds])
    targets = target_signals({"terms": terms, "dt": 0.1, "period_steps": 200})
    stacked = ForcePopulation.create("force", 30, seeds, gains)
    errors = stacked.train_period(targets)
    for k in range(2):
        alone = ForcePopulation.create("force", 30, seeds[k : k + 1], gains[k : k + 1])
        assert torch.allclose(alone.train_period(targets[k]), errors[k : k + 1], atol=1e-10)
    with pytest.raises(ValueError, match=r"target must have shape \(T,\) or \(2, T\)"):
        stacked.train_period(targets[:1].expand(3, -1))


def test_spectrum_warmup_is_each_networks_own_target(tmp_path):
    train(tmp_path / "a", [0, 1])
    train(tmp_path / "b", [1])
    pair = load_checkpoint(tmp_path / "a" / "epoch1.pt")
    single = load_checkpoint(tmp_path / "b" / "epoch1.pt")
    drive = own_target_warmup(pair, 3, 50)
    assert drive.shape == (2, 3, 50, 1)
    for k in range(2):  # each sequence is a 50-step stretch of the network's own target
        full = by_hand(pair["target"]["terms"][k], 300 + 50, 0.4)
        for b in range(3):
            gaps = [np.abs(full[s : s + 50] - drive[k, b, :, 0].numpy()).max() for s in range(300)]
            assert min(gaps) < 1e-12
    warmup = torch.zeros(3, 50, 1)
    none, h0 = spectrum_start(pair, warmup)
    assert none is None and torch.equal(h0, teacher_forced_states(pair, drive))
    _, h0_single = spectrum_start(single, warmup)
    assert torch.allclose(h0[1], h0_single[0], atol=1e-12)  # independent of the shard
    with pytest.raises(ValueError, match="no 'target' record"):
        spectrum_start({k: v for k, v in pair.items() if k != "target"}, warmup)


def test_task_examples_compare_each_network_with_its_target(tmp_path):
    records = train(tmp_path, [0, 1, 2, 3])
    data = load_task("signal", DATA, root=Path("."), seed=7)
    paths = dict.fromkeys(records["network_id"], tmp_path / "epoch1.pt")
    arrays = task_examples(data, records, paths)
    ckpt = load_checkpoint(tmp_path / "epoch1.pt")
    own = torch.roll(target_signals(ckpt["target"]), -1, dims=1).numpy()
    final = records[records.epoch == 1].set_index("network_id")
    assert arrays["target"].shape == (3, 300)
    for row, (name, loss) in enumerate(zip(arrays["names"], arrays["losses"], strict=True)):
        position = ckpt["network_ids"].index(final.index[final.val_loss == loss][0])
        np.testing.assert_array_equal(arrays["target"][row], own[position])
        mae = np.abs(arrays[f"example_{name}"] - own[position]).mean()
        assert mae == pytest.approx(loss, abs=1e-10)
