"""R-FORCE connectivity: the eigenvalue layout of Zheng & Shlizerman (arXiv 2003.11660).

Our own implementation of the layout drawn by ``RFORCE_Distribution`` in the authors'
repository (shlizee/LyapunovAutoEncode). For a network of N units and gain g the
P = ⌊N/2⌋ conjugate pairs λ, λ̄ of J's eigenvalues lie on four circles of radii
``(0.9, 0.7, 0.72, 1.2) · g``, each circle's pairs at evenly spaced angles (``linspace``,
both ends included) in an angle range, and::

    J = V diag(λ) V⁻¹,   V = eigenvectors of A = G − Gᵀ,   G (N, N) ~ N(0, 1).

A is normal, so V is unitary and its columns come in conjugate pairs (v, v̄) spanning
the invariant planes of A; λ goes to v and λ̄ to v̄, so J is real. We build it in real
arithmetic: with q₁ = √2 Re v, q₂ = √2 Im v (orthonormal), J = Q B Qᵀ with B
block-diagonal, blocks ``[[a, b], [−b, a]]`` for λ = a + ib (odd N: one more eigenvalue 0
on A's null vector, as in the authors' code).

Shares of the P pairs per circle (d_c = |r_c − 1.15|):

- ``1.2 g > 1.55`` (g > 1.29): the outer circle (1.2 g) gets ⌊0.01 P⌋ pairs; the first
  two inner circles ⌊max(w_c P, 0.1 P)⌋ with w_c ∝ d_c^(−2g) normalised over the three
  inner circles; the third inner circle the rest.
- ``1.2 g ≤ 1.55``: the authors' code leaves its count array undefined here (a
  ``NameError``). We define it as that code evidently intends: the first three circles
  get ⌊w_c P⌋ pairs with w_c ∝ tanh(−2 d_c) + 1 normalised over all four circles, the
  outer circle the rest.

Two further departures, both so that every pair is placed on a circle: the authors
truncate fractional counts, which can leave one pair at λ = 0, and we give it to the
circle that takes the rest; just above g = 1.29 the first inner circle sits on the
1.15 threshold and the minimum shares over-commit (their code then fails on a negative
count), and we give the third inner circle no pairs and take the excess from the
largest circle.

Angle ranges (radians, upper half plane): inner circles ``[0.02, π/3]``,
``[π/3, 2π/3]``, ``[2π/3, π − 0.02]`` for g < 1.8, else ``[4π/5, π − 0.02]``,
``[2π/5, 4π/5]``, ``[0.02, 2π/5]``; outer circle ``[0, 1.2π / (3 g²)]`` for g < 1.4,
else ``[0.4π, 0.6π]``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

DTYPE = torch.float64
RADII = (0.9, 0.7, 0.72, 1.2)
THRESHOLD = 1.15
OUTER_SHARE = 0.01
MIN_INNER_SHARE = 0.1
BRANCH_RADIUS = 1.55


def pair_counts(pairs: int, g: float) -> list[int]:
    """Conjugate pairs on each of the four circles (sum ``pairs``), see module docstring."""
    if pairs < 0 or g <= 0:
        raise ValueError(f"rforce layout needs pairs >= 0 and gain g > 0, got {pairs}, {g}")
    distance = [abs(r * g - THRESHOLD) for r in RADII]
    if RADII[-1] * g > BRANCH_RADIUS:
        weights = [d ** (-2 * g) for d in distance[:3]]
        shares = [w / sum(weights) for w in weights]
        first = [math.floor(max(s * pairs, MIN_INNER_SHARE * pairs)) for s in shares[:2]]
        outer = math.floor(OUTER_SHARE * pairs)
        rest = pairs - outer - sum(first)
        if rest < 0:
            first[first.index(max(first))] += rest
            rest = 0
        return [*first, rest, outer]
    weights = [math.tanh(-2 * d) + 1 for d in distance]
    counts = [math.floor(w / sum(weights) * pairs) for w in weights[:3]]
    return [*counts, pairs - sum(counts)]


def angle_ranges(g: float) -> list[tuple[float, float]]:
    """(low, high) angle in radians of the pairs on each of the four circles."""
    pi = math.pi
    if g < 1.8:
        inner = [(0.02, pi / 3), (pi / 3, 2 * pi / 3), (2 * pi / 3, pi - 0.02)]
    else:
        inner = [(4 * pi / 5, pi - 0.02), (2 * pi / 5, 4 * pi / 5), (0.02, 2 * pi / 5)]
    outer = (0.0, 1.2 * pi / (3 * g**2)) if g < 1.4 else (0.4 * pi, 0.6 * pi)
    return [*inner, outer]


def layout(pairs: int, g: float) -> Tensor:
    """The upper-half-plane eigenvalues λ of the ``pairs`` conjugate pairs: complex128 (P,)."""
    parts = []
    for radius, count, (low, high) in zip(
        RADII, pair_counts(pairs, g), angle_ranges(g), strict=True
    ):
        theta = torch.linspace(low, high, count, dtype=DTYPE)
        parts.append(torch.polar(torch.full_like(theta, radius * g), theta))
    return torch.cat(parts)


def antisymmetric_planes(n: int, gen: torch.Generator) -> Tensor:
    """Q (n, n) orthogonal: columns 2i, 2i+1 are √2 Re v, √2 Im v for the i-th eigenvector v
    (eigenvalue iω, ω > 0, descending) of A = G − Gᵀ; odd n: last column A's null vector."""
    gauss = torch.randn(n, n, generator=gen, dtype=DTYPE)
    values, vectors = torch.linalg.eig(gauss - gauss.T)
    order = torch.argsort(values.imag, descending=True)
    upper = vectors[:, order[: n // 2]]
    columns = torch.stack([upper.real, upper.imag], dim=-1).reshape(n, -1) * math.sqrt(2)
    if n % 2:
        null = vectors[:, order[n // 2]]
        null = (null * null[null.abs().argmax()].conj()).real  # drop the arbitrary phase
        columns = torch.cat([columns, (null / null.norm())[:, None]], dim=1)
    return columns


def rforce_connectivity(n: int, g: float, gen: torch.Generator) -> Tensor:
    """Real J (n, n) = V diag(λ) V⁻¹ with the R-FORCE eigenvalue layout (module docstring)."""
    q = antisymmetric_planes(n, gen)
    lam = layout(n // 2, g)
    b = torch.zeros(n, n, dtype=DTYPE)
    idx = torch.arange(n // 2) * 2
    b[idx, idx] = b[idx + 1, idx + 1] = lam.real
    b[idx, idx + 1] = lam.imag
    b[idx + 1, idx] = -lam.imag
    return q @ b @ q.T
