"""Percentile bootstrap intervals, paired across methods (same resampled networks)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

ScoreFn = Callable[..., dict[str, np.ndarray]]


def bootstrap_indices(n: int, resamples: int, seed: int) -> np.ndarray:
    """``(resamples, n)`` indices drawn with replacement by ``default_rng(seed)``."""
    if n < 1 or resamples < 1:
        raise ValueError(f"bootstrap_indices: need n >= 1 and resamples >= 1, got {n}, {resamples}")
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def with_intervals(
    score_fn: ScoreFn, arrays: tuple[np.ndarray, ...], indices: np.ndarray, level: float = 0.95
) -> dict[str, dict[str, float]]:
    """Point value and percentile interval of every score that ``score_fn`` returns.

    Args:
        score_fn: takes arrays ``(B, n)`` (one per entry of ``arrays``) and returns a dict of
            ``(B,)`` scores (as in :mod:`aelle.ae.metrics`).
        arrays: per-network inputs ``(n,)``, resampled together (paired).
        indices: ``(resamples, n)`` from :func:`bootstrap_indices`.
        level: interval coverage.

    Returns:
        ``{score: {"value", "low", "high"}}``; NaN resamples are ignored, and an interval
        with no finite resample is NaN.
    """
    point = score_fn(*(np.asarray(a)[None, :] for a in arrays))
    boot = score_fn(*(np.asarray(a)[indices] for a in arrays))
    tail = 100 * (1 - level) / 2
    out = {}
    for name, values in point.items():
        finite = boot[name][np.isfinite(boot[name])]
        low, high = np.percentile(finite, [tail, 100 - tail]) if finite.size else (np.nan, np.nan)
        out[name] = {"value": float(values[0]), "low": float(low), "high": float(high)}
    return out
