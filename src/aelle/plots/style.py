"""Shared figure conventions: Agg backend, colour-blind-safe palettes, units, saving."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import seaborn as sns
from matplotlib.figure import Figure

GOOD, BAD = "#0072B2", "#D55E00"
"""Okabe–Ito blue (good: loss below threshold) and vermillion (bad)."""
GOOD_BAD = {"good": GOOD, "bad": BAD}
LOSS_CMAP = "viridis"
_CATEGORY_ORDER = (2, 4, 9, 8, 5, 6, 7, 3, 0, 1)


def category_palette(n: int) -> list:
    """``n`` colour-blind-safe colours for categories (architecture, size), avoiding the
    good / bad blue and vermillion while fewer than nine categories are drawn."""
    base = sns.color_palette("colorblind", 10)
    return [base[_CATEGORY_ORDER[i % 10]] for i in range(n)]


LOSS_LABELS = {
    "smnist": "validation cross-entropy (nats)",
    "charrnn": "validation loss (nats per character)",
    "signal": "test MAE of generated signal",
}
HYPERPARAMETER_LABELS = {"signal": "gain g"}


def le_unit(log_base: float) -> str:
    """Unit of exponents in log base ``log_base``: bits / nats per step."""
    if math.isclose(log_base, 2.0):
        return "bits per step"
    if math.isclose(log_base, math.e):
        return "nats per step"
    return f"log{log_base:g} units per step"


def loss_label(task: str) -> str:
    """Axis label of the task's performance metric."""
    return LOSS_LABELS.get(task, "validation loss")


def hyperparameter_label(task: str) -> str:
    """Axis label of the per-network initialisation hyperparameter."""
    return HYPERPARAMETER_LABELS.get(task, "init scale p")


def fmt_score(name: str, score: float | Mapping[str, float] | None) -> str:
    """``"name = v [low, high]"`` for a score dict ``{value, low, high}`` or a bare number."""
    if score is None:
        return f"{name} = n/a"
    if isinstance(score, Mapping):
        value, low, high = score.get("value"), score.get("low"), score.get("high")
        if value is None:
            return f"{name} = n/a"
        if low is None or high is None:
            return f"{name} = {value:.2f}"
        return f"{name} = {value:.2f} [{low:.2f}, {high:.2f}]"
    return f"{name} = {score:.2f}"


def new_figure(
    ncols: int = 1, nrows: int = 1, *, width: float = 4.2, height: float = 3.6
) -> tuple[Figure, list]:
    """A seaborn-styled figure with ``nrows x ncols`` axes (flattened list)."""
    sns.set_theme(style="ticks", context="paper")
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, list(axes.ravel())


def save(fig: Figure, out_stem: str | Path) -> list[Path]:
    """Write ``{out_stem}.png`` (150 dpi) and ``{out_stem}.pdf``; return both paths.

    No creation date or software version is embedded, so a figure rebuilt from the same
    data is byte-identical (a reproducer's figures can be compared with the producer's).
    """
    stem = Path(out_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_name(stem.name + ".png"), stem.with_name(stem.name + ".pdf")]
    fig.savefig(paths[0], dpi=150, metadata={"Software": None})
    fig.savefig(paths[1], metadata={"Creator": None, "Producer": None, "CreationDate": None})
    return paths


def good_bad(loss, threshold: float) -> list[str]:
    """``"good"`` where ``loss < threshold`` else ``"bad"``, per element."""
    return ["good" if v < threshold else "bad" for v in loss]
