"""Scores, threshold rule, k-NN, bootstrap intervals and the PCA basis against known answers."""

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.decomposition import PCA
from sklearn.metrics import f1_score, precision_score, r2_score, recall_score

from aelle.ae.baselines import fit_line, spectrum_baselines
from aelle.ae.bootstrap import bootstrap_indices, with_intervals
from aelle.ae.embed import fit_pca
from aelle.ae.metrics import (
    classification_scores,
    fit_threshold,
    good_labels,
    knn_predict,
    regression_scores,
)


def test_classification_scores_match_sklearn():
    rng = np.random.default_rng(0)
    true, pred = rng.uniform(size=(2, 40)) < 0.5
    s = classification_scores(pred, true)
    assert s["f1"][0] == pytest.approx(f1_score(true, pred))
    assert s["precision"][0] == pytest.approx(precision_score(true, pred))
    assert s["recall"][0] == pytest.approx(recall_score(true, pred))
    tpr, tnr = (pred & true).sum() / true.sum(), (~pred & ~true).sum() / (~true).sum()
    assert s["balanced_accuracy"][0] == pytest.approx((tpr + tnr) / 2)
    none = classification_scores(np.zeros(4, bool), np.array([1, 0, 1, 0], bool))
    assert none["precision"][0] == 0 and none["f1"][0] == 0


def test_regression_scores_match_scipy_and_sklearn_rowwise():
    rng = np.random.default_rng(1)
    actual = rng.normal(size=(3, 30))
    pred = actual + rng.normal(size=(3, 30))
    s = regression_scores(pred, actual)
    for b in range(3):
        assert s["spearman"][b] == pytest.approx(spearmanr(pred[b], actual[b]).statistic)
        assert s["r2"][b] == pytest.approx(r2_score(actual[b], pred[b]))
    assert np.isnan(regression_scores(np.ones(5), np.arange(5.0))["spearman"][0])


def test_threshold_side_from_training_and_value_from_validation():
    train = np.array([0.0, 1.0, 2.0, 3.0])
    train_good = good_labels(np.array([0.1, 0.2, 0.8, 0.9]), 0.5)
    val = np.array([10.0, 11.0, 12.0, 13.0])
    rule = fit_threshold(train, train_good, val, np.array([True, True, False, False]))
    assert rule.good_below and rule.threshold == 11.5
    np.testing.assert_array_equal(rule.predict(np.array([11.0, 12.0])), [True, False])
    flipped = fit_threshold(-train, train_good, -val, np.array([True, True, False, False]))
    assert not flipped.good_below and flipped.threshold == -11.5


def test_knn_votes_by_nearest_training_codes():
    train = np.array([[0.0], [0.1], [0.2], [5.0], [5.1], [5.2]])
    pred = knn_predict(train, np.array([1, 1, 1, 0, 0, 0], bool), np.array([[0.05], [4.9]]), 3)
    np.testing.assert_array_equal(pred, [True, False])


def test_bootstrap_interval_brackets_value_and_shrinks_with_n():
    rng = np.random.default_rng(2)

    def width(n):
        actual = rng.normal(size=n)
        pred = actual + rng.normal(size=n)
        out = with_intervals(regression_scores, (pred, actual), bootstrap_indices(n, 400, 0))
        s = out["spearman"]
        assert s["low"] <= s["value"] <= s["high"]
        return s["high"] - s["low"]

    assert width(400) < width(25)
    const = with_intervals(
        classification_scores, (np.ones(10, bool), np.ones(10, bool)), bootstrap_indices(10, 50, 1)
    )
    assert const["f1"] == {"value": 1.0, "low": 1.0, "high": 1.0}


def test_pca_basis_matches_sklearn_and_pc1_grows_with_loss():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 5)) * [5, 2, 1, 1, 1]
    loss = -x[:, 0]
    basis = fit_pca(x, loss, n_components=2)
    ref = PCA(2).fit(x)
    np.testing.assert_allclose(np.abs(basis.components), np.abs(ref.components_), atol=1e-8)
    np.testing.assert_allclose(basis.explained_variance_ratio, ref.explained_variance_ratio_)
    assert spearmanr(basis.project(x)[:, 0], loss).statistic > 0.9
    with pytest.raises(ValueError, match=r"expected \(B, 5\)"):
        basis.project(np.zeros((2, 4)))


def test_baselines_fit_on_training_networks():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(50, 8))
    y = x @ np.arange(8.0)
    scores = spectrum_baselines(x[:40], y[:40], x[40:])
    assert np.corrcoef(scores["linreg"], y[40:])[0, 1] > 0.99
    assert scores["raw_pca"].shape == (10,)
    line = fit_line(np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0]))
    assert (line.intercept, line.slope) == pytest.approx((1.0, 2.0))
    assert fit_line(np.ones(3), np.array([1.0, 2.0, 3.0])).slope == 0.0
