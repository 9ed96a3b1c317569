"""Spectra of driven networks: torch modules vs autograd references, stacking, batching."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from aelle.cells import make_cell
from aelle.lyapunov import NonFiniteSpectrumError, SpectrumOptions, positive_qr, rnn_spectrum

F64 = torch.float64
HIDDEN = SpectrumOptions(state="hidden")
IN, H = 3, 6


def _inputs(batch: int, time: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(batch, time, IN, generator=torch.Generator().manual_seed(seed), dtype=F64)


def _module_step(module: nn.Module, x: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """One step of a torch module on a flat state ``[h_0..h_L, (c_0..c_L)]`` of one sample."""
    layers, is_lstm = module.num_layers, isinstance(module, nn.LSTM)
    h = s[: layers * H].reshape(layers, 1, H)
    if is_lstm:
        c = s[layers * H :].reshape(layers, 1, H)
        _, (h2, c2) = module(x.view(1, 1, IN), (h, c))
        return torch.cat([h2.reshape(-1), c2.reshape(-1)])
    _, h2 = module(x.view(1, 1, IN), h)
    return h2.reshape(-1)


def _reference(module: nn.Module, inputs: torch.Tensor, n: int, hidden: bool) -> torch.Tensor:
    """Textbook QR method with autograd Jacobians of the torch module, one sequence at a time."""
    out = []
    for seq in inputs:
        s = torch.zeros(n, dtype=F64)
        m = module.num_layers * H if hidden else n
        q, log_sum = torch.eye(m, dtype=F64), torch.zeros(m, dtype=F64)
        for x in seq:
            jac = torch.func.jacrev(lambda s_, x=x: _module_step(module, x, s_))(s)
            q, r_diag = positive_qr(jac[:m, :m] @ q)
            log_sum += r_diag.log()
            s = _module_step(module, x, s).detach()
        out.append((log_sum / len(seq) / math.log(2)).sort(descending=True).values)
    return torch.stack(out)


@pytest.mark.parametrize(
    ("cls", "layers", "bias", "state"),
    [
        (nn.LSTM, 2, True, "full"),
        (nn.LSTM, 1, False, "hidden"),
        (nn.LSTM, 2, False, "hidden"),
        (nn.GRU, 2, True, "full"),
        (nn.RNN, 1, True, "full"),
    ],
)
def test_torch_modules_match_autograd_reference(cls, layers: int, bias: bool, state: str) -> None:
    torch.manual_seed(0)
    module = cls(IN, H, num_layers=layers, bias=bias, batch_first=True).double()
    inputs = _inputs(2, 12)
    n = (2 if cls is nn.LSTM else 1) * layers * H
    exps = rnn_spectrum(module, inputs, options=SpectrumOptions(state=state))
    reference = _reference(module, inputs, n, hidden=state == "hidden")
    torch.testing.assert_close(exps, reference, atol=1e-10, rtol=0)


def _lstm_cell(m: int, scale: float = 1.0, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    params = {
        "weight_ih": (torch.rand(m, 4 * H, IN, generator=g, dtype=F64) * 2 - 1) * scale,
        "weight_hh": (torch.rand(m, 4 * H, H, generator=g, dtype=F64) * 2 - 1) * scale,
    }
    return make_cell("lstm", params)


def test_stacked_networks_equal_separate_calls() -> None:
    cell = _lstm_cell(3)
    inputs = _inputs(4, 20)
    stacked = rnn_spectrum(cell, inputs, options=HIDDEN)
    assert stacked.shape == (3, 4, H)
    per_net = torch.stack([_inputs(4, 20, seed=m) for m in range(3)])
    stacked_own = rnn_spectrum(cell, per_net)
    for m in range(3):
        single = make_cell("lstm", {k: v[m : m + 1] for k, v in cell.params.items()})
        torch.testing.assert_close(
            rnn_spectrum(single, inputs, options=HIDDEN), stacked[m], atol=1e-12, rtol=0
        )
        torch.testing.assert_close(rnn_spectrum(single, per_net[m]), stacked_own[m])
        assert rnn_spectrum(single, inputs, stacked=True).shape == (1, 4, 2 * H)


def test_batching_qr_every_and_float32_agree_with_reference() -> None:
    cell = make_cell(
        "cornn",
        {k: torch.randn(1, H, s, dtype=F64) for k, s in (("W", H), ("W_z", H), ("V", IN))},
        dt=0.2,
    )
    inputs, warm = _inputs(3, 40), _inputs(3, 15, seed=1)
    ref = rnn_spectrum(cell, inputs, warmup_inputs=warm)
    assert ref.shape == (3, 2 * H)
    one_by_one = torch.cat(
        [rnn_spectrum(cell, inputs[b : b + 1], warmup_inputs=warm[b : b + 1]) for b in range(3)]
    )
    torch.testing.assert_close(one_by_one, ref, atol=1e-12, rtol=0)
    sparse_qr = rnn_spectrum(cell, inputs, warmup_inputs=warm, options=SpectrumOptions(qr_every=5))
    torch.testing.assert_close(sparse_qr, ref, atol=1e-8, rtol=0)
    single = rnn_spectrum(
        cell, inputs, warmup_inputs=warm, options=SpectrumOptions(dtype=torch.float32)
    )
    assert single.dtype == torch.float32
    torch.testing.assert_close(single.double(), ref, atol=1e-3, rtol=0)


def test_sum_of_full_exponents_is_mean_log_det() -> None:
    cell = _lstm_cell(1, seed=2)
    inputs = _inputs(2, 30)
    exps = rnn_spectrum(cell, inputs, options=SpectrumOptions(log_base=math.e, qr_every=3))
    s = cell.initial_state(2, dtype=F64, device="cpu")
    log_det = torch.zeros(2, dtype=F64)
    for t in range(30):
        s, jac = cell.step_and_jacobian(s, inputs[None, :, t])
        log_det += torch.linalg.slogdet(jac[0]).logabsdet
    torch.testing.assert_close(exps.sum(-1), log_det / 30, atol=1e-8, rtol=0)


def test_warmup_inputs_set_the_starting_state() -> None:
    cell = _lstm_cell(1, seed=3)
    inputs, warm = _inputs(2, 10), _inputs(2, 25, seed=5)
    s = cell.initial_state(2, dtype=F64, device="cpu")
    for t in range(25):
        s = cell.step(s, warm[None, :, t])
    with_warmup = rnn_spectrum(cell, inputs, warmup_inputs=warm)
    torch.testing.assert_close(with_warmup, rnn_spectrum(cell, inputs, h0=s[0]))
    assert not torch.allclose(with_warmup, rnn_spectrum(cell, inputs))


def test_running_estimates_end_at_the_spectrum() -> None:
    cell = _lstm_cell(2)
    inputs = _inputs(3, 9)
    options = SpectrumOptions(qr_every=2, state="hidden", log_base=math.e)
    run = rnn_spectrum(cell, inputs, options=options, running=True)
    assert run.steps.tolist() == [2, 4, 6, 8, 9]
    assert run.exponents.shape == (5, 2, 3, H)
    final = rnn_spectrum(cell, inputs, options=options)
    torch.testing.assert_close(run.exponents[-1], final)
    single = make_cell("lstm", {k: v[:1] for k, v in cell.params.items()})
    alone = rnn_spectrum(single, inputs, options=options, running=True, stacked=False)
    assert alone.exponents.shape == (5, 3, H)
    torch.testing.assert_close(alone.exponents, run.exponents[:, 0])


EXPLODING_SHAPES = {
    "rnn": {"weight_ih": (H, IN), "weight_hh": (H, H)},
    "lstm": {"weight_ih": (4 * H, IN), "weight_hh": (4 * H, H)},
    "gru": {"weight_ih": (3 * H, IN), "weight_hh": (3 * H, H), "bias_hh": (3 * H,)},
    "asrnn": {"W": (H, H), "V": (H, IN), "b": (H,)},
    "cornn": {"W": (H, H), "W_z": (H, H), "V": (H, IN)},
    "force": {"J": (H, H), "w_f": (H,), "w_o": (H,)},
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("kind", sorted(EXPLODING_SHAPES))
def test_exploding_network_gives_finite_exponents(kind: str, dtype: torch.dtype) -> None:
    """Weights uniform in +-30 saturate every unit; exponents stay finite (floored)."""
    g = torch.Generator().manual_seed(7)
    params = {
        name: (torch.rand(2, *shape, generator=g, dtype=F64) * 2 - 1) * 30
        for name, shape in EXPLODING_SHAPES[kind].items()
    }
    cell = make_cell(kind, params)
    inputs = _inputs(3, 40)[..., : cell.input_size] * 5
    for state in ("full", "hidden"):
        options = SpectrumOptions(dtype=dtype, state=state)
        exps = rnn_spectrum(cell, inputs, options=options, warmup_inputs=inputs)
        assert exps.shape == (
            2,
            3,
            cell.hidden_state_size if state == "hidden" else cell.state_size,
        )
        assert torch.isfinite(exps).all()


def test_bad_inputs_raise_clear_errors() -> None:
    cell = _lstm_cell(2)
    inputs = _inputs(2, 5)
    with pytest.raises(ValueError, match=r"inputs must have shape \(batch, time, 3\)"):
        rnn_spectrum(cell, inputs[..., :2])
    with pytest.raises(TypeError, match="floating"):
        rnn_spectrum(cell, inputs.long())
    with pytest.raises(ValueError, match="warmup_inputs have batch"):
        rnn_spectrum(cell, inputs, warmup_inputs=_inputs(3, 5))
    with pytest.raises(ValueError, match="num_exponents"):
        rnn_spectrum(cell, inputs, options=SpectrumOptions(state="hidden", num_exponents=H + 1))
    with pytest.raises(ValueError, match="single network"):
        rnn_spectrum(cell, inputs, stacked=False)
    with pytest.raises(TypeError, match="model must be"):
        rnn_spectrum(nn.Linear(2, 2), inputs)
    meta = nn.LSTM(IN, H, batch_first=True, device="meta")
    with pytest.raises(ValueError, match="are on cpu but the network's parameters are on meta"):
        rnn_spectrum(meta, inputs)
    with pytest.raises(ValueError, match="h0 must have shape"):
        rnn_spectrum(cell, inputs, h0=torch.zeros(2, H, dtype=F64))


def test_nonfinite_policy_flags_only_bad_networks() -> None:
    cell = make_cell(
        "asrnn", {"W": torch.zeros(2, H, H, dtype=F64), "V": torch.ones(2, H, IN, dtype=F64)}
    )
    h0 = torch.zeros(2, 1, H, dtype=F64)
    h0[1] = math.nan
    inputs = _inputs(1, 4)
    with pytest.raises(NonFiniteSpectrumError):
        rnn_spectrum(cell, inputs, h0=h0)
    exps = rnn_spectrum(cell, inputs, h0=h0, options=SpectrumOptions(nonfinite="nan"))
    assert torch.isfinite(exps[0]).all() and torch.isnan(exps[1]).all()
