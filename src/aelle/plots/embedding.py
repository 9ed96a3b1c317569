"""Figures of the AeLLE embedding: PCA coloured by performance, size and architecture,
UMAP, novel-input projections and the early-epoch panels."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns

from aelle.plots.population import _require
from aelle.plots.style import (
    GOOD_BAD,
    LOSS_CMAP,
    category_palette,
    fmt_score,
    good_bad,
    loss_label,
    new_figure,
    save,
)

Score = float | Mapping[str, Any] | None


def _threshold_line(ax, pc1_threshold: float | None) -> None:
    if pc1_threshold is not None and np.isfinite(pc1_threshold):
        ax.axvline(pc1_threshold, color="0.2", ls="--", lw=0.8, label="PC1 threshold")


def _annotate(ax, text: str) -> None:
    ax.text(
        0.02,
        0.98,
        text,
        transform=ax.transAxes,
        va="top",
        fontsize=8,
        bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8, "lw": 0},
    )


def plot_aelle_pca_performance(
    embedding: pd.DataFrame,
    out_stem: str | Path,
    *,
    task: str,
    loss_threshold: float,
    pc1_threshold: float | None,
    f1: Score,
) -> list[Path]:
    """Family ``aelle-pca-performance``: latent PCA coloured by loss and by good / bad.

    Args:
        embedding: one row per network with ``pc1, pc2, final_loss``.
        pc1_threshold: the classifier's threshold (drawn as a line), or None.
        f1: test F1 (``{value, low, high}`` or a number), printed on the panel.
    """
    _require(embedding, ["pc1", "pc2", "final_loss"], "plot_aelle_pca_performance")
    fig, (ax_loss, ax_class) = new_figure(2, 1)
    points = ax_loss.scatter(
        embedding["pc1"], embedding["pc2"], c=embedding["final_loss"], cmap=LOSS_CMAP, s=12
    )
    fig.colorbar(points, ax=ax_loss, label=loss_label(task))
    sns.scatterplot(
        x=embedding["pc1"],
        y=embedding["pc2"],
        ax=ax_class,
        s=12,
        hue=good_bad(embedding["final_loss"], loss_threshold),
        palette=GOOD_BAD,
    )
    for ax in (ax_loss, ax_class):
        _threshold_line(ax, pc1_threshold)
        ax.set(xlabel="PC1 of latent code", ylabel="PC2 of latent code")
    _annotate(ax_class, fmt_score("test F1", f1))
    fig.suptitle(f"{task}: AeLLE embedding")
    return save(fig, out_stem)


def plot_aelle_pca_size(
    embedding: pd.DataFrame,
    out_stem: str | Path,
    *,
    task: str,
) -> list[Path]:
    """Family ``aelle-pca-size``: latent PCA coloured by hidden size.

    Args:
        embedding: one row per network with ``pc1, pc2, size``.
    """
    _require(embedding, ["pc1", "pc2", "size"], "plot_aelle_pca_size")
    fig, (ax,) = new_figure()
    sizes = sorted(embedding["size"].unique())
    sns.scatterplot(
        x=embedding["pc1"],
        y=embedding["pc2"],
        ax=ax,
        s=12,
        hue=embedding["size"].astype(str),
        hue_order=[str(s) for s in sizes],
        palette=category_palette(len(sizes)),
    )
    ax.legend(title="hidden size")
    ax.set(
        xlabel="PC1 of latent code",
        ylabel="PC2 of latent code",
        title=f"{task}: AeLLE embedding by size",
    )
    return save(fig, out_stem)


def plot_aelle_pca_architecture(
    embedding: pd.DataFrame,
    shares: Mapping[str, Mapping[str, float]],
    out_stem: str | Path,
    *,
    task: str,
    pc1_threshold: float | None,
    f1: Score = None,
) -> list[Path]:
    """Family ``aelle-pca-architecture``: one embedding over all architectures.

    Args:
        embedding: one row per network with ``pc1, pc2, arch``.
        shares: per architecture ``{good_side, bad_side}``: share of its networks on each
            side of the PC1 threshold (bar panel, in %).
        f1: test F1 over all architectures, printed on the embedding panel.
    """
    _require(embedding, ["pc1", "pc2", "arch"], "plot_aelle_pca_architecture")
    archs = sorted(embedding["arch"].unique())
    palette = dict(zip(archs, category_palette(len(archs)), strict=True))
    fig, (ax, ax_bar) = new_figure(2, 1)
    sns.scatterplot(
        x=embedding["pc1"],
        y=embedding["pc2"],
        hue=embedding["arch"],
        hue_order=archs,
        palette=palette,
        ax=ax,
        s=12,
    )
    _threshold_line(ax, pc1_threshold)
    _annotate(ax, fmt_score("test F1", f1))
    ax.set(
        xlabel="PC1 of latent code",
        ylabel="PC2 of latent code",
        title=f"{task}: AeLLE over {len(archs)} architectures",
    )
    bars = pd.DataFrame(
        [
            {"arch": a, "side": side, "share": 100 * s[f"{side}_side"]}
            for a, s in shares.items()
            for side in ("good", "bad")
        ]
    )
    sns.barplot(
        bars,
        x="arch",
        y="share",
        hue="side",
        palette=GOOD_BAD,
        ax=ax_bar,
        hue_order=["good", "bad"],
    )
    ax_bar.set(xlabel="architecture", ylabel="networks on each side of threshold (%)")
    return save(fig, out_stem)


def plot_umap(
    embedding: pd.DataFrame,
    out_stem: str | Path,
    *,
    task: str,
    loss_threshold: float,
) -> list[Path]:
    """Family ``umap``: UMAP of the latent codes coloured good / bad.

    Args:
        embedding: one row per network with ``umap1, umap2, final_loss``.
    """
    _require(embedding, ["umap1", "umap2", "final_loss"], "plot_umap")
    fig, (ax,) = new_figure()
    sns.scatterplot(
        x=embedding["umap1"],
        y=embedding["umap2"],
        ax=ax,
        s=12,
        hue=good_bad(embedding["final_loss"], loss_threshold),
        palette=GOOD_BAD,
    )
    ax.set(xlabel="UMAP 1 (a.u.)", ylabel="UMAP 2 (a.u.)", title=f"{task}: UMAP of latent")
    return save(fig, out_stem)


def plot_novel_inputs(
    embedding: pd.DataFrame,
    out_stem: str | Path,
    *,
    task: str,
    loss_threshold: float,
    pc1_threshold: float | None,
    f1: Score,
) -> list[Path]:
    """Family ``novel-inputs``: novel-input spectra projected into the fixed PCA basis.

    Args:
        embedding: rows with ``pc1, pc2, final_loss, input_set`` ("val" rows are drawn
            faint as the reference organisation, "novel" rows coloured good / bad).
        f1: test F1 on novel inputs, printed on the panel.
    """
    _require(embedding, ["pc1", "pc2", "final_loss", "input_set"], "plot_novel_inputs")
    reference = embedding.loc[embedding["input_set"] != "novel"]
    novel = embedding.loc[embedding["input_set"] == "novel"]
    if len(novel) == 0:
        raise ValueError("plot_novel_inputs: no rows with input_set 'novel'")
    fig, (ax,) = new_figure(width=5.0)
    ax.scatter(reference["pc1"], reference["pc2"], s=10, color="0.8", label="standard inputs")
    sns.scatterplot(
        x=novel["pc1"],
        y=novel["pc2"],
        ax=ax,
        s=16,
        marker="^",
        hue=[f"novel, {g}" for g in good_bad(novel["final_loss"], loss_threshold)],
        palette={"novel, good": GOOD_BAD["good"], "novel, bad": GOOD_BAD["bad"]},
    )
    _threshold_line(ax, pc1_threshold)
    _annotate(ax, fmt_score("novel-input test F1", f1))
    ax.set(
        xlabel="PC1 of latent code (fixed basis)",
        ylabel="PC2 of latent code (fixed basis)",
        title=f"{task}: novel inputs",
    )
    return save(fig, out_stem)


def plot_early_epochs(
    embedding: pd.DataFrame,
    scores: Mapping[int, Mapping[str, Score]],
    pc1_thresholds: Mapping[int, float],
    out_stem: str | Path,
    *,
    task: str,
    loss_threshold: float,
    shared_basis: bool = False,
) -> list[Path]:
    """Family ``early-epochs``: per epoch, the embedding and the PC1 histogram.

    Args:
        embedding: rows with ``epoch, pc1, pc2, final_loss``.
        scores: per epoch ``{"aelle": F1, "early_loss": F1}`` on test networks (printed).
        pc1_thresholds: per epoch, the PC1 threshold.
        loss_threshold: good = final loss below it.
        shared_basis: the epochs share one autoencoder and PCA basis (analysis
            ``early``): all panels get the same axes, so positions compare across epochs.
            Otherwise each epoch has its own embedding (``early_separate``).
    """
    _require(embedding, ["epoch", "pc1", "pc2", "final_loss"], "plot_early_epochs")
    epochs = sorted(int(e) for e in embedding["epoch"].unique())
    fig, axes = new_figure(len(epochs), 2, width=3.4, height=3.0)
    for j, epoch in enumerate(epochs):
        rows = embedding.loc[embedding["epoch"] == epoch]
        labels = good_bad(rows["final_loss"], loss_threshold)
        ax_emb, ax_hist = axes[j], axes[len(epochs) + j]
        sns.scatterplot(
            x=rows["pc1"],
            y=rows["pc2"],
            hue=labels,
            palette=GOOD_BAD,
            hue_order=["good", "bad"],
            ax=ax_emb,
            s=10,
            legend=j == 0,
        )
        ax_emb.set(xlabel="PC1", ylabel="PC2", title=f"epoch {epoch}")
        sns.histplot(
            x=rows["pc1"],
            hue=labels,
            palette=GOOD_BAD,
            hue_order=["good", "bad"],
            ax=ax_hist,
            bins=15,
            element="step",
            legend=False,
        )
        for ax in (ax_emb, ax_hist):
            _threshold_line(ax, pc1_thresholds.get(epoch))
        ax_hist.set(xlabel="PC1 of latent code", ylabel="networks")
        epoch_scores = scores.get(epoch, {})
        _annotate(
            ax_hist,
            "\n".join(
                [
                    fmt_score("AeLLE F1", epoch_scores.get("aelle")),
                    fmt_score("early-loss F1", epoch_scores.get("early_loss")),
                ]
            ),
        )
    if shared_basis:
        _share_limits(axes[: len(epochs)])
        _share_limits(axes[len(epochs) :], y=False)
    basis = "one shared basis" if shared_basis else "one autoencoder per epoch"
    fig.suptitle(f"{task}: early-epoch spectra vs final {loss_label(task)} ({basis})")
    return save(fig, out_stem)


def _share_limits(axes, *, y: bool = True) -> None:
    """Give ``axes`` the union of their x (and y) limits."""
    lows, highs = zip(*(ax.get_xlim() for ax in axes), strict=True)
    for ax in axes:
        ax.set_xlim(min(lows), max(highs))
    if y:
        lows, highs = zip(*(ax.get_ylim() for ax in axes), strict=True)
        for ax in axes:
            ax.set_ylim(min(lows), max(highs))
