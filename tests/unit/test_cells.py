"""Stacked cells: torch-exact forward maps and analytic Jacobians equal to autograd."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from aelle.cells import Cell, cell_from_torch, make_cell

M, B, IN, H = 2, 3, 4, 5
F64 = torch.float64


def _params(kind: str, bias: bool = True, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)

    def rnd(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=g, dtype=F64) * 2 - 1

    if kind in ("rnn", "lstm", "gru"):
        gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
        p = {"weight_ih": rnd(M, gates * H, IN), "weight_hh": rnd(M, gates * H, H)}
        if bias:
            p |= {"bias_ih": rnd(M, gates * H), "bias_hh": rnd(M, gates * H)}
        return p
    if kind == "asrnn":
        p = {"W": rnd(M, H, H), "V": rnd(M, H, IN)}
    elif kind == "cornn":
        p = {"W": rnd(M, H, H), "W_z": rnd(M, H, H), "V": rnd(M, H, IN)}
    else:
        return {"J": 2 * rnd(M, H, H), "w_f": rnd(M, H), "w_o": rnd(M, H)}
    return p | {"b": rnd(M, H)} if bias else p


CASES = [
    ("rnn", {}),
    ("lstm", {}),
    ("gru", {}),
    ("asrnn", {"eps": 0.3, "gamma": 0.2}),
    ("cornn", {"dt": 0.3}),
    ("force", {"feedback": "readout"}),
    ("force", {"feedback": "input"}),
]


def _autograd_jacobian(cell: Cell, state: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per-sample blocks of ``jacrev(step)``: ``(M, B, n, n)``."""
    full = torch.func.jacrev(lambda s: cell.step(s, x))(state)
    idx_m = torch.arange(state.shape[0])[:, None]
    idx_b = torch.arange(state.shape[1])[None, :]
    return full.permute(0, 1, 3, 4, 2, 5)[idx_m, idx_b, idx_m, idx_b]


