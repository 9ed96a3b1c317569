"""Workflow entry points for figures: files in (tables, metrics, arrays), figures out.

Figure files are ``{out_dir}/{family}[--{variant}].png`` and ``.pdf``; ``out_dir`` should
be ``results/<run>/figures/{task}`` so that :func:`index` can name the task.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

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
    rows = table.loc[
        table["usable"] & (table["epoch"] == table["final_epoch"]) & (table["input_set"] == "val")
    ]
    if len(rows) == 0:
        raise ValueError(f"{table_path}: no usable final-epoch spectra to plot")
    threshold = float(rows["final_loss"].median())
    out = Path(out_dir)
    return [
        *plot_spectra(
            rows,
            out / "spectra",
            task=task,
            log_base=float(rows["log_base"].iloc[0]),
            loss_threshold=threshold,
        ),
        *plot_loss_vs_hyperparameter(
            rows, out / "loss-vs-hyperparameter", task=task, loss_threshold=threshold
        ),
        *plot_distributions(rows, out / "distributions", task=task, loss_threshold=threshold),
    ]


ANALYSIS_FAMILIES = {
    "main": (
        "ae-training",
        "aelle-pca-performance",
        "aelle-pca-size",
        "predicted-vs-actual",
        "latent-perturbation",
        "umap",
        "novel-inputs",
    ),
    "early": ("ae-training", "early-epochs"),
    "early_separate": ("ae-training", "early-epochs"),
    "architectures": ("ae-training", "aelle-pca-architecture"),
}
"""Figure families each analysis can draw (all by default)."""

POPULATION_FAMILIES = ("spectra", "loss-vs-hyperparameter", "distributions")


def figure_stem(out_dir: PathLike, family: str, *, analysis: str, arch: str | None = None) -> Path:
    """``{out_dir}/{family}[--{analysis unless main}][--{arch}]`` (no suffix)."""
    variant = "--".join(filter(None, [None if analysis == "main" else analysis, arch]))
    return Path(out_dir) / (f"{family}--{variant}" if variant else family)


def analysis_figure_paths(
    out_dir: PathLike,
    *,
    analysis: str,
    arch: str | None = None,
    families: Sequence[str] | None = None,
) -> list[Path]:
    """The PNG and PDF files :func:`analysis_figures` writes for these arguments (for rules)."""
    families = _families(analysis, families)
    return [
        _with_suffix(figure_stem(out_dir, f, analysis=analysis, arch=arch), suffix)
        for f in families
        for suffix in (".png", ".pdf")
    ]


def _with_suffix(stem: Path, suffix: str) -> Path:
    return stem.with_name(stem.name + suffix)


def _families(analysis: str, families: Sequence[str] | None) -> tuple[str, ...]:
    if analysis not in ANALYSIS_FAMILIES:
        raise ValueError(
            f"unknown analysis {analysis!r}; expected one of {tuple(ANALYSIS_FAMILIES)}"
        )
    allowed = ANALYSIS_FAMILIES[analysis]
    chosen = allowed if families is None else tuple(families)
    wrong = [f for f in chosen if f not in allowed]
    if wrong:
        raise ValueError(f"analysis {analysis!r} draws {allowed}, not {wrong}")
    return chosen


def _drawable(analysis: str, embedding: pd.DataFrame, metrics: dict) -> tuple[str, ...]:
    """The families of ``analysis`` whose data the fit and metrics hold."""
    missing = set()
    if "umap1" not in embedding:
        missing.add("umap")
    if not any("novel_inputs" in entry for entry in metrics["models"].values()):
        missing.add("novel-inputs")
    return tuple(f for f in _families(analysis, None) if f not in missing)


def analysis_figures(
    fit_dir: PathLike,
    metrics_path: PathLike,
    predictions_path: PathLike,
    out_dir: PathLike,
    *,
    task: str,
    log_base: float,
    families: Sequence[str] | None = None,
) -> list[Path]:
    """Figures of one fitted and evaluated analysis (files of ``aelle.ae.steps``).

    Draws exactly ``families`` to the paths :func:`analysis_figure_paths` names; a family
    whose data is missing (umap not configured, no novel-input spectra) raises, so leave
    it out of ``families`` then. The default, None, draws every family of
    ``ANALYSIS_FAMILIES[analysis]`` whose data exists.
    """
    fit_dir = Path(fit_dir)
    metrics = json.loads(Path(metrics_path).read_text())
    analysis = metrics["analysis"]
    embedding = pd.read_parquet(fit_dir / "embedding.parquet")
    if families is None:
        families = _drawable(analysis, embedding, metrics)
    chosen = _families(analysis, families)
    std = embedding.loc[embedding["input_set"] == "val"]
    models = metrics["models"]

    def stem(family: str) -> Path:
        return figure_stem(out_dir, family, analysis=analysis, arch=metrics.get("arch"))

    def draw(family: str) -> list[Path]:
        if family == "ae-training":
            return plot_ae_training(
                pd.read_parquet(fit_dir / "curves.parquet"), stem(family), task=task
            )
        if family == "early-epochs":
            scores, thresholds = {}, {}
            for key, model in models.items():
                epoch = int(key.removeprefix("epoch"))
                methods = model["test"]["methods"]
                scores[epoch] = {
                    m: methods[m]["median"]["f1"] for m in ("aelle", "early_loss") if m in methods
                }
                thresholds[epoch] = methods["aelle"]["median"]["threshold"]
            return plot_early_epochs(
                std,
                scores,
                thresholds,
                stem(family),
                task=task,
                loss_threshold=float(std["final_loss"].median()),
                shared_basis=analysis == "early",
            )
        main = models["main"]
        aelle = main["test"]["methods"]["aelle"]["median"]
        threshold = main["label_thresholds"]["median"]
        if family == "aelle-pca-architecture":
            return plot_aelle_pca_architecture(
                std,
                main["architecture_shares"],
                stem(family),
                task=task,
                pc1_threshold=aelle["threshold"],
                f1=aelle["f1"],
            )
        if family == "aelle-pca-performance":
            return plot_aelle_pca_performance(
                std,
                stem(family),
                task=task,
                loss_threshold=threshold,
                pc1_threshold=aelle["threshold"],
                f1=aelle["f1"],
            )
        if family == "aelle-pca-size":
            return plot_aelle_pca_size(std, stem(family), task=task)
        if family == "predicted-vs-actual":
            predictions = pd.read_parquet(predictions_path)
            test = predictions.loc[
                (predictions["split"] == "test") & (predictions["input_set"] == "val")
            ]
            regression = {
                m: e["regression"] for m, e in main["test"]["methods"].items() if "regression" in e
            }
            return plot_predicted_vs_actual(test, regression, stem(family), task=task)
        if family == "latent-perturbation":
            return plot_latent_perturbation(
                pd.read_parquet(fit_dir / "perturbation.parquet"),
                stem(family),
                task=task,
                log_base=log_base,
            )
        if family == "umap":
            return plot_umap(std, stem(family), task=task, loss_threshold=threshold)
        if "novel_inputs" not in main:
            raise ValueError(f"{metrics_path}: no novel-input scores; leave out 'novel-inputs'")
        return plot_novel_inputs(
            embedding,
            stem(family),
            task=task,
            loss_threshold=threshold,
            pc1_threshold=aelle["threshold"],
            f1=main["novel_inputs"]["methods"]["aelle"]["median"]["f1"],
        )

    return [path for family in chosen for path in draw(family)]


def population_figure_paths(out_dir: PathLike) -> list[Path]:
    """The PNG and PDF files :func:`population_figures` writes (for rules)."""
    return [
        Path(out_dir) / f"{family}{suffix}"
        for family in POPULATION_FAMILIES
        for suffix in (".png", ".pdf")
    ]


def convergence_figure(
    running_path: PathLike,
    out_dir: PathLike,
    *,
    task: str,
    log_base: float,
    qr_every: int = 1,
) -> list[Path]:
    """``convergence`` from a ``.npy`` file holding the ``(steps, k)`` running estimates."""
    return plot_convergence(
        np.load(running_path),
        Path(out_dir) / "convergence",
        task=task,
        log_base=log_base,
        qr_every=qr_every,
    )


def task_examples_figure(examples_path: PathLike, out_dir: PathLike, *, task: str) -> list[Path]:
    """``task-examples`` from an ``.npz`` file.

    Keys: ``names`` (str, e.g. good / middling / bad), ``losses`` (float, aligned with
    names), ``example_{name}`` per name (charrnn: probabilities ``(T, V)``; signal:
    generated ``(T,)``), ``target`` (charrnn: next-character indices; signal: target
    signal ``(T,)`` or each example's own ``(E, T)``), optional ``vocabulary`` (str,
    charrnn) and ``dt`` (signal).
    """
    with np.load(examples_path, allow_pickle=False) as data:
        names = [str(n) for n in data["names"]]
        examples = {n: data[f"example_{n}"] for n in names}
        losses = dict(zip(names, map(float, data["losses"]), strict=True))
        vocabulary = [str(v) for v in data["vocabulary"]] if "vocabulary" in data else None
        dt = float(data["dt"]) if "dt" in data else 0.1
        target = data["target"]
    return plot_task_examples(
        examples,
        Path(out_dir) / "task-examples",
        task=task,
        losses=losses,
        target=target,
        vocabulary=vocabulary,
        dt=dt,
    )


def index(figures_dir: PathLike, out_path: PathLike) -> None:
    """Write ``INDEX.md`` for every figure under ``figures_dir``."""
    write_index(figures_dir, out_path)
