"""Figures of the trained autoencoder: predictions, training curves, latent perturbation."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns

from aelle.plots.embedding import _annotate
from aelle.plots.population import _require
from aelle.plots.style import LOSS_CMAP, fmt_score, le_unit, loss_label, new_figure, save

METHOD_TITLES = {
    "aelle": "AeLLE (latent head)",
    "linreg": "linear regression on spectrum",
    "max_le": "max LE",
    "mean_le": "mean LE",
    "raw_pca": "PC1 of raw spectrum",
    "p": "init scale p",
    "early_loss": "loss at early epoch",
}


def plot_predicted_vs_actual(
    predictions: pd.DataFrame,
    scores: Mapping[str, Mapping[str, Any]],
    out_stem: str | Path,
    *,
    task: str,
) -> list[Path]:
    """Family ``predicted-vs-actual``: predicted against actual loss, AeLLE vs baselines.

    Args:
        predictions: rows with ``method, predicted, final_loss`` (test networks).
        scores: per method ``{"spearman": score, "r2": score}`` (``{value, low, high}``),
            printed on its panel.
    """
    _require(predictions, ["method", "predicted", "final_loss"], "plot_predicted_vs_actual")
    methods = [m for m in METHOD_TITLES if m in set(predictions["method"])]
    ncols = min(4, len(methods))
    fig, axes = new_figure(ncols, -(-len(methods) // ncols), width=3.3, height=3.2)
    for ax in axes[len(methods) :]:
        ax.set_axis_off()
    lo = float(min(predictions["final_loss"].min(), predictions["predicted"].min()))
    hi = float(max(predictions["final_loss"].max(), predictions["predicted"].max()))
    for ax, method in zip(axes, methods, strict=False):
        rows = predictions.loc[predictions["method"] == method]
        sns.scatterplot(x=rows["final_loss"], y=rows["predicted"], ax=ax, s=12, color="#0072B2")
        ax.plot([lo, hi], [lo, hi], color="0.5", ls="--", lw=0.8)
        ax.set(xlabel=f"actual {loss_label(task)}", ylabel="predicted", title=METHOD_TITLES[method])
        method_scores = scores.get(method, {})
        _annotate(
            ax,
            "\n".join(
                [
                    fmt_score("Spearman", method_scores.get("spearman")),
                    fmt_score("R²", method_scores.get("r2")),
                ]
            ),
        )
    return save(fig, out_stem)


def plot_ae_training(curves: pd.DataFrame, out_stem: str | Path, *, task: str) -> list[Path]:
    """Family ``ae-training``: reconstruction and prediction losses against epoch.

    Args:
        curves: rows with ``epoch, stage, alpha, train_recon, train_pred, val_recon,
            val_pred`` (standardised units) and ``best_epoch``; with a ``model`` column, one
            row of panels per model.
    """
    _require(
        curves,
        [
            "epoch",
            "stage",
            "alpha",
            "train_recon",
            "train_pred",
            "val_recon",
            "val_pred",
            "best_epoch",
        ],
        "plot_ae_training",
    )
    groups = list(curves.groupby("model", sort=False)) if "model" in curves else [("", curves)]
    fig, axes = new_figure(2, len(groups), width=4.0, height=3.0)
    for i, (name, rows) in enumerate(groups):
        ax_rec, ax_pred = axes[2 * i], axes[2 * i + 1]
        for ax, kind, label in (
            (ax_rec, "recon", "L1 reconstruction (std. units)"),
            (ax_pred, "pred", "MSE prediction (std. units)"),
        ):
            ax.plot(rows["epoch"], rows[f"train_{kind}"], color="#0072B2", label="train")
            ax.plot(rows["epoch"], rows[f"val_{kind}"], color="#D55E00", label="validation")
            for start in rows.groupby("stage")["epoch"].min().iloc[1:]:
                ax.axvline(start, color="0.7", lw=0.6)
            ax.axvline(
                rows["best_epoch"].iloc[0], color="0.2", ls="--", lw=0.8, label="best validation"
            )
            ax.set(yscale="log", xlabel="epoch", ylabel=label, title=f"{task} {name}".strip())
        ax_pred.legend(fontsize=7)
    return save(fig, out_stem)


def plot_latent_perturbation(
    perturbation: pd.DataFrame,
    out_stem: str | Path,
    *,
    task: str,
    log_base: float,
) -> list[Path]:
    """Family ``latent-perturbation``: spectra decoded along the prediction direction.

    Args:
        perturbation: rows with ``offset`` (latent standard deviations), ``predicted_loss``
            and ``spectrum`` (decoded, log-base units).
    """
    _require(perturbation, ["offset", "predicted_loss", "spectrum"], "plot_latent_perturbation")
    fig, (ax,) = new_figure(width=5.2)
    norm = mpl.colors.Normalize(
        vmin=float(perturbation["predicted_loss"].min()),
        vmax=float(perturbation["predicted_loss"].max()),
    )
    cmap = mpl.colormaps[LOSS_CMAP]
    for _, row in perturbation.sort_values("offset").iterrows():
        lam = np.asarray(row["spectrum"], dtype=float)
        ax.plot(np.linspace(0, 1, lam.size), lam, color=cmap(norm(row["predicted_loss"])), lw=1.2)
    fig.colorbar(
        mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=f"predicted {loss_label(task)}"
    )
    ax.axhline(0.0, color="0.5", lw=0.5)
    ax.set(
        xlabel="relative exponent index i / L",
        ylabel=f"decoded λ_i ({le_unit(log_base)})",
        title=f"{task}: moving along the prediction direction",
    )
    return save(fig, out_stem)
