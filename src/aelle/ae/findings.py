"""The paper's three claims, pulled from the metrics: AeLLE against its best baseline.

Claims (each scored on held-out test networks, good = final loss below the median):

1. good and bad networks separate: analysis ``main`` per architecture, and
   ``architectures`` across all of a task's architectures (architecture ``"all"``);
2. the representation holds for novel inputs: ``main``'s novel-input scores;
3. early epochs predict the final loss: ``early`` (one shared basis) per early epoch, and
   ``early_separate`` (one autoencoder per early epoch) as a second reading.

Measures: ``f1`` (F1 of good networks, threshold on the score chosen on validation
networks) and ``spearman`` (rank correlation of the predicted and the actual final loss),
each ``{value, low, high}`` with a 95 % percentile-bootstrap interval. The best baseline is
the non-AeLLE method with the highest point value of that measure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

MEASURES = {"f1": ("median", "f1"), "spearman": ("regression", "spearman")}
"""Measure name -> path into a method's scores (label rule or regression, score)."""

MEASURE_LABELS = {"f1": "F1 (good = below median)", "spearman": "Spearman (predicted vs final)"}

CLAIM_ANALYSES = ("main", "architectures", "early")
"""Analyses the Findings table reads by default (``early_separate`` is the second reading)."""


def _score(methods: Mapping[str, Any], method: str, measure: str) -> dict[str, Any] | None:
    group, name = MEASURES[measure]
    score = (methods.get(method) or {}).get(group, {}).get(name)
    return dict(score) if score and score.get("value") is not None else None


def best_baseline(methods: Mapping[str, Any], measure: str) -> dict[str, Any] | None:
    """The baseline (a method not named ``aelle*``) with the highest point ``measure``.

    Args:
        methods: ``methods`` of one scored set (see :func:`aelle.ae.analyses.evaluate_analysis`).
        measure: a key of ``MEASURES``.

    Returns:
        ``{"method", "value", "low", "high"}``, or None when no baseline has a value. Ties go
        to the method listed first.
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; expected one of {tuple(MEASURES)}")
    best = None
    for method in methods:
        score = None if method.startswith("aelle") else _score(methods, method, measure)
        if score is not None and (best is None or score["value"] > best["value"]):
            best = {"method": method, **score}
    return best


def _record(claim: str, metrics: Mapping[str, Any], entry: Mapping[str, Any], inputs: str):
    scored = entry[inputs]
    record = {
        "claim": claim,
        "analysis": metrics["analysis"],
        "inputs": "novel" if inputs == "novel_inputs" else "standard",
        "epoch": entry.get("epoch"),
        "networks": scored["networks"],
    }
    for measure in MEASURES:
        record[measure] = {
            "aelle": _score(scored["methods"], "aelle", measure),
            "best_baseline": best_baseline(scored["methods"], measure),
        }
    return record


def _claims_of(metrics: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(claim id, record) pairs of one analysis' metrics."""
    analysis, models = metrics["analysis"], metrics["models"]
    if analysis in ("main", "architectures"):
        yield "1", _record("1", metrics, models["main"], "test")
        if analysis == "main" and "novel_inputs" in models["main"]:
            yield "2", _record("2", metrics, models["main"], "novel_inputs")
        return
    suffix = "" if analysis == "early" else "_separate"
    for key, entry in models.items():
        if not entry.get("final", False):
            yield f"3{suffix}_{key}", _record("3", metrics, entry, "test")


def claim_records(analyses: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """``{task: {architecture: {claim id: record}}}`` from every analysis' metrics.

    Claim ids: ``"1"``, ``"2"``, ``"3_epoch{e}"`` (shared basis) and
    ``"3_separate_epoch{e}"``; architecture ``"all"`` holds the across-architecture
    claim 1. A record holds ``claim, analysis, inputs`` (standard | novel), ``epoch`` (claim
    3), ``networks`` (test networks) and per measure ``{"aelle", "best_baseline"}`` (see
    :func:`best_baseline`).
    """
    claims: dict[str, Any] = {}
    for metrics in analyses.values():
        arch = metrics.get("arch") or "all"
        for claim_id, record in _claims_of(metrics):
            claims.setdefault(metrics["task"], {}).setdefault(arch, {})[claim_id] = record
    return claims


def format_score(score: Mapping[str, Any] | None) -> str:
    """``"0.81 [0.70, 0.90]"``; ``"–"`` when undefined."""
    if not score or score.get("value") is None:
        return "–"
    low, high = score.get("low"), score.get("high")
    interval = "" if low is None or high is None else f" [{low:.2f}, {high:.2f}]"
    return f"{score['value']:.2f}{interval}"


def format_baseline(score: Mapping[str, Any] | None) -> str:
    """``"mean_le 0.71 [0.55, 0.85]"``; ``"–"`` when there is no baseline."""
    return "–" if not score else f"{score['method']} {format_score(score)}"


def markdown_table(rows: Sequence[Mapping[str, str]]) -> str:
    """A Markdown table with the keys of the first row as header."""
    if not rows:
        raise ValueError("markdown_table: no rows")
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(r[h]) for h in header) + " |" for r in rows]
    return "\n".join(lines)


def _where(record: Mapping[str, Any]) -> str:
    if record["claim"] == "3":
        basis = "shared basis" if record["analysis"] == "early" else "separate AEs"
        return f"epoch {record['epoch']} ({basis})"
    return "novel inputs" if record["inputs"] == "novel" else "test networks"


def findings_table(
    metrics: Mapping[str, Any],
    *,
    measures: Sequence[str] = ("f1", "spearman"),
    analyses: Sequence[str] = CLAIM_ANALYSES,
) -> str:
    """Markdown table per claim, task, architecture and measure: AeLLE vs the best baseline.

    Args:
        metrics: the merged ``metrics.json`` (with ``claims``, see :func:`claim_records`).
        measures: keys of ``MEASURES``, one row each.
        analyses: keep records of these analyses.
    """
    if "claims" not in metrics:
        raise ValueError("findings_table: metrics lack 'claims' (rerun the summary step)")
    rows = [
        {
            "claim": record["claim"],
            "task": task,
            "architecture": arch,
            "where": _where(record),
            "test networks": str(record["networks"]),
            "measure": MEASURE_LABELS[measure],
            "AeLLE": format_score(record[measure]["aelle"]),
            "best baseline": format_baseline(record[measure]["best_baseline"]),
        }
        for task, archs in metrics["claims"].items()
        for arch, records in archs.items()
        for record in records.values()
        if record["analysis"] in analyses
        for measure in measures
    ]
    rows.sort(key=lambda r: r["claim"])
    return markdown_table(rows)
