"""Target signals for FORCE learning: sums of four sines.

f(t) = Σ_k (1/s_k) sin(m_k π t / 60), s_k ∈ {1..10}, m_k ∈ {1..5}, t = step · dt. With the
default dt = 0.1 one period (t ∈ [0, 120)) is 1,200 steps. Arrays: ``target`` (T,)
float64, one period of the training target; ``novel_targets`` (Q, T) float64, one period
of each of Q further targets of the same family; ``target_terms`` / ``novel_terms``
int64 (…, 4, 2) with the (s_k, m_k) of each target. ``target`` is the one every network
learns when ``target: shared``; with ``target: per_network`` (default) each network draws
its own from its seed (:func:`aelle.models.force.population_targets`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
from torch import Tensor

from aelle.data.sources import DataError

COMPONENTS = 4
TARGET_MODES = ("per_network", "shared")


def draw_terms(count: int, generator: torch.Generator) -> Tensor:
    """Draw ``count`` targets' (s_k, m_k) pairs: int64 (count, 4, 2)."""
    s = torch.randint(1, 11, (count, COMPONENTS, 1), generator=generator)
    m = torch.randint(1, 6, (count, COMPONENTS, 1), generator=generator)
    return torch.cat([s, m], dim=-1)


def evaluate(terms: Tensor, steps: int, dt: float, start: int = 0) -> Tensor:
    """f at steps ``start .. start+steps-1``: terms (..., 4, 2) → (..., steps) float64."""
    t = (torch.arange(start, start + steps, dtype=torch.float64) * dt)[None, :]
    s = terms[..., 0].to(torch.float64)[..., None]
    m = terms[..., 1].to(torch.float64)[..., None]
    return (torch.sin(m * math.pi * t / 60.0) / s).sum(dim=-2)


def load(
    cfg: Mapping[str, object], *, seed: int
) -> tuple[dict[str, Tensor], dict[str, float | str]]:
    """Return (arrays, meta) for the signal config (``source: generated``, ``dt``,
    ``period_steps``, ``novel_targets``, ``target``); meta holds ``dt``, ``period_steps``
    and ``target`` (the mode)."""
    source = cfg.get("source", "generated")
    if source != "generated":
        raise DataError(f"signal: unknown source kind {source!r} (expected 'generated')")
    dt = float(cfg.get("dt", 0.1))
    period = int(cfg.get("period_steps", 1200))
    count = int(cfg.get("novel_targets", 8))
    if dt <= 0 or period < 2 or count < 1:
        raise DataError(f"signal: need dt > 0, period_steps ≥ 2, novel_targets ≥ 1; got {cfg}")
    mode = cfg.get("target", "per_network")
    if mode not in TARGET_MODES:
        raise DataError(
            f"tasks.signal.data.target: must be one of {list(TARGET_MODES)}, got {mode!r}"
        )
    generator = torch.Generator().manual_seed(seed)
    target_terms = draw_terms(1, generator)[0]
    novel_terms = draw_terms(count, generator)
    arrays = {
        "target": evaluate(target_terms, period, dt),
        "novel_targets": evaluate(novel_terms, period, dt),
        "target_terms": target_terms,
        "novel_terms": novel_terms,
    }
    return arrays, {"dt": dt, "period_steps": period, "target": str(mode)}


def signal_streams(terms: Tensor, sequences: int, steps: int, dt: float, seed: int) -> Tensor:
    """Stretches of targets with seeded random phase: (sequences, steps) float64.

    ``terms`` (Q, 4, 2): stream i uses target ``i % Q`` from a random start step.
    """
    generator = torch.Generator().manual_seed(seed)
    starts = torch.randint(0, 1 << 20, (sequences,), generator=generator).tolist()
    return torch.stack(
        [evaluate(terms[i % len(terms)], steps, dt, start) for i, start in enumerate(starts)]
    )
