"""The hand-differentiated LSTM sequence against the LSTM cell stepped by autograd.

:class:`aelle.cells.LSTMCell` is checked against torch's ``nn.LSTM`` in test_cells.py; here
:func:`lstm_sequence` must give its hidden states and gradients (float64: to rounding), and
its backward must pass torch's finite-difference ``gradcheck``.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from aelle.cells import make_cell
from aelle.models.lstm_sequence import lstm_sequence
from aelle.models.population import Population, step_cell

K, B, T, IN, H = 3, 4, 6, 5, 7


def stepped(pop: Population, x: torch.Tensor) -> torch.Tensor:
    """Features (K, B, T, H) of ``x (K, B, T, IN)`` by the LSTM cell, one step at a time."""
    return step_cell(make_cell("lstm", dict(pop.cell_params.items())), x)


@pytest.mark.parametrize("bias", [False, True])
def test_population_run_equals_the_stepped_cell_with_gradients(bias):
    torch.manual_seed(0)
    pop = Population.create("lstm", IN, H, 2, [1, 2, 3], [0.5, 1.2, 2.5], bias=bias).double()
    x = torch.randn(K, B, T, IN, dtype=torch.float64)
    weights = torch.randn(K, B, T, H, dtype=torch.float64)
    params = list(pop.cell_params.values())
    fast, slow = pop.run(x), stepped(pop, x)
    torch.testing.assert_close(fast, slow, atol=1e-12, rtol=0)
    for a, b in zip(
        torch.autograd.grad((fast * weights).sum(), params),
        torch.autograd.grad((slow * weights).sum(), params),
        strict=True,
    ):
        torch.testing.assert_close(a, b, atol=1e-12, rtol=0)


def test_codes_equal_one_hot_values_and_no_grad_equals_grad():
    torch.manual_seed(1)
    pop = Population.create("lstm", IN, H, 2, [4, 5, 6], [0.9, 1.1, 1.3], bias=True).double()
    tokens = torch.randint(0, IN, (K, B, T))
    by_codes = pop.run_tokens(tokens)
    one_hot = F.one_hot(tokens, IN).double()
    torch.testing.assert_close(by_codes, pop.run(one_hot), atol=1e-12, rtol=0)
    with torch.no_grad():
        assert torch.equal(pop.run_tokens(tokens), by_codes.detach())


def test_backward_passes_gradcheck_for_values_and_codes():
    torch.manual_seed(2)

    def leaf(*shape: int) -> torch.Tensor:
        return (0.5 * torch.randn(*shape, dtype=torch.float64)).requires_grad_()

    x, w_ih, w_hh, bias = leaf(T, K, B, IN), leaf(K, 4 * H, IN), leaf(K, 4 * H, H), leaf(K, 4 * H)
    assert torch.autograd.gradcheck(lstm_sequence, (x, w_ih, w_hh, bias))
    table = leaf(K * IN, 4 * H)
    rows = torch.randint(0, IN, (T, K, B)) + IN * torch.arange(K).view(1, K, 1)
    assert torch.autograd.gradcheck(lambda *v: lstm_sequence(rows, *v), (table, w_hh, bias))


def test_tanh_from_sigmoid_stays_within_float32_rounding():
    pop = Population.create("lstm", IN, H, 2, [7, 8, 9], [3.0, 3.0, 3.0])  # saturating gates
    x = 3 * torch.randn(K, B, T, IN)
    with torch.no_grad():
        torch.testing.assert_close(pop.run(x), stepped(pop, x), atol=1e-6, rtol=0)


def test_mismatched_shapes_are_named():
    w_hh = torch.zeros(K, 4 * H, H)
    with pytest.raises(ValueError, match=r"inputs \(6, 2, 4, 5\).*weight_hh \(K, 4H, H\)"):
        lstm_sequence(torch.zeros(T, 2, B, IN), torch.zeros(K, 4 * H, IN), w_hh)
    with pytest.raises(ValueError, match=r"input weight \(3, 28, 5\), expected \(3, 28, 4\)"):
        lstm_sequence(torch.zeros(T, K, B, 4), torch.zeros(K, 4 * H, IN), w_hh)
