"""AeLLE end to end on synthetic tables: planted structure is recovered, noise is not."""

import json

import numpy as np
import pandas as pd
import pytest

from aelle.ae import steps
from aelle.ae.analyses import evaluate_analysis, fit_analysis
from aelle.ae.assembly import assemble_table
from aelle.ae.split import assign_split
from aelle.plots import steps as figure_steps

CFG = {
    "length": 64,
    "resample": "midpoint",
    "latent": 8,
    "dropout": 0.1,
    "alpha_schedule": [5, 10],
    "epochs_per_stage": 30,
    "lr": 3e-3,
    "batch_size": 32,
    "split": [0.7, 0.1, 0.2],
    "early_epochs": [0, 5],
    "knn_neighbors": 5,
    "bootstrap": 300,
    "umap": None,
    "loss_thresholds": {"toy": 0.5},
}


def synthetic_tables(n_networks, *, planted, seed=0, epochs=(0, 5, 6), blind_epochs=()):
    """Spectra of sizes 16 / 32 (full state 2H) whose *shape* encodes a hidden factor.

    Planted: final loss = hidden factor (+ small noise); the spectrum is a nuisance level
    (uniform on [-1, 1], so mean LE carries no information) plus hidden x a sine profile.
    Without structure, the loss is drawn independently. At ``blind_epochs`` the profile
    carries a fresh independent draw instead of the hidden factor (spectra blind to the
    final loss). Network 0 diverges; network 1 has a non-finite spectrum at epoch 0.
    """
    rng = np.random.default_rng(seed)
    spectra, records = [], []
    for i in range(n_networks):
        arch, size = ("lstm", "gru")[i % 2], (16, 32)[(i // 2) % 2]
        nid = f"toy/{arch}/h{size}/n{i:04d}"
        hidden, nuisance, p = rng.uniform(), rng.uniform(-1, 1), rng.uniform(0.1, 3)
        final = hidden + 0.02 * rng.normal() if planted else rng.uniform()
        x = np.linspace(0, 1, 2 * size)
        for e in epochs:
            records.append(
                {
                    "network_id": nid,
                    "task": "toy",
                    "arch": arch,
                    "size": size,
                    "index": i,
                    "seed": i,
                    "p": p,
                    "epoch": e,
                    "train_loss": final,
                    "val_loss": final + (epochs[-1] - e) * 0.1 * rng.uniform(),
                    "accuracy": np.nan,
                    "wall_s": 0.1,
                    "status": "diverged" if i == 0 and e == epochs[-1] else "ok",
                }
            )
            shape = rng.uniform() if e in blind_epochs else hidden
            lam = nuisance + 0.6 * shape * np.sin(2 * np.pi * x)
            for input_set in ("val", "novel"):
                exps = np.sort(lam + 0.02 * rng.normal(size=x.size))[::-1]
                if i == 1 and e == 0:
                    exps[0] = np.nan
                spectra.append(
                    {
                        "network_id": nid,
                        "task": "toy",
                        "arch": arch,
                        "size": size,
                        "index": i,
                        "epoch": e,
                        "input_set": input_set,
                        "status": "nonfinite" if i == 1 and e == 0 else "ok",
                        "log_base": 2.0,
                        "exponents": exps.tolist(),
                        "exponents_std": [0.0] * x.size,
                    }
                )
    return pd.DataFrame(spectra), pd.DataFrame(records)


def _run(analysis, *, planted, n=200, blind_epochs=()):
    spectra, records = synthetic_tables(n, planted=planted, blind_epochs=blind_epochs)
    table = assign_split(
        assemble_table(spectra, records, length=64, method="midpoint"), CFG["split"], seed=0
    )
    fitted = fit_analysis(table, CFG, 0, analysis)
    metrics, predictions = evaluate_analysis(
        table, fitted.embedding, CFG, seed=0, analysis=analysis, task="toy"
    )
    return fitted, metrics, predictions, table


def test_planted_structure_is_recovered_and_beats_mean_le():
    fitted, metrics, predictions, _ = _run("main", planted=True)
    model = metrics["models"]["main"]
    methods = model["test"]["methods"]
    aelle = methods["aelle"]["median"]["f1"]
    assert aelle["value"] >= 0.9
    assert aelle["value"] > methods["mean_le"]["median"]["f1"]["value"]
    assert methods["aelle"]["regression"]["spearman"]["low"] > 0.8
    assert methods["aelle"]["fixed"]["f1"]["value"] >= 0.85
    assert methods["aelle_knn"]["median"]["f1"]["value"] >= 0.85
    novel = model["novel_inputs"]["methods"]["aelle"]["median"]["f1"]
    assert novel["value"] >= 0.9
    assert metrics["excluded"]["diverged"] == 1
    assert metrics["excluded"]["nonfinite_spectrum"] == 0  # its failure is at epoch 0
    assert "n0000" not in " ".join(fitted.embedding["network_id"])
    assert model["networks"] == {"train": 139, "val": 20, "test": 40}
    assert set(predictions["method"]) == {"aelle", "max_le", "mean_le", "p", "linreg", "raw_pca"}
    assert fitted.perturbation["predicted_loss"].is_monotonic_increasing


def test_no_structure_scores_stay_at_chance():
    _, metrics, _, _ = _run("main", planted=False)
    aelle = metrics["models"]["main"]["test"]["methods"]["aelle"]
    balanced = aelle["median"]["balanced_accuracy"]
    assert balanced["low"] <= 0.5 <= balanced["high"]
    rho = aelle["regression"]["spearman"]
    assert rho["low"] <= 0.0 <= rho["high"]
    assert aelle["regression"]["r2"]["value"] < 0.2


def test_separate_early_epochs_get_one_model_each_and_the_early_loss_baseline():
    fitted, metrics, _, _ = _run("early_separate", planted=True, n=120)
    assert set(fitted.models) == {"epoch0", "epoch5"}
    assert set(fitted.embedding["epoch"]) == {0, 5}
    for key in ("epoch0", "epoch5"):
        methods = metrics["models"][key]["test"]["methods"]
        assert "early_loss" in methods
        assert methods["aelle"]["median"]["f1"]["value"] >= 0.8
    assert metrics["models"]["epoch0"]["excluded"]["nonfinite_spectrum"] == 1
    assert metrics["models"]["epoch5"]["excluded"]["nonfinite_spectrum"] == 0
    assert "n0001" not in " ".join(
        fitted.embedding.loc[fitted.embedding["epoch"] == 0, "network_id"]
    )


def test_shared_early_basis_embeds_every_epoch_with_one_model_and_one_pca():
    fitted, metrics, _, table = _run("early", planted=True, n=120)
    assert list(fitted.models) == ["shared"] and list(fitted.bases) == ["shared"]
    model, basis = fitted.models["shared"], fitted.bases["shared"]
    emb = fitted.embedding
    assert set(emb["autoencoder"]) == {"shared"}
    assert list(metrics["models"]) == ["epoch0", "epoch5", "epoch6"]
    keys = ["network_id", "epoch", "input_set"]
    spectra = emb[keys].merge(table[[*keys, "spectrum"]], on=keys, how="left")
    x = np.stack(spectra["spectrum"].map(np.asarray).to_numpy())
    codes = model.encode(x)
    np.testing.assert_array_equal(codes, model.encode(x))
    np.testing.assert_allclose(basis.project(codes), emb[["pc1", "pc2"]], atol=1e-12)
    np.testing.assert_allclose(np.stack(emb["latent"].map(np.asarray)), codes, atol=1e-6)
    assert (emb.groupby("network_id")["split"].nunique() == 1).all()
    assert (table.groupby("network_id")["split"].nunique() == 1).all()
    for key in ("epoch0", "epoch5", "epoch6"):
        entry = metrics["models"][key]
        assert entry["autoencoder"] == "shared"
        methods = entry["test"]["methods"]
        assert methods["aelle"]["median"]["f1"]["value"] >= 0.8
        assert methods["aelle"]["regression"]["spearman"]["low"] > 0.8
        assert ("early_loss" in methods) == (key != "epoch6")
    assert metrics["models"]["epoch0"]["excluded"]["nonfinite_spectrum"] == 1
    assert metrics["excluded"]["diverged"] == 1


def test_shared_early_basis_scores_an_epoch_blind_to_the_final_loss_at_chance():
    _, metrics, _, _ = _run("early", planted=True, n=160, blind_epochs=(0,))
    blind = metrics["models"]["epoch0"]["test"]["methods"]["aelle"]
    assert blind["median"]["balanced_accuracy"]["low"] <= 0.5
    assert blind["regression"]["spearman"]["low"] <= 0.0
    seen = metrics["models"]["epoch5"]["test"]["methods"]["aelle"]
    assert seen["median"]["f1"]["value"] >= 0.85
    assert seen["regression"]["spearman"]["low"] > 0.8


def test_architecture_shares_split_each_architecture():
    _, metrics, _, _ = _run("architectures", planted=True, n=120)
    shares = metrics["models"]["main"]["architecture_shares"]
    assert set(shares) == {"lstm", "gru"}
    for share in shares.values():
        assert share["good_side"] + share["bad_side"] == pytest.approx(1.0)
        assert abs(share["good_side"] - share["actually_good"]) < 0.15


def test_steps_write_models_metrics_and_summary(tmp_path):
    spectra, records = synthetic_tables(60, planted=True)
    spectra.to_parquet(tmp_path / "s.parquet")
    records.to_parquet(tmp_path / "r.parquet")
    table = tmp_path / "table.parquet"
    steps.assemble(
        [tmp_path / "s.parquet"], [tmp_path / "r.parquet"], table, length=64, method="midpoint"
    )
    cfg = {**CFG, "epochs_per_stage": 5, "bootstrap": 50}
    steps.fit(table, tmp_path / "fit", cfg=cfg, seed=1, analysis="main", arch="lstm")
    names = {p.name for p in (tmp_path / "fit").iterdir()}
    assert names == {
        "model_main.pt",
        "curves.parquet",
        "curves.csv",
        "embedding.parquet",
        "perturbation.parquet",
        "fit.json",
    }
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "fit" / "curves.csv"),
        pd.read_parquet(tmp_path / "fit" / "curves.parquet"),
        check_dtype=False,
    )
    embedding = pd.read_parquet(tmp_path / "fit" / "embedding.parquet")
    assert set(embedding["arch"]) == {"lstm"}
    steps.evaluate(
        table,
        tmp_path / "fit",
        tmp_path / "m.json",
        tmp_path / "pred.parquet",
        cfg=cfg,
        seed=1,
        analysis="main",
        task="toy",
        arch="lstm",
    )
    metrics = json.loads((tmp_path / "m.json").read_text(), parse_constant=pytest.fail)
    assert metrics["arch"] == "lstm" and metrics["excluded"]["diverged"] == 1
    steps.summarise([tmp_path / "m.json"], tmp_path / "metrics.json", tmp_path / "summary.md")
    merged = json.loads((tmp_path / "metrics.json").read_text())
    assert list(merged["analyses"]) == ["toy/main/lstm"]
    assert set(merged["claims"]["toy"]["lstm"]) == {"1", "2"}
    summary = (tmp_path / "summary.md").read_text().splitlines()
    headline = summary.index("## Headline: AeLLE against the best baseline")
    assert summary[headline + 6].startswith(
        f"| toy | lstm | {metrics['models']['main']['test']['networks']} | "
    )
    novel = summary.index("## Novel inputs")
    assert summary[novel + 6].startswith("| toy | lstm | ")
    figures = tmp_path / "figures" / "toy"
    figure_steps.population_figures(table, figures, task="toy")
    drawn = figure_steps.analysis_figures(
        tmp_path / "fit",
        tmp_path / "m.json",
        tmp_path / "pred.parquet",
        figures,
        task="toy",
        log_base=2.0,
        families=[f for f in figure_steps.ANALYSIS_FAMILIES["main"] if f != "umap"],
    )
    assert drawn == figure_steps.analysis_figure_paths(
        figures,
        analysis="main",
        arch="lstm",
        families=[f for f in figure_steps.ANALYSIS_FAMILIES["main"] if f != "umap"],
    )
    assert {p.name for p in figures.iterdir()} >= {
        p.name for p in figure_steps.population_figure_paths(figures)
    }
    models = {
        key: {k: v for k, v in entry.items() if k != "novel_inputs"}
        for key, entry in metrics["models"].items()
    }
    without_novel = {**metrics, "models": models}
    (tmp_path / "m_no_novel.json").write_text(json.dumps(without_novel))
    drawn = figure_steps.analysis_figures(
        tmp_path / "fit",
        tmp_path / "m_no_novel.json",
        tmp_path / "pred.parquet",
        tmp_path / "no_novel",
        task="toy",
        log_base=2.0,
    )
    expected = [
        f for f in figure_steps.ANALYSIS_FAMILIES["main"] if f not in ("umap", "novel-inputs")
    ]
    assert drawn == figure_steps.analysis_figure_paths(
        tmp_path / "no_novel", analysis="main", arch="lstm", families=expected
    )
    with pytest.raises(ValueError, match="lacks column"):
        figure_steps.analysis_figures(
            tmp_path / "fit",
            tmp_path / "m.json",
            tmp_path / "pred.parquet",
            figures,
            task="toy",
            log_base=2.0,
            families=["umap"],
        )
    with pytest.raises(ValueError, match="draws"):
        figure_steps.analysis_figure_paths(figures, analysis="early", families=["umap"])
    for analysis in ("early", "early_separate", "architectures"):
        steps.fit(table, tmp_path / analysis, cfg=cfg, seed=1, analysis=analysis)
        steps.evaluate(
            table,
            tmp_path / analysis,
            tmp_path / f"{analysis}.json",
            tmp_path / f"{analysis}.parquet",
            cfg=cfg,
            seed=1,
            analysis=analysis,
            task="toy",
        )
        figure_steps.analysis_figures(
            tmp_path / analysis,
            tmp_path / f"{analysis}.json",
            tmp_path / f"{analysis}.parquet",
            figures,
            task="toy",
            log_base=2.0,
        )
    figure_steps.index(tmp_path / "figures", tmp_path / "figures" / "INDEX.md")
    index = (tmp_path / "figures" / "INDEX.md").read_text()
    for stem in (
        "spectra",
        "loss-vs-hyperparameter",
        "distributions",
        "ae-training--lstm",
        "aelle-pca-performance--lstm",
        "aelle-pca-size--lstm",
        "predicted-vs-actual--lstm",
        "latent-perturbation--lstm",
        "novel-inputs--lstm",
        "early-epochs--early",
        "early-epochs--early_separate",
        "ae-training--early",
        "aelle-pca-architecture--architectures",
    ):
        assert f"toy/{stem}.png" in index
    with pytest.raises(ValueError, match="two metrics files"):
        steps.summarise([tmp_path / "m.json"] * 2, tmp_path / "x.json", tmp_path / "x.md")
    with pytest.raises(ValueError, match="spans all architectures"):
        steps.fit(table, tmp_path / "bad", cfg=cfg, seed=1, analysis="architectures", arch="lstm")
    with pytest.raises(ValueError, match="no networks of architecture 'rnn'"):
        steps.fit(table, tmp_path / "bad", cfg=cfg, seed=1, analysis="main", arch="rnn")


def test_umap_config_reaches_the_embedding(monkeypatch):
    calls = []

    def fake_umap(x_fit, x_all, *, n_neighbors, min_dist, seed):
        calls.append((x_fit.shape[0], x_all.shape[0], n_neighbors, min_dist, seed))
        return np.zeros((x_all.shape[0], 2))

    monkeypatch.setattr("aelle.ae.analyses.fit_umap", fake_umap)
    spectra, records = synthetic_tables(40, planted=True, epochs=(6,))
    table = assign_split(
        assemble_table(spectra, records, length=64, method="midpoint"), CFG["split"], seed=0
    )
    cfg = {**CFG, "epochs_per_stage": 1, "umap": {"n_neighbors": 7, "min_dist": 0.3}}
    embedding = fit_analysis(table, cfg, 5, "main").embedding
    train = int(((embedding["split"] == "train") & (embedding["input_set"] == "val")).sum())
    assert calls == [(train, len(embedding), 7, 0.3, 5)]
    assert {"umap1", "umap2"} <= set(embedding)
