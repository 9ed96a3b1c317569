"""The training paths agree: stacked cells and torch's fused modules, any grouping.

Both paths start from the same weights and see the same batches, dropout masks and Adam
updates, so they differ only in the order of float32 sums: losses and weights agree within
1e-5 for networks that are not chaotic (p below 1 here).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from aelle.data import TaskData
from aelle.models import ShardSpec, choose_path, load_checkpoint, network_seed, train_shard
from aelle.models.fused import FusedNetwork
from aelle.models.population import Population

CFG = {
    "smnist": {"epochs": 2, "lr": 0.01, "batch_size": 64, "checkpoints": [0, 2]},
    "charrnn": {"epochs": 2, "lr": 0.01, "batch_size": 8, "checkpoints": [0, 2]},
}


def losses(frame: pd.DataFrame) -> np.ndarray:
    """(train, val) losses of every network and epoch, sorted by (index, epoch)."""
    return frame.sort_values(["index", "epoch"])[["train_loss", "val_loss"]].to_numpy()


@pytest.mark.parametrize(
    ("task", "arch"),
    [("smnist", "rnn"), ("smnist", "lstm"), ("smnist", "gru"), ("charrnn", "lstm")],
)
def test_fused_path_equals_stacked(task, arch, digits, text, tmp_path):
    data = digits if task == "smnist" else text
    spec = ShardSpec.create(task, arch, 12, [0, 1, 2], 3, (0.1, 1.0))
    frames, ckpts = {}, {}
    for path in ("stacked", "fused"):
        frames[path] = train_shard(
            data, spec, CFG[task], "cpu", tmp_path / path, progress=False, path=path
        )
        ckpts[path] = load_checkpoint(tmp_path / path / "epoch2.pt")
    stacked, fused = frames["stacked"], frames["fused"]
    assert len(stacked) == 3 * 3 and (stacked.status == "ok").all()
    np.testing.assert_allclose(losses(fused), losses(stacked), atol=1e-5, rtol=0)
    drop = ["train_loss", "val_loss", "accuracy", "wall_s"]
    pd.testing.assert_frame_equal(fused.drop(columns=drop), stacked.drop(columns=drop))
    assert stacked.groupby("index").val_loss.apply(lambda v: v.iloc[-1] < v.iloc[0]).all()
    a, b = ckpts["stacked"], ckpts["fused"]
    assert a.keys() == b.keys()
    for key in a.keys() - {"cell_params", "readout", "indices", "seeds", "p"}:
        assert a[key] == b[key], key
    for group in ("cell_params", "readout"):
        assert a[group].keys() == b[group].keys()
        for name, value in a[group].items():
            assert b[group][name].dtype == value.dtype and b[group][name].shape == value.shape
            torch.testing.assert_close(b[group][name], value, atol=1e-5, rtol=0)
    untrained = load_checkpoint(tmp_path / "fused" / "epoch0.pt")
    initial = Population.create(arch, data.input_size, 12, data.output_size, spec.seeds, spec.ps)
    for name, value in initial.cell_params.items():
        assert torch.equal(untrained["cell_params"][name], value.detach())


@pytest.mark.parametrize("path", ["fused", "stacked"])
def test_grouping_does_not_change_results(path, digits):
    def run(indices):
        spec = ShardSpec.create("smnist", "gru", 10, indices, 7, (0.1, 1.0))
        return train_shard(digits, spec, CFG["smnist"], progress=False, path=path)

    whole = run([0, 1, 2, 3])
    parts = pd.concat([run([0]), run([1, 2, 3])])
    tolerance = 0 if path == "fused" else 1e-5  # one network after another: bit for bit
    np.testing.assert_allclose(losses(parts), losses(whole), atol=tolerance, rtol=0)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_fused_network_computes_what_the_population_computes(kind):
    pop = Population.create(kind, 5, 7, 3, [11], [0.9], bias=True).double()
    fused = FusedNetwork(pop)
    x = torch.randn(1, 4, 6, 5, dtype=torch.float64)
    torch.testing.assert_close(fused.run(x), pop.run(x), atol=1e-12, rtol=0)
    tokens = torch.randint(0, 5, (1, 4, 6))
    torch.testing.assert_close(fused.run_tokens(tokens), pop.run_tokens(tokens), atol=1e-12, rtol=0)
    mask = torch.rand(1, 4, 7) < 0.9
    features = pop.run(x)[:, :, -1]
    torch.testing.assert_close(fused.readout(features, mask), pop.readout(features, mask))
    assert fused.cell_params.keys() == {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}


def test_path_is_chosen_by_device_and_network_shape(digits):
    def path(arch, size, data=digits, device="cpu", **model):
        spec = ShardSpec.create(data.task, arch, size, [0], 0, (0.5, 1.0), **model)
        return choose_path(data, spec, torch.device(device))

    long_text = TaskData("charrnn", 5, 5, {"train_seq": torch.zeros(3, 100, dtype=torch.int64)})
    mnist_rows = TaskData("smnist", 28, 10, {"train_x": torch.zeros(3, 28, 28)})
    assert [path(a, 32) for a in ("rnn", "lstm", "gru", "asrnn", "cornn")] == ["stacked"] * 5
    assert [path(a, 64) for a in ("rnn", "lstm", "gru")] == ["stacked", "fused", "stacked"]
    assert [path("lstm", 16, mnist_rows), path("gru", 16, mnist_rows)] == ["fused", "stacked"]
    assert [path("lstm", s, long_text) for s in (16, 64, 128)] == ["stacked"] * 3
    assert path("lstm", 64, device="cuda") == "stacked"
    assert path("lstm", 64, cell_options={"num_layers": 2}) == "stacked"


def test_bad_paths_are_named(digits):
    cornn = ShardSpec.create("smnist", "cornn", 8, [0], 0, (0.5, 1.0))
    with pytest.raises(ValueError, match="path 'fused' needs a one-layer rnn, lstm or gru"):
        train_shard(digits, cornn, CFG["smnist"], path="fused")
    with pytest.raises(ValueError, match="path must be one of"):
        train_shard(digits, cornn, CFG["smnist"], path="fast")


def test_shard_spec_derives_seeds_and_p():
    spec = ShardSpec.create("charrnn", "gru", 16, [3, 5], 2022, (0.5, 0.6), dropout=0.2)
    assert spec.seeds == tuple(network_seed(2022, "charrnn", "gru", 16, i) for i in (3, 5))
    assert all(0.5 <= p <= 0.6 for p in spec.ps) and spec.ps[0] != spec.ps[1]
    assert spec.network_ids == ["charrnn/gru/h16/n0003", "charrnn/gru/h16/n0005"]
    alone = spec.network(1)
    assert (alone.indices, alone.seeds, alone.ps) == ((5,), spec.seeds[1:], spec.ps[1:])
    assert alone.dropout == 0.2
    assert ShardSpec.create("charrnn", "gru", 16, [5], 2022, (0.5, 0.6)).ps == alone.ps
    with pytest.raises(ValueError, match="no network indices"):
        ShardSpec.create("smnist", "gru", 16, [], 0, (0.5, 0.6))
    with pytest.raises(ValueError, match="dropout must lie in"):
        ShardSpec.create("smnist", "gru", 16, [0], 0, (0.5, 0.6), dropout=1.0)
    with pytest.raises(ValueError, match="same length"):
        ShardSpec("smnist", "gru", 16, (0, 1), (1,), (0.5,))
