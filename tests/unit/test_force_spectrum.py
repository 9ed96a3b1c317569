"""FORCE spectra: the closed loop's fixed point at zero, and the teacher-forced start."""

import math

import numpy as np
import torch

from aelle.lyapunov import SpectrumOptions
from aelle.lyapunov.population import population_spectra
from aelle.models import spectrum_start

N, DT = 16, 0.1
NATS = SpectrumOptions(log_base=math.e)


def force_checkpoint(seed=0, k=2):
    g = torch.Generator().manual_seed(seed)
    return {
        "format": "aelle-population/1",
        "task": "signal",
        "kind": "force",
        "arch": "force",
        "epoch": 1,
        "input_size": 1,
        "hidden_size": N,
        "output_size": 1,
        "network_ids": [f"signal/force/h{N}/n{i:04d}" for i in range(k)],
        "indices": torch.arange(k),
        "seeds": torch.arange(k) + 11,
        "p": torch.full((k,), 1.5),
        "cell_params": {
            "J": 1.5 * torch.randn(k, N, N, generator=g, dtype=torch.float64) / math.sqrt(N),
            "w_f": 2 * torch.rand(k, N, generator=g, dtype=torch.float64) - 1,
            "w_o": 0.1 * torch.randn(k, N, generator=g, dtype=torch.float64),
        },
        "cell_options": {"dt": DT, "feedback": "readout"},
        "readout": {"weight": torch.zeros(k, 1, N), "bias": torch.zeros(k, 1)},
        "target": {
            "terms": torch.tensor([[[1, 1], [2, 2], [3, 3], [4, 4]]]).repeat(k, 1, 1),
            "dt": DT,
            "period_steps": 1200,
        },
    }


def test_zero_start_measures_the_fixed_point_of_the_closed_loop():
    ckpt = force_checkpoint()
    measure = torch.zeros(1, 3000, 1, dtype=torch.float64)
    table = population_spectra(ckpt, measure, options=NATS)
    for j, row in table.iterrows():
        p = ckpt["cell_params"]
        jac = (1 - DT) * torch.eye(N, dtype=torch.float64) + DT * (
            p["J"][j] + torch.outer(p["w_f"][j], p["w_o"][j])
        )
        expected = np.sort(np.log(np.abs(np.linalg.eigvals(jac.numpy()))))[::-1]
        # complex pairs converge as 1/T; the sum is exact at any T
        np.testing.assert_allclose(row["exponents"], expected, atol=2e-3)
        assert math.isclose(sum(row["exponents"]), expected.sum(), abs_tol=1e-10)


def test_teacher_forced_start_leaves_the_fixed_point():
    ckpt = force_checkpoint()
    t = torch.arange(300, dtype=torch.float64) * DT
    warmup = torch.stack([torch.sin(t / 3), torch.cos(t / 5)])[..., None]
    warmup_inputs, h0 = spectrum_start(ckpt, warmup)
    assert warmup_inputs is None
    assert h0.shape == (2, 2, N) and h0.abs().max() > 0.1
    measure = torch.zeros(2, 400, 1, dtype=torch.float64)
    from_zero = population_spectra(ckpt, measure, options=NATS)
    forced = population_spectra(ckpt, measure, h0=h0, options=NATS)
    assert (forced["status"] == "ok").all()
    assert not np.allclose(forced["exponents"][0], from_zero["exponents"][0], atol=1e-3)


def test_driven_networks_keep_their_warmup_input():
    ckpt = dict(force_checkpoint(), kind="lstm")
    warmup = torch.zeros(3, 5, 1)
    assert spectrum_start(ckpt, warmup) == (warmup, None)
