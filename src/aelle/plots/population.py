"""Figures of the trained population itself: spectra, their convergence, task examples,
loss against the initialisation hyperparameter, and good / bad distributions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import LogNorm

from aelle.plots.style import (
    BAD,
    GOOD,
    GOOD_BAD,
    good_bad,
    hyperparameter_label,
    le_unit,
    loss_label,
    new_figure,
    save,
)


def _require(frame: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{where}: table lacks column(s) {missing}")
    if len(frame) == 0:
        raise ValueError(f"{where}: table has no rows")


def plot_spectra(
    table: pd.DataFrame,
    out_stem: str | Path,
    *,
    task: str,
    log_base: float,
    loss_threshold: float,
    per_class: int = 5,
    seed: int = 0,
) -> list[Path]:
    """Family ``spectra``: sample Lyapunov spectra of good and bad networks.

    Args:
        table: one row per network with ``exponents`` (sequence, descending, log-base
            units) and ``final_loss``.
        loss_threshold: good = final loss below it.
        per_class: spectra drawn per class (seeded).
    """
    _require(table, ["exponents", "final_loss"], "plot_spectra")
    rng = np.random.default_rng(seed)
    fig, (ax,) = new_figure(width=5.0)
    labels = np.array(good_bad(table["final_loss"], loss_threshold))
    for label in ("good", "bad"):
        rows = np.flatnonzero(labels == label)
        for i in rng.choice(rows, size=min(per_class, rows.size), replace=False):
            lam = np.asarray(table["exponents"].iloc[i], dtype=float)
            ax.plot(
                np.arange(1, lam.size + 1), lam, color=GOOD_BAD[label], alpha=0.7, lw=1, label=label
            )
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), title=f"loss < {loss_threshold:.3g}: good")
    ax.axhline(0.0, color="0.5", lw=0.5)
    ax.set(
        xlabel="exponent index i",
        ylabel=f"Lyapunov exponent λ_i ({le_unit(log_base)})",
        title=f"{task}: sample spectra",
    )
    return save(fig, out_stem)


def plot_convergence(
    running: np.ndarray,
    out_stem: str | Path,
    *,
    task: str,
    log_base: float,
    qr_every: int = 1,
) -> list[Path]:
    """Family ``convergence``: running estimates of the exponents against time.

    Args:
        running: ``(steps, k)`` running estimate of the first ``k`` exponents after each
            recorded step (log-base units).
        qr_every: time steps between records (x axis in time steps).
    """
    running = np.asarray(running, dtype=float)
    if running.ndim != 2 or running.shape[0] == 0:
        raise ValueError(f"plot_convergence: expected a (steps, k) array, got {running.shape}")
    fig, (ax,) = new_figure(width=5.0)
    steps = np.arange(1, running.shape[0] + 1) * qr_every
    colors = sns.color_palette("viridis", running.shape[1])
    for j in range(running.shape[1]):
        ax.plot(steps, running[:, j], color=colors[j], lw=1)
    ax.set(
        xlabel="time step",
        ylabel=f"running estimate of λ_i ({le_unit(log_base)})",
        title=f"{task}: convergence of {running.shape[1]} exponents",
    )
    return save(fig, out_stem)


PROBABILITY_FLOOR = 1e-4
"""Smallest next-character probability told apart in ``task-examples`` (darker is clipped)."""


def probability_norm() -> LogNorm:
    """Colour scale of next-character probabilities: log10 from ``PROBABILITY_FLOOR`` to 1.

    A linear 0..1 scale paints a softmax over ~100 characters almost black (each
    probability is ~0.01); on this scale the uniform 0.01 sits mid-way and below-floor
    values are clipped to the floor's colour.
    """
    return LogNorm(vmin=PROBABILITY_FLOOR, vmax=1.0, clip=True)


def plot_task_examples(
    examples: Mapping[str, np.ndarray],
    out_stem: str | Path,
    *,
    task: str,
    losses: Mapping[str, float],
    target: np.ndarray,
    vocabulary: Sequence[str] | None = None,
    dt: float = 0.1,
) -> list[Path]:
    """Family ``task-examples``: what good / middling / bad networks do.

    Args:
        examples: per network name (e.g. "good", "middling", "bad"): ``charrnn``: next-
            character probabilities ``(T, V)``; ``signal``: generated signal ``(T,)``.
        losses: per network name, its loss (printed on the panel).
        target: ``charrnn``: true next-character indices ``(T,)``; ``signal``: target
            signal ``(T,)``, or ``(E, T)`` with each example's own target (rows in the
            order of ``examples``).
        vocabulary: ``charrnn``: the ``V`` symbols (the true characters label the x axis).
        dt: ``signal``: time step.
    """
    if task not in ("charrnn", "signal"):
        raise ValueError(f"plot_task_examples: no example figure for task {task!r}")
    target = np.asarray(target)
    fig, axes = new_figure(len(examples), 1, width=4.5, height=3.2)
    for row, (ax, (name, values)) in enumerate(zip(axes, examples.items(), strict=True)):
        values = np.asarray(values, dtype=float)
        if task == "charrnn":
            if values.ndim != 2 or values.shape[0] != target.shape[0]:
                raise ValueError(
                    f"plot_task_examples: {name}: probabilities {values.shape} do "
                    f"not match targets {target.shape}"
                )
            image = ax.imshow(
                values.T,
                aspect="auto",
                origin="lower",
                cmap="magma",
                norm=probability_norm(),
                interpolation="nearest",
            )
            ax.plot(
                np.arange(target.shape[0]),
                target,
                "o",
                ms=2,
                mfc="none",
                color="cyan",
                label="true next character",
            )
            fig.colorbar(image, ax=ax, label="P(next character), log scale")
            ax.set(xlabel="position in text (characters)", ylabel="character index")
            if vocabulary is not None and target.shape[0] <= 40:
                ax.set_xticks(
                    np.arange(target.shape[0]),
                    [repr(vocabulary[t])[1:-1] for t in target],
                    fontsize=6,
                )
        else:
            own = target[row] if target.ndim == 2 else target
            time = np.arange(own.shape[0]) * dt
            ax.plot(time, own, color="0.3", lw=1.5, label="target")
            ax.plot(time, values, color=GOOD if name == "good" else BAD, lw=1, label="generated")
            ax.set(xlabel="time (s)", ylabel="signal (a.u.)")
        ax.legend(loc="upper right", fontsize=7)
        ax.set_title(f"{name}: {loss_label(task)} = {losses[name]:.3g}", fontsize=9)
    return save(fig, out_stem)


def plot_loss_vs_hyperparameter(
    table: pd.DataFrame,
    out_stem: str | Path,
    *,
    task: str,
    loss_threshold: float,
) -> list[Path]:
    """Family ``loss-vs-hyperparameter``: final loss against p (signal: g), good / bad.

    Args:
        table: one row per network with ``p``, ``final_loss`` and ``arch`` (one panel per
            architecture).
    """
    _require(table, ["p", "final_loss", "arch"], "plot_loss_vs_hyperparameter")
    archs = sorted(table["arch"].unique())
    fig, axes = new_figure(len(archs), 1, width=3.8)
    for ax, arch in zip(axes, archs, strict=True):
        rows = table.loc[table["arch"] == arch]
        sns.scatterplot(
            x=rows["p"],
            y=rows["final_loss"],
            ax=ax,
            s=14,
            hue=good_bad(rows["final_loss"], loss_threshold),
            palette=GOOD_BAD,
        )
        ax.axhline(loss_threshold, color="0.4", ls="--", lw=0.8)
        ax.set(xlabel=hyperparameter_label(task), ylabel=loss_label(task), title=f"{arch}")
    return save(fig, out_stem)


def plot_distributions(
    table: pd.DataFrame,
    out_stem: str | Path,
    *,
    task: str,
    loss_threshold: float,
) -> list[Path]:
    """Family ``distributions``: hyperparameter and size distributions of good vs bad.

    Args:
        table: one row per network with ``p``, ``size`` and ``final_loss``.
    """
    _require(table, ["p", "size", "final_loss"], "plot_distributions")
    frame = table.assign(label=good_bad(table["final_loss"], loss_threshold))
    fig, (ax_p, ax_size) = new_figure(2, 1, width=4.0)
    sns.histplot(
        frame,
        x="p",
        hue="label",
        palette=GOOD_BAD,
        ax=ax_p,
        element="step",
        bins=15,
        hue_order=["good", "bad"],
    )
    ax_p.set(xlabel=hyperparameter_label(task), ylabel="networks")
    sns.countplot(
        frame, x="size", hue="label", palette=GOOD_BAD, ax=ax_size, hue_order=["good", "bad"]
    )
    ax_size.set(xlabel="hidden size (units)", ylabel="networks")
    fig.suptitle(f"{task}: good = {loss_label(task)} < {loss_threshold:.3g}")
    return save(fig, out_stem)
