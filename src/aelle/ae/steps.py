"""Workflow entry points: file paths in, files out (the Snakemake scripts call these).

Files written by :func:`fit` into ``out_dir``: ``model_{key}.pt`` per autoencoder
(``key`` = ``main``, ``shared`` for the shared-basis early analysis, or ``epoch{e}`` for
the separate early autoencoders), ``curves.parquet`` (and the same as ``curves.csv`` for
``dvc plots``), ``embedding.parquet``,
``perturbation.parquet`` (see :class:`aelle.ae.analyses.FitOutputs`) and ``fit.json``
(seed, analysis, architecture filter, config, best epochs, package versions).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aelle.ae.analyses import evaluate_analysis, fit_analysis
from aelle.ae.assembly import assemble_table
from aelle.ae.autoencoder import save_model
from aelle.ae.findings import claim_records
from aelle.ae.populations import populations_markdown, unigram_entropy
from aelle.ae.split import assign_split
from aelle.ae.summary import summary_markdown
from aelle.data.task import load_prepared

PathLike = str | Path


def _json_ready(value: Any) -> Any:
    """Replace NaN / inf by None and numpy scalars by Python numbers, recursively."""
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(value: Any, path: PathLike) -> None:
    """Write ``value`` as indented, strictly valid JSON (NaN -> null)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(_json_ready(value), indent=2, allow_nan=False) + "\n")


def _versions() -> dict[str, str]:
    import sklearn
    import torch

    return {
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "torch": torch.__version__,
        "scikit-learn": sklearn.__version__,
    }


def assemble(
    spectra_paths: Sequence[PathLike],
    records_paths: Sequence[PathLike],
    out_path: PathLike,
    *,
    length: int,
    method: str,
) -> None:
    """Concatenate spectra and training-record shards of one task; write the assembled table.

    See :func:`aelle.ae.assembly.assemble_table` for the columns of ``out_path`` (Parquet).
    """
    if not spectra_paths or not records_paths:
        raise ValueError("assemble: need at least one spectra file and one records file")
    spectra = pd.concat([pd.read_parquet(p) for p in spectra_paths], ignore_index=True)
    records = pd.concat([pd.read_parquet(p) for p in records_paths], ignore_index=True)
    table = assemble_table(spectra, records, length=length, method=method)
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(out_path, index=False)


def load_split_table(
    table_path: PathLike, *, split: Sequence[float], seed: int, arch: str | None = None
) -> pd.DataFrame:
    """Read an assembled table, split its networks (seeded), keep one architecture if given.

    The split is drawn over the whole table before the architecture filter, so a network
    is in the same split in every analysis of its task.
    """
    table = assign_split(pd.read_parquet(table_path), split, seed)
    if arch is not None:
        if arch not in set(table["arch"]):
            raise ValueError(
                f"{table_path}: no networks of architecture {arch!r} "
                f"(has {sorted(set(table['arch']))})"
            )
        table = table.loc[table["arch"] == arch].reset_index(drop=True)
    return table


def fit(
    table_path: PathLike,
    out_dir: PathLike,
    *,
    cfg: Mapping[str, Any],
    seed: int,
    analysis: str,
    arch: str | None = None,
) -> None:
    """Train the analysis' autoencoder(s) on an assembled table and write their outputs.

    Args:
        table_path: assembled table (Parquet) from :func:`assemble`.
        out_dir: folder for the files listed in the module docstring.
        cfg: the ``aelle:`` config section.
        seed: seeds the split, training and UMAP.
        analysis: one of :data:`aelle.ae.analyses.ANALYSES`.
        arch: keep only this architecture (None: all in the table).
    """
    if analysis == "architectures" and arch is not None:
        raise ValueError(
            f"fit: analysis 'architectures' spans all architectures; got arch={arch!r}"
        )
    table = load_split_table(table_path, split=cfg["split"], seed=seed, arch=arch)
    outputs = fit_analysis(table, cfg, seed, analysis)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for key, model in outputs.models.items():
        save_model(model, str(out / f"model_{key}.pt"))
    outputs.curves.to_parquet(out / "curves.parquet", index=False)
    outputs.curves.to_csv(out / "curves.csv", index=False)
    outputs.embedding.to_parquet(out / "embedding.parquet", index=False)
    outputs.perturbation.to_parquet(out / "perturbation.parquet", index=False)
    config_text = json.dumps(_json_ready(dict(cfg)), sort_keys=True)
    write_json(
        {
            "seed": seed,
            "analysis": analysis,
            "arch": arch,
            "config": dict(cfg),
            "config_sha256": hashlib.sha256(config_text.encode()).hexdigest(),
            "best_epoch": outputs.curves.groupby("model")["best_epoch"].first().to_dict(),
            "versions": _versions(),
        },
        out / "fit.json",
    )


