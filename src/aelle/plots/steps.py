"""Workflow entry points for figures: files in (tables, metrics, arrays), figures out.

Figure files are ``{out_dir}/{family}[--{variant}].png`` and ``.pdf``; ``out_dir`` should
be ``results/figures/{task}`` so that :func:`index` can name the task.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aelle.plots.embedding import (
    plot_aelle_pca_architecture,
    plot_aelle_pca_performance,
    plot_aelle_pca_size,
    plot_early_epochs,
    plot_novel_inputs,
    plot_umap,
)
from aelle.plots.index import write_index
from aelle.plots.model import plot_ae_training, plot_latent_perturbation, plot_predicted_vs_actual
from aelle.plots.population import (
    plot_convergence,
    plot_distributions,
    plot_loss_vs_hyperparameter,
    plot_spectra,
    plot_task_examples,
)

PathLike = str | Path


def population_figures(table_path: PathLike, out_dir: PathLike, *, task: str) -> list[Path]:
    """``spectra``, ``loss-vs-hyperparameter`` and ``distributions`` from an assembled table.

    Uses usable rows at each network's final epoch with the standard ("val") inputs;
    good = final loss below the median.
    """
    table = pd.read_parquet(table_path)
    rows = table.loc[table["usable"] & (table["epoch"] == table["final_epoch"])
                     & (table["input_set"] == "val")]
    if len(rows) == 0:
        raise ValueError(f"{table_path}: no usable final-epoch spectra to plot")
    threshold = float(rows["final_loss"].median())
    out = Path(out_dir)
    return [*plot_spectra(rows, out / "spectra", task=task,
                          log_base=float(rows["log_base"].iloc[0]), loss_threshold=threshold),
            *plot_loss_vs_hyperparameter(rows, out / "loss-vs-hyperparameter", task=task,
                                         loss_threshold=threshold),
            *plot_distributions(rows, out / "distributions", task=task,
                                loss_threshold=threshold)]


def _stem(out_dir: PathLike, family: str, metrics: dict[str, Any]) -> Path:
    variant = "--".join(filter(None, [None if metrics["analysis"] == "main"
                                      else metrics["analysis"], metrics.get("arch")]))
    return Path(out_dir) / (f"{family}--{variant}" if variant else family)


def analysis_figures(
    fit_dir: PathLike, metrics_path: PathLike, predictions_path: PathLike, out_dir: PathLike,
    *, task: str, log_base: float,
) -> list[Path]:
    """Figures of one fitted and evaluated analysis (files of ``aelle.ae.steps``).

    ``main``: aelle-pca-performance, aelle-pca-size (several sizes), predicted-vs-actual,
    ae-training, latent-perturbation, umap (when fitted), novel-inputs (when scored);
    ``architectures``: aelle-pca-architecture, ae-training; ``early``: early-epochs,
    ae-training. Non-main analyses and architecture filters add a ``--variant`` suffix.
    """
    fit_dir = Path(fit_dir)
    metrics = json.loads(Path(metrics_path).read_text())
    embedding = pd.read_parquet(fit_dir / "embedding.parquet")
    curves = pd.read_parquet(fit_dir / "curves.parquet")
    paths = plot_ae_training(curves, _stem(out_dir, "ae-training", metrics), task=task)
    std = embedding.loc[embedding["input_set"] == "val"]
    if metrics["analysis"] == "early":
        scores, thresholds = {}, {}
        for key, model in metrics["models"].items():
            epoch = int(key.removeprefix("epoch"))
            methods = model["test"]["methods"]
            scores[epoch] = {m: methods[m]["median"]["f1"] for m in ("aelle", "early_loss")}
            thresholds[epoch] = methods["aelle"]["median"]["threshold"]
        loss_threshold = float(std["final_loss"].median())
        return paths + plot_early_epochs(std, scores, thresholds,
                                         _stem(out_dir, "early-epochs", metrics), task=task,
                                         loss_threshold=loss_threshold)
    model = metrics["models"]["main"]
    aelle = model["test"]["methods"]["aelle"]["median"]
    threshold = model["label_thresholds"]["median"]
    if metrics["analysis"] == "architectures":
        return paths + plot_aelle_pca_architecture(
            std, model["architecture_shares"], _stem(out_dir, "aelle-pca-architecture", metrics),
            task=task, pc1_threshold=aelle["threshold"], f1=aelle["f1"])
    paths += plot_aelle_pca_performance(std, _stem(out_dir, "aelle-pca-performance", metrics),
                                        task=task, loss_threshold=threshold,
                                        pc1_threshold=aelle["threshold"], f1=aelle["f1"])
    if std["size"].nunique() > 1:
        paths += plot_aelle_pca_size(std, _stem(out_dir, "aelle-pca-size", metrics), task=task)
    predictions = pd.read_parquet(predictions_path)
    test = predictions.loc[(predictions["split"] == "test") & (predictions["input_set"] == "val")
                           & (predictions["model"] == "main")]
    regression = {m: e["regression"] for m, e in model["test"]["methods"].items()
                  if "regression" in e}
    paths += plot_predicted_vs_actual(test, regression,
                                      _stem(out_dir, "predicted-vs-actual", metrics), task=task)
    perturbation = pd.read_parquet(fit_dir / "perturbation.parquet")
    paths += plot_latent_perturbation(perturbation, _stem(out_dir, "latent-perturbation",
                                                          metrics), task=task, log_base=log_base)
    if "umap1" in std.columns:
        paths += plot_umap(std, _stem(out_dir, "umap", metrics), task=task,
                           loss_threshold=threshold)
    if "novel_inputs" in model:
        novel_f1 = model["novel_inputs"]["methods"]["aelle"]["median"]["f1"]
        paths += plot_novel_inputs(embedding, _stem(out_dir, "novel-inputs", metrics), task=task,
                                   loss_threshold=threshold, pc1_threshold=aelle["threshold"],
                                   f1=novel_f1)
    return paths


def convergence_figure(
    running_path: PathLike, out_dir: PathLike, *, task: str, log_base: float, qr_every: int = 1,
) -> list[Path]:
    """``convergence`` from a ``.npy`` file holding the ``(steps, k)`` running estimates."""
    return plot_convergence(np.load(running_path), Path(out_dir) / "convergence", task=task,
                            log_base=log_base, qr_every=qr_every)


def task_examples_figure(examples_path: PathLike, out_dir: PathLike, *, task: str) -> list[Path]:
    """``task-examples`` from an ``.npz`` file.

    Keys: ``names`` (str, e.g. good / middling / bad), ``losses`` (float, aligned with
    names), ``example_{name}`` per name (charrnn: probabilities ``(T, V)``; signal:
    generated ``(T,)``), ``target`` (charrnn: next-character indices; signal: target
    signal), optional ``vocabulary`` (str, charrnn) and ``dt`` (signal).
    """
    with np.load(examples_path, allow_pickle=False) as data:
        names = [str(n) for n in data["names"]]
        examples = {n: data[f"example_{n}"] for n in names}
        losses = dict(zip(names, map(float, data["losses"]), strict=True))
        vocabulary = [str(v) for v in data["vocabulary"]] if "vocabulary" in data else None
        dt = float(data["dt"]) if "dt" in data else 0.1
        target = data["target"]
    return plot_task_examples(examples, Path(out_dir) / "task-examples", task=task,
                              losses=losses, target=target, vocabulary=vocabulary, dt=dt)


def index(figures_dir: PathLike, out_path: PathLike) -> None:
    """Write ``INDEX.md`` for every figure under ``figures_dir``."""
    write_index(figures_dir, out_path)
