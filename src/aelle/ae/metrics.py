"""Scores for good / bad classification and loss regression, vectorised over resamples.

Conventions: a network is *good* when its loss is below the threshold (the positive
class for F1, precision and recall). Score functions take arrays of shape ``(B, n)``
(``B`` bootstrap resamples of ``n`` networks; ``B = 1`` for the point value) and return
arrays ``(B,)``; undefined values (no positive predictions for precision, one class only
for balanced accuracy, constant input for Spearman / R²) are NaN, except precision /
recall / F1 which follow scikit-learn's ``zero_division=0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata
from sklearn.neighbors import KNeighborsClassifier


def good_labels(loss: np.ndarray, threshold: float) -> np.ndarray:
    """``loss < threshold`` as a boolean array (True = good)."""
    return np.asarray(loss, dtype=np.float64) < threshold


def _safe_div(num: np.ndarray, den: np.ndarray, fill: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), fill)


def classification_scores(pred_good: np.ndarray, true_good: np.ndarray) -> dict[str, np.ndarray]:
    """F1, precision, recall (good = positive) and balanced accuracy, each ``(B,)``."""
    pred, true = np.atleast_2d(pred_good).astype(bool), np.atleast_2d(true_good).astype(bool)
    tp = (pred & true).sum(axis=1)
    fp = (pred & ~true).sum(axis=1)
    fn = (~pred & true).sum(axis=1)
    tn = (~pred & ~true).sum(axis=1)
    precision = _safe_div(tp, tp + fp, 0.0)
    recall = _safe_div(tp, tp + fn, 0.0)
    f1 = _safe_div(2 * tp, 2 * tp + fp + fn, 0.0)
    tnr = _safe_div(tn, tn + fp, np.nan)
    tpr = _safe_div(tp, tp + fn, np.nan)
    return {
        "f1": f1,
        "precision": precision,
        "recall": recall,
        "balanced_accuracy": 0.5 * (tpr + tnr),
    }


def regression_scores(predicted: np.ndarray, actual: np.ndarray) -> dict[str, np.ndarray]:
    """Spearman rank correlation and R² (``1 - SS_res / SS_tot``) of predicted vs actual."""
    pred, act = np.atleast_2d(predicted).astype(np.float64), np.atleast_2d(actual)
    rp, ra = rankdata(pred, axis=1), rankdata(act, axis=1)
    rp, ra = rp - rp.mean(axis=1, keepdims=True), ra - ra.mean(axis=1, keepdims=True)
    spearman = _safe_div(
        (rp * ra).sum(axis=1), np.sqrt((rp**2).sum(axis=1) * (ra**2).sum(axis=1)), np.nan
    )
    ss_res = ((act - pred) ** 2).sum(axis=1)
    ss_tot = ((act - act.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    r2 = 1.0 - _safe_div(ss_res, ss_tot, np.nan)
    return {"spearman": spearman, "r2": r2}


@dataclass(frozen=True)
class ThresholdRule:
    """Classify *good* as ``score < threshold`` (``good_below``) or ``score > threshold``."""

    threshold: float
    good_below: bool

    def predict(self, score: np.ndarray) -> np.ndarray:
        """Scores ``(n,)`` -> predicted good ``(n,)``."""
        score = np.asarray(score, dtype=np.float64)
        return score < self.threshold if self.good_below else score > self.threshold


def fit_threshold(
    train_score: np.ndarray, train_good: np.ndarray, val_score: np.ndarray, val_good: np.ndarray
) -> ThresholdRule:
    """Choose the side of good networks on training data and the threshold on validation.

    The side is the one where the training good networks' mean score lies (lower
    scores = good on ties or with one class only). Candidate thresholds are the midpoints
    between consecutive distinct validation scores and one beyond each end; the one with
    the best validation F1 wins, ties resolved by the middle of the tied candidates.
    """
    train_score, val_score = np.asarray(train_score, float), np.asarray(val_score, float)
    train_good, val_good = np.asarray(train_good, bool), np.asarray(val_good, bool)
    if val_score.size == 0:
        raise ValueError("fit_threshold: no validation networks to choose a threshold on")
    good_below = True
    if train_good.any() and (~train_good).any():
        good_below = bool(train_score[train_good].mean() <= train_score[~train_good].mean())
    values = np.unique(val_score)
    pad = 1.0 if values.size == 1 else float(np.diff(values).min())
    candidates = np.concatenate(
        [[values[0] - pad], 0.5 * (values[1:] + values[:-1]), [values[-1] + pad]]
    )
    preds = (
        (val_score[None, :] < candidates[:, None])
        if good_below
        else (val_score[None, :] > candidates[:, None])
    )
    f1 = classification_scores(preds, np.broadcast_to(val_good, preds.shape))["f1"]
    best = np.flatnonzero(f1 == f1.max())
    return ThresholdRule(threshold=float(candidates[best[len(best) // 2]]), good_below=good_below)


def knn_predict(
    train_x: np.ndarray, train_good: np.ndarray, test_x: np.ndarray, neighbors: int
) -> np.ndarray:
    """k-nearest-neighbour vote (Euclidean) of training labels for test codes -> good ``(n,)``."""
    k = min(neighbors, len(train_good))
    if k < 1:
        raise ValueError("knn_predict: no training codes")
    clf = KNeighborsClassifier(n_neighbors=k).fit(np.asarray(train_x), np.asarray(train_good))
    return clf.predict(np.asarray(test_x)).astype(bool)