def evaluate(
    table_path: PathLike,
    fit_dir: PathLike,
    out_json: PathLike,
    out_predictions: PathLike,
    *,
    cfg: Mapping[str, Any],
    seed: int,
    analysis: str,
    task: str,
    arch: str | None = None,
) -> dict[str, Any]:
    """Score an analysis fitted by :func:`fit` (same table, seed and arch); write its metrics.

    Writes ``out_json`` (see :func:`aelle.ae.analyses.evaluate_analysis`, plus ``arch``
    and ``seed``) and ``out_predictions`` (Parquet, per row x method); returns the metrics.
    """
    table = load_split_table(table_path, split=cfg["split"], seed=seed, arch=arch)
    embedding = pd.read_parquet(Path(fit_dir) / "embedding.parquet")
    metrics, predictions = evaluate_analysis(
        table, embedding, cfg, seed=seed, analysis=analysis, task=task
    )
    metrics = {**metrics, "arch": arch, "seed": seed}
    write_json(metrics, out_json)
    Path(out_predictions).parent.mkdir(parents=True, exist_ok=True)
    predictions.to_parquet(out_predictions, index=False)
    return metrics


def summarise(
    metrics_paths: Sequence[PathLike],
    out_json: PathLike,
    out_md: PathLike,
    records_paths: Sequence[PathLike] = (),
    charrnn_data: PathLike | None = None,
) -> None:
    """Merge per-analysis metrics into one JSON and write the Markdown summary.

    ``out_json`` holds ``{"analyses": {"{task}/{analysis}[/{arch}]": metrics}, "claims":
    {task: {arch: {claim id: record}}}}`` (claims: :func:`aelle.ae.findings.claim_records`,
    AeLLE and the best baseline per claim, read by :func:`aelle.ae.findings.claims_table`);
    ``out_md`` the verdicts, the headline table, the populations (from the training
    ``records_paths``; the charrnn reference is the unigram entropy of the training text
    in the prepared ``charrnn_data``) and the detailed tables of
    :func:`aelle.ae.summary.summary_markdown`.
    """
    if not metrics_paths:
        raise ValueError("summarise: no metrics files given")
    analyses: dict[str, Any] = {}
    for path in metrics_paths:
        metrics = json.loads(Path(path).read_text())
        key = "/".join(filter(None, [metrics["task"], metrics["analysis"], metrics.get("arch")]))
        if key in analyses:
            raise ValueError(f"summarise: two metrics files for {key} (second: {path})")
        analyses[key] = metrics
    write_json({"analyses": analyses, "claims": claim_records(analyses)}, out_json)
    populations = ""
    if records_paths:
        records = pd.concat(pd.read_parquet(p) for p in records_paths)
        references = {}
        if charrnn_data is not None:
            train = load_prepared(Path(charrnn_data)).arrays["train_seq"]
            references["charrnn"] = unigram_entropy(train)
        populations = populations_markdown(records, references)
    Path(out_md).parent.mkdir(parents=True, exist_ok=True)
    Path(out_md).write_text(summary_markdown(analyses, populations))
