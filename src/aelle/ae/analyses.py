"""The paper's analyses end to end on an assembled table.

Analyses:

- ``"main"`` (claim 1, plus claim 2: the same networks' novel-input spectra projected
  through the trained autoencoder and the fixed PCA basis);
- ``"early"`` (claim 3 as the authors test it): ONE autoencoder trained on the pooled
  spectra of the early epochs and the final epoch, every row labelled with the network's
  final loss; one PCA basis fitted on the pooled training codes; each epoch's networks
  embedded in that basis and scored there, epoch by epoch;
- ``"early_separate"`` (claim 3, one autoencoder and one basis per early epoch, each
  trained on that epoch's spectra labelled with the final loss);
- ``"architectures"`` (like main, over every architecture in the table, plus each
  architecture's share of networks on each side of the PC1 threshold).

Models are fitted on rows with input set ``"val"``; networks are split once per table
(:func:`aelle.ae.split.assign_split`), so every analysis of a task uses the same split
and a network's rows at all epochs stay in one split.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aelle.ae.assembly import exclusion_counts, spectrum_matrix
from aelle.ae.autoencoder import AeLLE, TrainOptions, TrainResult, train_autoencoder
from aelle.ae.baselines import SCALAR_BASELINES, fit_line, spectrum_baselines
from aelle.ae.bootstrap import bootstrap_indices, with_intervals
from aelle.ae.embed import PCABasis, fit_pca, fit_umap
from aelle.ae.metrics import (
    classification_scores,
    fit_threshold,
    good_labels,
    knn_predict,
    regression_scores,
)

ANALYSES = ("main", "early", "early_separate", "architectures")
EARLY_ANALYSES = ("early", "early_separate")
SHARED_MODEL = "shared"
STANDARD_INPUT = "val"
NOVEL_INPUT = "novel"
PERTURBATION_OFFSETS = np.linspace(-2.0, 2.0, 9)
EMBEDDING_COLUMNS = (
    "network_id",
    "arch",
    "size",
    "p",
    "epoch",
    "input_set",
    "split",
    "final_epoch",
    "final_loss",
    "epoch_loss",
    "max_le",
    "mean_le",
)


@dataclass
class FitOutputs:
    """What fitting an analysis produces.

    Attributes:
        models: autoencoder per model key (``"main"``, ``"shared"`` for the shared-basis
            early analysis, ``"epoch{e}"`` for the separate early autoencoders).
        bases: the PCA basis of each autoencoder (same keys as ``models``), fitted once
            on that autoencoder's training codes.
        curves: training curves with a ``model`` column (the autoencoder key).
        embedding: one row per usable table row of the analysis (both input sets):
            ``model`` (the key the row is scored under in the metrics: ``"main"`` or
            ``"epoch{e}"``), ``autoencoder`` (the key of the model that embedded it),
            ``network_id, arch, size, p, epoch, input_set, split, final_epoch,
            final_loss, epoch_loss, max_le, mean_le, predicted_loss`` (the autoencoder's
            prediction of the final loss, task metric), ``pc1, pc2`` (+ ``umap1, umap2``
            when UMAP is configured) and ``latent`` (list of floats).
        perturbation: ``model`` (autoencoder key), ``offset`` (in training-latent
            standard deviations along the prediction direction), ``predicted_loss`` and
            decoded ``spectrum`` (list, the table's log-base units).
    """

    models: dict[str, AeLLE]
    bases: dict[str, PCABasis]
    curves: pd.DataFrame
    embedding: pd.DataFrame
    perturbation: pd.DataFrame


def _check_analysis(analysis: str) -> None:
    if analysis not in ANALYSES:
        raise ValueError(f"unknown analysis {analysis!r}; expected one of {ANALYSES}")


def analysis_rows(table: pd.DataFrame, analysis: str, early_epochs: list[int]) -> pd.DataFrame:
    """All rows (usable or not) at the epochs ``analysis`` looks at.

    ``"early"``: the early epochs and each network's final epoch; ``"early_separate"``:
    the early epochs; otherwise the final epoch.
    """
    _check_analysis(analysis)
    final = table["epoch"] == table["final_epoch"]
    early = table["epoch"].isin([int(e) for e in early_epochs])
    mask = {"early": early | final, "early_separate": early}.get(analysis, final)
    return table.loc[mask]


def scoring_keys(rows: pd.DataFrame, analysis: str, model_key: str) -> pd.Series:
    """Per row, the key it is scored under: ``"epoch{e}"`` in the shared early basis,
    otherwise the key of the autoencoder that embeds it."""
    if analysis == "early":
        return "epoch" + rows["epoch"].astype(int).astype(str)
    return pd.Series(model_key, index=rows.index, dtype=object)


def model_groups(
    table: pd.DataFrame, analysis: str, early_epochs: list[int]
) -> dict[str, pd.DataFrame]:
    """Usable, split rows each autoencoder of ``analysis`` is trained on and embeds.

    Keys are autoencoder keys; values hold both input sets. Every group scored on its own
    (each epoch of the shared early model) must have standard-input rows in every split.
    """
    rows = analysis_rows(table, analysis, early_epochs)
    rows = rows.loc[rows["usable"] & (rows["split"] != "excluded")]
    if analysis == "early_separate":
        groups = {f"epoch{e}": rows.loc[rows["epoch"] == e] for e in early_epochs}
    elif analysis == "early":
        groups = {SHARED_MODEL: rows}
    else:
        groups = {"main": rows}
    for key, group in groups.items():
        std = group.loc[group["input_set"] == STANDARD_INPUT]
        keys = scoring_keys(std, analysis, key)
        for name in sorted(set(keys)) or [key]:
            splits = set(std.loc[keys == name, "split"])
            if not {"train", "val", "test"} <= splits:
                raise ValueError(
                    f"analysis {analysis!r}, model {key}, scored as {name}: the table lacks "
                    f"usable '{STANDARD_INPUT}'-input spectra in every split (has "
                    f"{sorted(splits)}); check the spectrum epochs"
                )
    return groups


def _perturb(model: AeLLE, latent_train: np.ndarray) -> pd.DataFrame:
    direction = model.prediction_direction()
    spread = float((latent_train @ direction).std()) or 1.0
    codes = latent_train.mean(axis=0) + np.outer(PERTURBATION_OFFSETS * spread, direction)
    spectra = model.decode_spectrum(codes)
    return pd.DataFrame(
        {
            "offset": PERTURBATION_OFFSETS,
            "predicted_loss": model.predict_from_latent(codes),
            "spectrum": [s.tolist() for s in spectra],
        }
    )


def _train(group: pd.DataFrame, cfg: Mapping[str, Any], seed: int) -> TrainResult:
    """Train one autoencoder on the standard-input train / val rows of ``group``."""
    std = group.loc[group["input_set"] == STANDARD_INPUT]
    train, val = std.loc[std["split"] == "train"], std.loc[std["split"] == "val"]
    return train_autoencoder(
        spectrum_matrix(train),
        train["final_loss"].to_numpy(),
        spectrum_matrix(val),
        val["final_loss"].to_numpy(),
        TrainOptions.from_config(cfg),
        seed,
    )


def fit_analysis(
    table: pd.DataFrame, cfg: Mapping[str, Any], seed: int, analysis: str
) -> FitOutputs:
    """Train the autoencoder(s) of ``analysis`` and embed every usable row.

    Each autoencoder's PCA basis (and UMAP, when configured) is fitted once on its
    standard-input training codes (for ``"early"``: pooled over all its epochs) and every
    row the autoencoder embeds is projected into that basis.

    Args:
        table: assembled table with a ``split`` column.
        cfg: the ``aelle:`` config section (latent, dropout, alpha_schedule,
            epochs_per_stage, lr, batch_size, early_epochs, umap or null).
        seed: seeds training and UMAP.
    """
    models, bases, curves, embeddings, perturbations = {}, {}, [], [], []
    for key, group in model_groups(table, analysis, list(cfg["early_epochs"])).items():
        result = _train(group, cfg, seed)
        model = result.model
        latent = model.encode(spectrum_matrix(group))
        is_train = ((group["split"] == "train") & (group["input_set"] == STANDARD_INPUT)).to_numpy()
        basis = fit_pca(latent[is_train], group["final_loss"].to_numpy()[is_train])
        scores = basis.project(latent)
        emb = group[list(EMBEDDING_COLUMNS)].copy()
        emb.insert(0, "model", scoring_keys(group, analysis, key).to_numpy())
        emb.insert(1, "autoencoder", key)
        emb["predicted_loss"] = model.predict_from_latent(latent)
        emb["pc1"] = scores[:, 0]
        emb["pc2"] = scores[:, 1] if scores.shape[1] > 1 else 0.0
        if cfg.get("umap"):
            xy = fit_umap(
                latent[is_train],
                latent,
                n_neighbors=int(cfg["umap"]["n_neighbors"]),
                min_dist=float(cfg["umap"]["min_dist"]),
                seed=seed,
            )
            emb["umap1"], emb["umap2"] = xy[:, 0], xy[:, 1]
        emb["latent"] = [z.tolist() for z in latent]
        models[key], bases[key] = model, basis
        curves.append(result.curves.assign(model=key, best_epoch=result.best_epoch))
        embeddings.append(emb)
        perturbations.append(_perturb(model, latent[is_train]).assign(model=key))
    return FitOutputs(
        models=models,
        bases=bases,
        curves=pd.concat(curves, ignore_index=True),
        embedding=pd.concat(embeddings, ignore_index=True),
        perturbation=pd.concat(perturbations, ignore_index=True),
    )


def _method_columns(group: pd.DataFrame, spectra: np.ndarray) -> pd.DataFrame:
    """Per row: ``score__{method}`` and ``pred__{method}`` for AeLLE and every baseline.

    ``early_loss`` (the validation loss at the rows' epoch) is a baseline only where the
    rows precede the final epoch; at the final epoch it would be the label itself.
    """
    early = bool((group["epoch"] != group["final_epoch"]).all())
    std_train = ((group["split"] == "train") & (group["input_set"] == STANDARD_INPUT)).to_numpy()
    loss_train = group["final_loss"].to_numpy()[std_train]
    scores = {"aelle": group["pc1"].to_numpy()}
    for name, column in SCALAR_BASELINES.items():
        if name != "early_loss" or early:
            scores[name] = group[column].to_numpy(dtype=np.float64)
    scores.update(spectrum_baselines(spectra[std_train], loss_train, spectra))
    out = pd.DataFrame(index=group.index)
    for name, score in scores.items():
        out[f"score__{name}"] = score
        out[f"pred__{name}"] = fit_line(score[std_train], loss_train)(score)
    out["pred__aelle"] = group["predicted_loss"].to_numpy()
    return out


def _score_set(
    group: pd.DataFrame,
    methods: pd.DataFrame,
    fit_rows: pd.DataFrame,
    test: pd.Series,
    thresholds: dict[str, float],
    knn_neighbors: int,
    resamples: int,
    seed: int,
) -> dict[str, Any]:
    """Score every method on the rows selected by ``test``; rules fitted on ``fit_rows``.

    ``group`` has a RangeIndex (positions), shared by ``methods`` and ``fit_rows``.
    """
    tr = fit_rows.loc[fit_rows["split"] == "train"].index
    va = fit_rows.loc[fit_rows["split"] == "val"].index
    te = group.loc[test].index
    idx = bootstrap_indices(len(te), resamples, seed)
    loss_te = group.loc[te, "final_loss"].to_numpy()
    latent = np.stack(group["latent"].map(np.asarray).to_numpy())
    names = [c.removeprefix("score__") for c in methods.columns if c.startswith("score__")]
    results: dict[str, Any] = {}
    for name in names:
        entry: dict[str, Any] = {
            "regression": with_intervals(
                regression_scores, (methods.loc[te, f"pred__{name}"].to_numpy(), loss_te), idx
            )
        }
        score = methods[f"score__{name}"]
        for rule_name, thr in thresholds.items():
            rule = fit_threshold(
                score[tr],
                good_labels(group.loc[tr, "final_loss"], thr),
                score[va],
                good_labels(group.loc[va, "final_loss"], thr),
            )
            pred_good = rule.predict(score[te].to_numpy())
            entry[rule_name] = {
                "threshold": rule.threshold,
                "good_below": rule.good_below,
                **with_intervals(
                    classification_scores, (pred_good, good_labels(loss_te, thr)), idx
                ),
            }
        results[name] = entry
    knn: dict[str, Any] = {}
    for rule_name, thr in thresholds.items():
        pred_good = knn_predict(
            latent[tr], good_labels(group.loc[tr, "final_loss"], thr), latent[te], knn_neighbors
        )
        knn[rule_name] = with_intervals(
            classification_scores, (pred_good, good_labels(loss_te, thr)), idx
        )
    results["aelle_knn"] = knn
    return {"networks": len(te), "methods": results}


def _architecture_shares(
    std: pd.DataFrame, rule_threshold: float, good_below: bool, loss_threshold: float
) -> dict[str, dict[str, float]]:
    shares = {}
    for arch, rows in std.groupby("arch"):
        good_side = rows["pc1"] < rule_threshold if good_below else rows["pc1"] > rule_threshold
        shares[str(arch)] = {
            "networks": len(rows),
            "good_side": float(good_side.mean()),
            "bad_side": float(1 - good_side.mean()),
            "actually_good": float((rows["final_loss"] < loss_threshold).mean()),
        }
    return shares


def evaluate_analysis(
    table: pd.DataFrame,
    embedding: pd.DataFrame,
    cfg: Mapping[str, Any],
    *,
    seed: int,
    analysis: str,
    task: str,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Score AeLLE and the baselines on test networks, with bootstrap intervals.

    Args:
        table: the assembled table (with ``split``) the embedding was fitted on.
        embedding: :attr:`FitOutputs.embedding`.
        cfg: the ``aelle:`` config section (knn_neighbors, bootstrap, early_epochs,
            loss_thresholds).
        seed: seeds the bootstrap.

    Returns:
        The metrics and the predictions. Metrics, a JSON-ready dict (NaN where a score is
        undefined): ``task, analysis, architectures, excluded`` (network counts per
        reason at the analysis' epochs) and ``models[key]`` (key: the embedding's
        ``model``, ``"main"`` or ``"epoch{e}"``, in epoch order) with ``epoch``,
        ``final`` (whether that is the networks' final epoch), ``autoencoder`` (the
        key of the model that embedded its rows: ``"shared"`` for every epoch of
        ``"early"``), ``excluded`` (at the key's epoch), ``networks`` (per split),
        ``label_thresholds`` (``median`` of the final loss over the key's networks,
        ``fixed`` where configured), ``test`` and, where novel-input spectra exist,
        ``novel_inputs`` (each ``networks`` and ``methods[name]`` with ``regression``
        {spearman, r2} and per label rule {threshold, good_below, f1, precision, recall,
        balanced_accuracy}, every score as {value, low, high}); ``architecture_shares``
        for ``"architectures"``.
        Predictions, one row per embedded row x method (``aelle``, the baselines):
        ``model, network_id, arch, size, p, epoch, input_set, split, final_loss,
        epoch_loss, method, score`` (the classifier's input; AeLLE: PC1) and
        ``predicted`` (loss, task metric).
    """
    keys = ["network_id", "epoch", "input_set"]
    spectra_rows = embedding[keys].merge(table[[*keys, "spectrum"]], on=keys, how="left")
    fixed = (cfg.get("loss_thresholds") or {}).get(task)
    early_epochs = [int(e) for e in cfg["early_epochs"]]
    out: dict[str, Any] = {
        "task": task,
        "analysis": analysis,
        "architectures": sorted(map(str, table["arch"].unique())),
        "excluded": exclusion_counts(analysis_rows(table, analysis, early_epochs)),
        "models": {},
    }
    resamples = int(cfg["bootstrap"])
    predictions = []
    by_epoch = sorted(
        embedding.groupby("model", sort=False), key=lambda item: int(item[1]["epoch"].iloc[0])
    )
    for key, group in by_epoch:
        group = group.reset_index(drop=True)
        spectra = spectrum_matrix(spectra_rows.loc[embedding["model"] == key])
        methods = _method_columns(group, spectra)
        std_mask = group["input_set"] == STANDARD_INPUT
        std = group.loc[std_mask]
        thresholds = {"median": float(std["final_loss"].median())}
        if fixed is not None:
            thresholds["fixed"] = float(fixed)
        args = (thresholds, int(cfg["knn_neighbors"]), resamples)
        epoch = int(group["epoch"].iloc[0])
        epoch_rows = table.loc[table["epoch"] == epoch]
        entry: dict[str, Any] = {
            "epoch": epoch,
            "final": bool((group["epoch"] == group["final_epoch"]).all()),
            "label_thresholds": thresholds,
            "autoencoder": str(group["autoencoder"].iloc[0]),
            "excluded": exclusion_counts(analysis_rows(epoch_rows, analysis, early_epochs)),
            "networks": {s: int((std["split"] == s).sum()) for s in ("train", "val", "test")},
            "test": _score_set(
                group, methods, std, std_mask & (group["split"] == "test"), *args, seed
            ),
        }
        novel_test = (group["input_set"] == NOVEL_INPUT) & (group["split"] == "test")
        if novel_test.sum() > 0:
            entry["novel_inputs"] = _score_set(group, methods, std, novel_test, *args, seed + 1)
        if analysis == "architectures":
            rule = entry["test"]["methods"]["aelle"]["median"]
            entry["architecture_shares"] = _architecture_shares(
                std, rule["threshold"], rule["good_below"], thresholds["median"]
            )
        out["models"][str(key)] = entry
        predictions.append(_long_predictions(group, methods))
    return out, pd.concat(predictions, ignore_index=True)


def _long_predictions(group: pd.DataFrame, methods: pd.DataFrame) -> pd.DataFrame:
    """One row per table row x method: ``score`` and ``predicted`` loss next to the actual."""
    base = group[
        [
            "model",
            "network_id",
            "arch",
            "size",
            "p",
            "epoch",
            "input_set",
            "split",
            "final_loss",
            "epoch_loss",
        ]
    ]
    names = [c.removeprefix("score__") for c in methods.columns if c.startswith("score__")]
    return pd.concat(
        [
            base.assign(
                method=name,
                score=methods[f"score__{name}"].to_numpy(),
                predicted=methods[f"pred__{name}"].to_numpy(),
            )
            for name in names
        ],
        ignore_index=True,
    )
