"""QR engine on maps with known spectra."""

from __future__ import annotations

import math

import pytest
import torch

from aelle.lyapunov import NonFiniteSpectrumError, SpectrumOptions, map_spectrum, positive_qr
from aelle.lyapunov.engine import Basis, evolve_basis

F64 = torch.float64
NATS = SpectrumOptions(log_base=math.e)


def _linear(a: torch.Tensor):
    def step(x: torch.Tensor, t: int) -> torch.Tensor:
        return x @ a.mT

    def jacobian(x: torch.Tensor, t: int) -> torch.Tensor:
        return a.expand(x.shape[0], *a.shape)

    return step, jacobian


def test_positive_qr() -> None:
    a = torch.randn(3, 5, 4, dtype=F64)
    q, r_diag = positive_qr(a)
    torch.testing.assert_close(q.mT @ q, torch.eye(4, dtype=F64).expand(3, 4, 4))
    r = q.mT @ a
    torch.testing.assert_close(r.diagonal(dim1=-2, dim2=-1), r_diag)
    assert (r_diag > 0).all()
    torch.testing.assert_close(r.tril(-1), torch.zeros_like(r))


def test_linear_map_gives_log_moduli_of_eigenvalues() -> None:
    g = torch.Generator().manual_seed(0)
    s = torch.randn(4, 4, generator=g, dtype=F64) + 3 * torch.eye(4, dtype=F64)
    eig = torch.tensor([2.0, -1.2, 0.5, 0.1], dtype=F64)
    a = s @ torch.diag(eig) @ torch.linalg.inv(s)
    x0 = torch.randn(2, 4, generator=g, dtype=F64)
    exps = map_spectrum(*_linear(a), x0, 400, options=NATS)
    expected = eig.abs().log().sort(descending=True).values
    torch.testing.assert_close(exps, expected.expand(2, 4), atol=2e-2, rtol=0)
    # The convergence is O(1/T): the error shrinks tenfold with ten times the steps.
    exps_long = map_spectrum(
        *_linear(a), x0, 4000, options=SpectrumOptions(qr_every=3, log_base=math.e)
    )
    torch.testing.assert_close(exps_long, expected.expand(2, 4), atol=2e-3, rtol=0)
    in_bits = map_spectrum(*_linear(a), x0, 4000, options=SpectrumOptions(qr_every=3))
    torch.testing.assert_close(in_bits, exps_long / math.log(2))


def test_orthogonal_map_has_zero_exponents() -> None:
    q, _ = torch.linalg.qr(torch.randn(6, 6, generator=torch.Generator().manual_seed(1), dtype=F64))
    exps = map_spectrum(
        *_linear(q), torch.zeros(3, 6, dtype=F64), 200, options=SpectrumOptions(num_exponents=4)
    )
    assert exps.shape == (3, 4)
    torch.testing.assert_close(exps, torch.zeros(3, 4, dtype=F64), atol=1e-12, rtol=0)


def _henon(a: float = 1.4, b: float = 0.3):
    def step(x: torch.Tensor, t: int) -> torch.Tensor:
        return torch.stack([1 - a * x[:, 0] ** 2 + x[:, 1], b * x[:, 0]], 1)

    def jacobian(x: torch.Tensor, t: int) -> torch.Tensor:
        jac = x.new_zeros(x.shape[0], 2, 2)
        jac[:, 0, 0] = -2 * a * x[:, 0]
        jac[:, 0, 1] = 1.0
        jac[:, 1, 0] = b
        return jac

    return step, jacobian


def test_henon_map_known_exponents() -> None:
    x0 = torch.rand(64, 2, generator=torch.Generator().manual_seed(2), dtype=F64) * 0.1
    exps = map_spectrum(*_henon(), x0, 8000, warmup=200, options=NATS)
    mean = exps.mean(0)
    assert abs(mean[0].item() - 0.4192) < 0.005
    assert abs(mean[1].item() - (-1.6232)) < 0.005
    # Sum of exponents = log|det J| = log b exactly for the Hénon map.
    torch.testing.assert_close(exps.sum(1), torch.full((64,), math.log(0.3), dtype=F64))


def test_sum_of_exponents_is_mean_log_det() -> None:
    g = torch.Generator().manual_seed(3)
    w = torch.randn(5, 5, generator=g, dtype=F64) * 0.9

    def step(x: torch.Tensor, t: int) -> torch.Tensor:
        return torch.tanh(x @ w.mT + math.sin(t))

    def jacobian(x: torch.Tensor, t: int) -> torch.Tensor:
        return (1 - step(x, t) ** 2).unsqueeze(-1) * w

    x0 = torch.randn(3, 5, generator=g, dtype=F64)
    exps = map_spectrum(
        step, jacobian, x0, 150, warmup=7, options=SpectrumOptions(qr_every=4, log_base=math.e)
    )
    x, log_det = x0, torch.zeros(3, dtype=F64)
    for t in range(7):
        x = step(x, t)
    for t in range(7, 157):
        log_det += torch.linalg.slogdet(jacobian(x, t)).logabsdet
        x = step(x, t)
    torch.testing.assert_close(exps.sum(1), log_det / 150, atol=1e-8, rtol=0)


