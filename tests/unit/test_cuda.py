"""The CUDA path gives the CPU's results: training, FORCE, spectra (skipped without a GPU).

Dropout masks and batch orders are drawn on the CPU from each network's own generators,
so a shard trained on the GPU sees exactly what it sees on the CPU; only the order of
floating-point sums differs. float32 training therefore agrees to rounding that Adam
carries over a few steps (tolerance 1e-4 nats), float64 FORCE and spectra to 1e-8.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from aelle.data import TaskData, load_task
from aelle.lyapunov import SpectrumOptions, rnn_spectrum
from aelle.lyapunov.population import population_spectra
from aelle.models import ShardSpec, load_checkpoint, train_shard

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def spec(task: str, arch: str, size: int, indices: list[int]) -> ShardSpec:
    """Networks ``indices`` of (task, arch, size), global seed 11, p in 0.1–1.0."""
    return ShardSpec.create(task, arch, size, indices, 11, (0.1, 1.0))


def trained_on(device: str, tmp: Path, data: TaskData, task: str, arch: str, cfg: dict):
    """(records, last checkpoint) of a 3-network shard of hidden 12 trained on ``device``."""
    frame = train_shard(data, spec(task, arch, 12, [0, 1, 2]), cfg, device, tmp, progress=False)
    return frame, load_checkpoint(tmp / f"epoch{cfg['epochs']}.pt")


def loss_table(frame: pd.DataFrame) -> np.ndarray:
    return frame.sort_values(["index", "epoch"])[["train_loss", "val_loss"]].to_numpy()


@pytest.mark.parametrize("arch", ["lstm", "gru", "cornn"])
def test_gradient_training_on_cuda_equals_cpu(arch, digits, tmp_path):
    cfg = {"epochs": 2, "lr": 0.01, "batch_size": 64, "checkpoints": [2]}
    cpu, cpu_ckpt = trained_on("cpu", tmp_path / "cpu", digits, "smnist", arch, cfg)
    gpu, gpu_ckpt = trained_on("cuda", tmp_path / "gpu", digits, "smnist", arch, cfg)
    np.testing.assert_allclose(loss_table(gpu), loss_table(cpu), atol=1e-4, rtol=0)
    assert (gpu.status == "ok").all()
    for name, value in cpu_ckpt["cell_params"].items():
        assert gpu_ckpt["cell_params"][name].device.type == "cpu"
        torch.testing.assert_close(gpu_ckpt["cell_params"][name], value, atol=1e-4, rtol=0)


def test_charrnn_training_on_cuda_equals_cpu(text, tmp_path):
    """Character codes go to the GPU and index the input weights there."""
    cfg = {"epochs": 2, "lr": 0.01, "batch_size": 8, "checkpoints": [2]}
    cpu, _ = trained_on("cpu", tmp_path / "cpu", text, "charrnn", "lstm", cfg)
    gpu, _ = trained_on("cuda", tmp_path / "gpu", text, "charrnn", "lstm", cfg)
    np.testing.assert_allclose(loss_table(gpu), loss_table(cpu), atol=1e-4, rtol=0)
    assert (gpu.groupby("index").val_loss.last() < gpu.groupby("index").val_loss.first()).all()


def test_force_training_on_cuda_equals_cpu(tmp_path):
    data = load_task("signal", {"period_steps": 600, "dt": 0.2}, root=Path("."), seed=0)
    cfg = {"epochs": 2, "lr": 1.0, "batch_size": 1, "checkpoints": []}
    frame = {
        device: train_shard(data, spec("signal", "force", 64, [0, 1]), cfg, device, progress=False)
        for device in ("cpu", "cuda")
    }
    assert (frame["cuda"].status == "ok").all()
    np.testing.assert_allclose(loss_table(frame["cuda"]), loss_table(frame["cpu"]), atol=1e-8)


@pytest.mark.parametrize("state", ["full", "hidden"])
def test_population_spectra_on_cuda_equal_cpu(state, digits, tmp_path):
    cfg = {"epochs": 1, "lr": 0.01, "batch_size": 64, "checkpoints": [1]}
    _, ckpt = trained_on("cpu", tmp_path, digits, "smnist", "lstm", cfg)
    inputs = digits.arrays["val_x"][:6].to(torch.float64)
    tables = {
        device: population_spectra(
            ckpt, inputs, options=SpectrumOptions(state=state), device=device
        )
        for device in ("cpu", "cuda")
    }
    assert (tables["cuda"].status == "ok").all()
    for column in ("exponents", "exponents_std"):
        np.testing.assert_allclose(
            np.stack(tables["cuda"][column]), np.stack(tables["cpu"][column]), atol=1e-8
        )


def test_orthogonal_rnn_has_zero_spectrum_on_cuda():
    """Known answer on the GPU's explicit-QR path: a linear orthogonal map has λ = 0."""
    torch.manual_seed(0)
    cell = torch.nn.RNN(3, 16, bias=False, nonlinearity="tanh", dtype=torch.float64)
    q = torch.linalg.qr(torch.randn(16, 16, dtype=torch.float64)).Q
    with torch.no_grad():
        cell.weight_hh_l0.copy_(q * 1e-6)
        cell.weight_ih_l0.zero_()
    cell = cell.cuda()
    inputs = torch.zeros(2, 50, 3, dtype=torch.float64, device="cuda")
    exponents = rnn_spectrum(cell, inputs, options=SpectrumOptions(log_base=np.e))
    # tanh'(0) = 1, so the Jacobian is W_hh = 1e-6 Q: every exponent is ln(1e-6).
    assert exponents.device.type == "cuda"
    torch.testing.assert_close(
        exponents.cpu(), torch.full((2, 16), np.log(1e-6), dtype=torch.float64)
    )