def _random_state(cell: Cell, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    state = torch.randn(cell.num_networks, B, cell.state_size, generator=g, dtype=F64)
    x = torch.randn(cell.num_networks, B, cell.input_size, generator=g, dtype=F64)
    return state, x


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(("kind", "options"), CASES)
def test_analytic_jacobian_equals_autograd(kind: str, options: dict, bias: bool) -> None:
    cell = make_cell(kind, _params(kind, bias), **options)
    state, x = _random_state(cell)
    jac = cell.jacobian(state, x)
    assert jac.shape == (M, B, cell.state_size, cell.state_size)
    torch.testing.assert_close(jac, _autograd_jacobian(cell, state, x), atol=1e-10, rtol=0)
    hs = cell.hidden_slice
    torch.testing.assert_close(cell.jacobian(state, x, hidden_only=True), jac[..., hs, hs])
    nxt, jac2 = cell.step_and_jacobian(state, x)
    torch.testing.assert_close(nxt, cell.step(state, x), atol=0, rtol=0)
    torch.testing.assert_close(jac2, jac, atol=0, rtol=0)


def _torch_module(kind: str, layers: int, bias: bool) -> nn.Module:
    torch.manual_seed(layers + 10 * bias)
    cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
    return cls(IN, H, num_layers=layers, bias=bias, batch_first=True).double()


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_torch_modules_forward_and_jacobian(kind: str, layers: int, bias: bool) -> None:
    module = _torch_module(kind, layers, bias)
    cell = cell_from_torch(module)
    blocks = 2 if kind == "lstm" else 1
    assert (cell.num_networks, cell.state_size) == (1, blocks * layers * H)
    g = torch.Generator().manual_seed(3)
    inputs = torch.randn(B, 7, IN, generator=g, dtype=F64)
    with torch.no_grad():
        expected, _ = module(inputs)
        state = cell.initial_state(B, dtype=F64, device="cpu")
        outputs = []
        for t in range(inputs.shape[1]):
            state = cell.step(state, inputs[None, :, t])
            outputs.append(cell.output(state)[0])
    torch.testing.assert_close(torch.stack(outputs, 1), expected, atol=1e-10, rtol=0)
    # The Jacobian includes the cross-layer blocks and (LSTM) the cell state.
    state = torch.randn(1, B, cell.state_size, generator=g, dtype=F64)
    x = inputs[None, :, 0]
    jac = cell.jacobian(state, x)
    torch.testing.assert_close(jac, _autograd_jacobian(cell, state, x), atol=1e-10, rtol=0)
    hs = cell.hidden_slice
    torch.testing.assert_close(cell.jacobian(state, x, hidden_only=True), jac[..., hs, hs])


def test_cornn_uses_new_z_in_y_update() -> None:
    p = _params("cornn")
    cell = make_cell("cornn", p, dt=0.1, gamma=2.0, eps=3.0)
    state, x = _random_state(cell)
    y, z = state[..., :H], state[..., H:]
    act = torch.tanh(y @ p["W"].mT + z @ p["W_z"].mT + x @ p["V"].mT + p["b"][:, None])
    z_new = z + 0.1 * (act - 2.0 * y - 3.0 * z)
    expected = torch.cat([y + 0.1 * z_new, z_new], -1)
    torch.testing.assert_close(cell.step(state, x), expected, atol=1e-12, rtol=0)
    torch.testing.assert_close(cell.output(state), y)


def test_asrnn_and_force_equations() -> None:
    p = _params("asrnn")
    cell = make_cell("asrnn", p, eps=0.5, gamma=0.1)
    state, x = _random_state(cell)
    a_mat = p["W"] - p["W"].mT - 0.1 * torch.eye(H, dtype=F64)
    expected = state + 0.5 * torch.tanh(state @ a_mat.mT + x @ p["V"].mT + p["b"][:, None])
    torch.testing.assert_close(cell.step(state, x), expected, atol=1e-12, rtol=0)

    p = _params("force")
    closed = make_cell("force", p, dt=0.2)
    state = torch.randn(M, B, H, dtype=F64)
    u = torch.randn(M, B, 1, dtype=F64)
    r = torch.tanh(state)
    z = (r * p["w_o"][:, None]).sum(-1, keepdim=True)
    expected = 0.8 * state + 0.2 * (r @ p["J"].mT + p["w_f"][:, None] * z)
    torch.testing.assert_close(closed.step(state, u), expected, atol=1e-12, rtol=0)
    opened = make_cell("force", p, dt=0.2, feedback="input")
    expected = 0.8 * state + 0.2 * (r @ p["J"].mT + p["w_f"][:, None] * u)
    torch.testing.assert_close(opened.step(state, u), expected, atol=1e-12, rtol=0)
    torch.testing.assert_close(closed.output(state), r)


def test_stacked_networks_are_independent() -> None:
    p = _params("lstm")
    cell = make_cell("lstm", p)
    state, x = _random_state(cell)
    for m in range(M):
        single = make_cell("lstm", {k: v[m : m + 1] for k, v in p.items()})
        torch.testing.assert_close(
            single.step(state[m : m + 1], x[m : m + 1]), cell.step(state, x)[m : m + 1]
        )


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru", "asrnn", "cornn", "force"])
def test_step_is_differentiable_in_params(kind: str) -> None:
    params = {k: nn.Parameter(v) for k, v in _params(kind).items()}
    cell = make_cell(kind, params)
    state, x = _random_state(cell)
    cell.step(cell.step(state, x), x).square().sum().backward()
    for name, value in params.items():
        assert value.grad is not None and torch.isfinite(value.grad).all(), name
        assert value.grad.abs().sum() > 0, name


def test_to_casts_parameters() -> None:
    cell = make_cell("gru", _params("gru")).to(dtype=torch.float32)
    assert cell.dtype == torch.float32 and cell.kind == "gru"
    state = cell.initial_state(B, dtype=torch.float32, device="cpu")
    assert state.shape == (M, B, H) and not state.any()


def test_bad_input_raises_clear_errors() -> None:
    with pytest.raises(ValueError, match="unknown cell kind"):
        make_cell("transformer", {})
    with pytest.raises(ValueError, match="missing"):
        make_cell("cornn", {k: v for k, v in _params("cornn").items() if k != "W_z"})
    bad = _params("rnn")
    bad["weight_hh"] = bad["weight_hh"][:, :, :2]
    with pytest.raises(ValueError, match="weight_hh"):
        make_cell("rnn", bad)
    cell = make_cell("rnn", _params("rnn"))
    state, x = _random_state(cell)
    with pytest.raises(ValueError, match="state must have shape"):
        cell.step(state[..., :2], x)
    with pytest.raises(ValueError, match="input must have shape"):
        cell.step(state, x[..., :2])
    with pytest.raises(TypeError, match="dtype"):
        cell.step(state.float(), x.float())
    with pytest.raises(ValueError, match="bidirectional"):
        cell_from_torch(nn.GRU(IN, H, bidirectional=True))
    with pytest.raises(TypeError, match=r"expected nn\.RNN"):
        cell_from_torch(nn.Linear(2, 2))  # type: ignore[arg-type]