def test_running_estimates_end_at_the_spectrum() -> None:
    x0 = torch.rand(4, 2, generator=torch.Generator().manual_seed(4), dtype=F64) * 0.1
    run = map_spectrum(
        *_henon(), x0, 50, warmup=10, options=SpectrumOptions(qr_every=4), running=True
    )
    assert run.steps.tolist() == [*range(4, 49, 4), 50]
    assert run.exponents.shape == (13, 4, 2)
    torch.testing.assert_close(run.exponents[-1], map_spectrum(*_henon(), x0, 50, warmup=10))
    assert run.exponents.dtype == F64


def test_annihilated_direction_gives_finite_floor() -> None:
    a = torch.diag(torch.tensor([2.0, 0.0], dtype=F64))
    exps = map_spectrum(*_linear(a), torch.ones(1, 2, dtype=F64), 10, options=NATS)
    assert torch.isfinite(exps).all()
    assert exps[0, 0].item() == pytest.approx(math.log(2.0))
    assert exps[0, 1].item() == pytest.approx(math.log(torch.finfo(F64).tiny))


def test_nonfinite_trajectories_raise_or_are_flagged() -> None:
    def step(x: torch.Tensor, t: int) -> torch.Tensor:
        return x * torch.tensor([[1.0], [math.inf]], dtype=F64)

    def jacobian(x: torch.Tensor, t: int) -> torch.Tensor:
        return torch.eye(2, dtype=F64) * x.sum(1)[:, None, None]

    x0 = torch.ones(2, 2, dtype=F64)
    with pytest.raises(NonFiniteSpectrumError, match="1 trajectories") as info:
        map_spectrum(step, jacobian, x0, 3)
    assert info.value.bad.tolist() == [False, True]
    exps = map_spectrum(step, jacobian, x0, 3, options=SpectrumOptions(nonfinite="nan"))
    assert torch.isfinite(exps[0]).all() and torch.isnan(exps[1]).all()


def test_bad_arguments_raise() -> None:
    step, jacobian = _linear(torch.eye(2, dtype=F64))
    x0 = torch.zeros(1, 2, dtype=F64)
    with pytest.raises(ValueError, match="num_exponents"):
        map_spectrum(step, jacobian, x0, 3, options=SpectrumOptions(num_exponents=3))
    with pytest.raises(ValueError, match="x0"):
        map_spectrum(step, jacobian, x0[0], 3)
    with pytest.raises(ValueError, match="jacobian"):
        map_spectrum(step, lambda x, t: torch.eye(3, dtype=F64).expand(1, 3, 3), x0, 3)
    with pytest.raises(ValueError, match="a map has only its full state"):
        map_spectrum(step, jacobian, x0, 3, options=SpectrumOptions(state="hidden"))


def test_computes_in_the_options_dtype() -> None:
    """A float32 start is computed in float64 by default, and in float32 when asked."""
    a = torch.diag(torch.tensor([2.0, 0.5]))
    x0 = torch.ones(1, 2)
    exps = map_spectrum(*_linear(a.double()), x0, 10)
    assert exps.dtype == F64
    torch.testing.assert_close(exps, torch.tensor([[1.0, -1.0]], dtype=F64))
    single = map_spectrum(*_linear(a), x0, 10, options=SpectrumOptions(dtype=torch.float32))
    assert single.dtype == torch.float32


@pytest.mark.parametrize(("k", "qr_every"), [(5, 1), (5, 2), (3, 1), (3, 3)])
def test_evolve_basis_matches_explicit_positive_qr(k: int, qr_every: int) -> None:
    g = torch.Generator().manual_seed(5)
    jacs = torch.randn(7, 2, 3, 5, 5, generator=g, dtype=F64)

    def advance(x: torch.Tensor, t: int) -> tuple[torch.Tensor, torch.Tensor]:
        return x + 1, jacs[t]

    q0 = torch.eye(5, k, dtype=F64).expand(2, 3, 5, k)
    x, q, log_sum, _ = evolve_basis(advance, torch.zeros(1), q0, 7, qr_every=qr_every)
    ref_q, ref_sum = q0, torch.zeros(2, 3, k, dtype=F64)
    for t in range(7):
        ref_q = jacs[t] @ ref_q
        if (t + 1) % qr_every == 0 or t == 6:
            ref_q, r_diag = positive_qr(ref_q)
            ref_sum += r_diag.log()
    assert x.item() == 7
    torch.testing.assert_close(q, ref_q, atol=1e-12, rtol=0)
    torch.testing.assert_close(log_sum, ref_sum, atol=1e-12, rtol=0)


def test_implicit_and_explicit_basis_agree() -> None:
    g = torch.Generator().manual_seed(6)
    jacs = torch.randn(4, 3, 6, 6, generator=g, dtype=F64)
    q0 = torch.eye(6, dtype=F64).expand(3, 6, 6)
    implicit, explicit = Basis(q0, implicit=True), Basis(q0, implicit=False)
    for jac in jacs:
        implicit.apply(jac)
        explicit.apply(jac)
        torch.testing.assert_close(implicit.orthonormalise(), explicit.orthonormalise())
    torch.testing.assert_close(implicit.matrix(), explicit.matrix())
    with pytest.raises(ValueError, match="must be square"):
        Basis(q0[..., :2], implicit=True)
