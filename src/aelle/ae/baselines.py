"""Baseline scores that AeLLE is compared with, fitted on training networks only.

Each baseline gives one scalar *score* per network (used by the threshold classifier)
and a *predicted loss* (used for Spearman / R²): for scalar statistics the prediction is
an ordinary least-squares line of loss on the score fitted on training networks.

- ``max_le``, ``mean_le``: largest and mean exponent of the raw spectrum (log-base units).
- ``p``: the initialisation scale (FORCE: gain g).
- ``linreg``: ridge regression of loss on the full fixed-length spectrum (penalty chosen
  by leave-one-out cross-validation on the training networks), score = prediction.
- ``raw_pca``: PC1 of the fixed-length spectra, basis fitted on training networks and
  oriented to grow with loss.
- ``early_loss``: validation loss at the spectrum's own epoch (early-epoch analysis only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import RidgeCV

from aelle.ae.embed import fit_pca

SCALAR_BASELINES = {"max_le": "max_le", "mean_le": "mean_le", "p": "p", "early_loss": "epoch_loss"}


@dataclass(frozen=True)
class LinearMap:
    """``loss ≈ intercept + slope * score`` fitted by least squares."""

    intercept: float
    slope: float

    def __call__(self, score: np.ndarray) -> np.ndarray:
        return self.intercept + self.slope * np.asarray(score, dtype=np.float64)


def fit_line(score: np.ndarray, loss: np.ndarray) -> LinearMap:
    """Least-squares line of ``loss`` ``(n,)`` on ``score`` ``(n,)`` (flat if score is constant)."""
    score, loss = np.asarray(score, float), np.asarray(loss, float)
    if np.ptp(score) == 0:
        return LinearMap(float(loss.mean()), 0.0)
    slope, intercept = np.polyfit(score, loss, 1)
    return LinearMap(float(intercept), float(slope))


def spectrum_baselines(
    x_train: np.ndarray, y_train: np.ndarray, x_eval: np.ndarray
) -> dict[str, np.ndarray]:
    """Scores of the spectrum-fitted baselines for ``x_eval`` ``(n, L)``.

    Args:
        x_train: training spectra ``(m, L)``; y_train: their losses ``(m,)``.
        x_eval: spectra to score ``(n, L)``.

    Returns:
        ``{"linreg": (n,), "raw_pca": (n,)}``.
    """
    ridge = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(x_train, y_train)
    basis = fit_pca(x_train, y_train, n_components=1)
    return {"linreg": ridge.predict(x_eval), "raw_pca": basis.project(x_eval)[:, 0]}
