"""A task without a novel input set (signal) runs through AeLLE and its figures."""

import json

import numpy as np
import pandas as pd
from test_ae_pipeline import CFG, synthetic_tables

from aelle.ae import steps
from aelle.plots import steps as figure_steps


def test_main_analysis_without_novel_spectra_scores_and_draws_without_them(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "aelle.ae.analyses.fit_umap", lambda x_fit, x_all, **_: np.zeros((x_all.shape[0], 2))
    )
    spectra, records = synthetic_tables(40, planted=True)
    spectra.loc[spectra["input_set"] == "val"].to_parquet(tmp_path / "s.parquet")
    records.to_parquet(tmp_path / "r.parquet")
    table = tmp_path / "table.parquet"
    steps.assemble(
        [tmp_path / "s.parquet"], [tmp_path / "r.parquet"], table, length=64, method="midpoint"
    )
    assert set(pd.read_parquet(table)["input_set"]) == {"val"}
    cfg = {
        **CFG,
        "epochs_per_stage": 3,
        "bootstrap": 20,
        "umap": {"n_neighbors": 3, "min_dist": 0.1},
    }
    steps.fit(table, tmp_path / "fit", cfg=cfg, seed=1, analysis="main", arch="lstm")
    paths = [tmp_path / "m.json", tmp_path / "pred.parquet"]
    steps.evaluate(table, tmp_path / "fit", *paths, cfg=cfg, seed=1, analysis="main",
                   task="toy", arch="lstm")  # fmt: skip
    assert "novel_inputs" not in json.loads(paths[0].read_text())["models"]["main"]
    steps.summarise([paths[0]], tmp_path / "metrics.json", tmp_path / "summary.md")
    assert "| novel |" not in (tmp_path / "summary.md").read_text()
    figures = tmp_path / "figures"
    drawn = figure_steps.analysis_figures(
        tmp_path / "fit", *paths, figures, task="toy", log_base=2.0
    )
    names = {p.name for p in drawn}
    assert "ae-training--lstm.png" in names and "aelle-pca-performance--lstm.png" in names
    assert not any(name.startswith("novel-inputs") for name in names)
