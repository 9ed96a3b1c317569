"""R-FORCE connectivity: eigenvalues on the authors' four circles, in their shares, J real."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from aelle.models.force import init_force
from aelle.models.rforce import pair_counts, rforce_connectivity
from aelle.models.seeds import generator

PI = math.pi


@pytest.mark.parametrize(
    ("pairs", "g", "counts"),
    [
        # g ≤ 1.29 (the branch the authors leave undefined): weights tanh(−2|r − 1.15|) + 1
        # over radii (0.9, 0.7, 0.72, 1.2) = (0.538, 0.284, 0.304, 0.900) / 2.026
        (50, 1.0, [13, 7, 7, 23]),
        (200, 1.0, [53, 28, 29, 90]),
        # g = 1.5: weights |r − 1.15|^−3 = (0.2, 0.1, 0.07)^−3 → shares (0.031, 0.248, 0.722);
        # the first two at least 0.1 P = 5, the outer circle ⌊0.5⌋ = 0, the third the rest
        (50, 1.5, [5, 12, 33, 0]),
        # g = 2.0: (0.65, 0.25, 0.29)^−4 → (0.014, 0.635, 0.351); outer ⌊0.01·200⌋ = 2
        (200, 2.0, [20, 127, 51, 2]),
        # g = 1.3: circle 1 sits on 1.15 (share 0.997) and over-commits by 4 pairs
        (50, 1.3, [45, 5, 0, 0]),
    ],
)
def test_pair_counts_known_answers(pairs, g, counts):
    assert pair_counts(pairs, g) == counts


def test_pair_counts_place_every_pair_for_any_gain():
    for pairs in (0, 1, 7, 32, 64, 250):
        for g in np.linspace(0.2, 4.0, 191):
            counts = pair_counts(pairs, float(g))
            assert sum(counts) == pairs and min(counts) >= 0, (pairs, g, counts)


def expected_eigenvalues(n: int, g: float, counts: list[int]) -> np.ndarray:
    """The layout written out by hand for g < 1.4 (angle ranges of the g < 1.8 branch)."""
    ranges = [(0.02, PI / 3), (PI / 3, 2 * PI / 3), (2 * PI / 3, PI - 0.02)]
    ranges.append((0.0, 1.2 * PI / (3 * g**2)))
    upper = np.concatenate(
        [
            r * g * np.exp(1j * np.linspace(low, high, c))
            for r, c, (low, high) in zip((0.9, 0.7, 0.72, 1.2), counts, ranges, strict=True)
        ]
    )
    extra = [0.0] if n % 2 else []
    return np.sort_complex(np.concatenate([upper, upper.conj(), extra]))


@pytest.mark.parametrize(("n", "g", "counts"), [(100, 1.0, [13, 7, 7, 23]), (101, 1.0, None)])
def test_eigenvalues_lie_on_the_circles_in_their_shares(n, g, counts):
    counts = counts or pair_counts(n // 2, g)
    j = rforce_connectivity(n, g, generator(3, "j"))
    assert j.dtype == torch.float64 and not j.is_complex()
    eig = np.sort_complex(torch.linalg.eigvals(j).numpy())
    np.testing.assert_allclose(eig, expected_eigenvalues(n, g, counts), atol=1e-8)


@pytest.mark.parametrize(("g", "shares"), [(1.5, [5, 12, 33, 0]), (2.0, [5, 31, 14, 0])])
def test_moduli_counted_per_circle(g, shares):
    n = 100
    eig = torch.linalg.eigvals(rforce_connectivity(n, g, generator(4, "j"))).numpy()
    for radius, pairs in zip((0.9, 0.7, 0.72, 1.2), shares, strict=True):
        on_circle = np.isclose(np.abs(eig), radius * g, atol=1e-8)
        assert on_circle.sum() == 2 * pairs
    upper = eig[eig.imag > 1e-9]
    assert len(upper) == n // 2  # every pair is a conjugate pair, none on the real axis here
    if g >= 1.8:  # the first circle's angles move to [4π/5, π − 0.02]
        first = upper[np.isclose(np.abs(upper), 0.9 * g, atol=1e-8)]
        assert np.all(np.angle(first) >= 4 * PI / 5 - 1e-9)


def test_eigenvectors_are_those_of_the_antisymmetric_draw():
    """J = V diag(λ) V⁻¹ with V the eigenvectors of A = G − Gᵀ: J commutes with A."""
    n = 40
    j = rforce_connectivity(n, 1.6, generator(5, "j"))
    g = torch.randn(n, n, generator=generator(5, "j"), dtype=torch.float64)
    a = g - g.T
    assert torch.allclose(j @ a, a @ j, atol=1e-9)
    assert torch.allclose(j @ j.T, j.T @ j, atol=1e-9)  # normal: V is unitary
    assert not torch.allclose(j @ a, torch.zeros_like(a))


def test_init_force_draws_rforce_from_the_seed():
    first, x0 = init_force("rforce", 30, 1.2, seed=9)
    again, _ = init_force("rforce", 30, 1.2, seed=9)
    other, _ = init_force("rforce", 30, 1.2, seed=10)
    assert torch.equal(first["J"], again["J"]) and not torch.equal(first["J"], other["J"])
    assert x0.shape == (30,)


def test_bad_gain_names_the_argument():
    with pytest.raises(ValueError, match="gain g > 0"):
        pair_counts(10, 0.0)
