"""FORCE / R-FORCE: connectivity draws, batched RLS, and the spread of trained networks."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from aelle.cells import make_cell
from aelle.data import load_task
from aelle.models import ForcePopulation, ShardSpec, load_checkpoint, train_shard
from aelle.models.force import force_connectivity, target_signals, teacher_forced_states
from aelle.models.inspect import force_generation
from aelle.models.seeds import generator


@pytest.fixture(scope="module")
def target() -> torch.Tensor:
    return load_task("signal", {}, root=Path("."), seed=2022).arrays["target"]


def test_force_connectivity_density_and_radius():
    j = force_connectivity(400, 1.5, generator(0, "j"))
    assert abs((j != 0).double().mean().item() - 0.1) < 0.01
    nonzero = j[j != 0]
    assert nonzero.std().item() == pytest.approx(1.5 / math.sqrt(40), rel=0.05)
    radius = torch.linalg.eigvals(j).abs().max().item()
    assert radius == pytest.approx(1.5, rel=0.1)


@pytest.mark.parametrize("arch", ["force", "rforce"])
def test_batched_rls_equals_alone(arch, target):
    gains, seeds = [1.2, 1.5, 1.8], [4, 5, 6]
    stacked = ForcePopulation.create(arch, 48, seeds, gains)
    errors = stacked.train_period(target[:300])
    for k in range(3):
        alone = ForcePopulation.create(arch, 48, seeds[k : k + 1], gains[k : k + 1])
        assert torch.allclose(alone.train_period(target[:300]), errors[k : k + 1], atol=1e-10)
        assert torch.allclose(alone.params["w_o"], stacked.params["w_o"][k : k + 1], atol=1e-10)


def test_train_shard_signal_records_and_generation(target, tmp_path):
    data = load_task("signal", {"period_steps": 600, "dt": 0.2}, root=Path("."), seed=2022)
    cfg = {"epochs": 2, "lr": 1.0, "batch_size": 1, "checkpoints": [0, 2]}
    spec = ShardSpec.create("signal", "rforce", 40, [0, 1], 1, (1.0, 2.0))
    frame = train_shard(data, spec, cfg, checkpoint_dir=tmp_path, progress=False)
    assert len(frame) == 6 and frame.accuracy.isna().all()
    ckpt = load_checkpoint(tmp_path / "epoch2.pt")
    assert ckpt["kind"] == "force" and ckpt["cell_options"]["feedback"] == "readout"
    assert torch.equal(ckpt["readout"]["weight"][:, 0], ckpt["cell_params"]["w_o"])
    shown = force_generation(ckpt)
    assert shown["generated"].shape == (2, 600)
    final = frame[frame.epoch == 2].sort_values("index").val_loss.to_numpy()
    np.testing.assert_allclose(shown["mae"].numpy(), final, atol=1e-12)
    untrained = frame[frame.epoch == 0].sort_values("index").val_loss.to_numpy()
    own = shown["target"].abs().mean(dim=1).numpy()  # w_o = 0: z = 0, MAE = mean |f|
    np.testing.assert_allclose(untrained, own, rtol=1e-12)


def test_force_population_spread(target):
    """8 networks of 512 units, g over 1.0–2.0, 3 training periods (about 20 s on one core).

    Under teacher forcing every trained readout follows the target (MAE < 0.1); generating
    autonomously, some networks stay on the target (MAE < 0.1) and some drift away (> 0.3).
    """
    gains = torch.linspace(1.0, 2.0, 8).tolist()
    pop = ForcePopulation.create("force", 512, list(range(8)), gains)
    for _ in range(3):
        pop.train_period(target)
    teacher, generated, _ = pop.test(target)
    assert (teacher < 0.1).all()
    assert (generated < 0.1).sum() >= 2 and (generated > 0.3).sum() >= 2


def test_teacher_forced_states_leave_the_zero_fixed_point(target, tmp_path):
    data = load_task("signal", {"period_steps": 600, "dt": 0.2}, root=Path("."), seed=2022)
    cfg = {"epochs": 3, "lr": 1.0, "batch_size": 1, "checkpoints": [3]}
    spec = ShardSpec.create("signal", "rforce", 60, [0, 1], 1, (1.2, 1.4))
    frame = train_shard(data, spec, cfg, checkpoint_dir=tmp_path, progress=False)
    ckpt = load_checkpoint(tmp_path / "epoch3.pt")
    signal = target_signals(ckpt["target"])  # each network's own target (2, 600)
    states = teacher_forced_states(ckpt, signal[:, None, :, None].expand(-1, 2, -1, -1))
    assert states.shape == (2, 2, 60) and torch.allclose(states[:, 0], states[:, 1])
    params = {k: v.double() for k, v in ckpt["cell_params"].items()}
    cell = make_cell("force", params, dt=0.1, feedback="readout")
    zero = cell.initial_state(1, dtype=torch.float64, device="cpu")
    assert torch.equal(cell.step(zero, zero[..., :1]), zero)  # x = 0 is a fixed point
    state, z = states[:, :1], []
    for _ in range(600):
        state = cell.step(state, zero[..., :1])
        z.append((torch.tanh(state[:, 0]) * params["w_o"]).sum(-1))
    mae = (torch.stack(z, 1) - torch.roll(signal, -1, dims=1)).abs().mean(1)
    final = frame[frame.epoch == 3].sort_values("index").val_loss.to_numpy()
    np.testing.assert_allclose(mae.numpy(), final, atol=1e-9)
