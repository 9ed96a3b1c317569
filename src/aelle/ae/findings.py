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


CHANCE = {"f1": 2 / 3, "spearman": 0.0}
"""Level a score reaches without information: F1 2/3 by calling every network good (half
of them are, by the median split); Spearman 0."""

VERDICT_WORDS = ("supported", "not supported", "inconclusive at this scale")
"""The verdicts of :func:`verdict`, each followed by its reason where it has one."""

CLAIM_MEASURES = {"1": "f1", "2": "f1", "3": "spearman"}
"""The measure that judges each claim: separation (F1) for claims 1 and 2, prediction of
the final loss (Spearman) for claim 3."""


def verdict(
    aelle: Mapping[str, Any] | None, baseline: Mapping[str, Any] | None, measure: str
) -> str:
    """A claim's verdict on one population from AeLLE's and the best baseline's scores.

    - ``supported``: AeLLE's 95 % interval lies above chance (:data:`CHANCE`) and the best
      baseline's point value is not above AeLLE's interval;
    - ``not supported``: AeLLE's point value is at or below chance, or the best baseline's
      interval lies wholly above AeLLE's (the baseline is named);
    - ``inconclusive at this scale``: anything else (AeLLE's interval reaches chance, or the
      best baseline beats AeLLE's interval while the two intervals overlap).
    """
    chance = CHANCE[measure]
    if not aelle or aelle.get("value") is None:
        return "inconclusive at this scale (no AeLLE score)"
    if aelle["value"] <= chance:
        return "not supported (at chance)"
    if baseline and baseline["low"] is not None and baseline["low"] > aelle["high"]:
        return f"not supported ({baseline['method']} better)"
    if aelle["low"] <= chance:
        return "inconclusive at this scale (interval reaches chance)"
    if baseline and baseline["value"] > aelle["high"]:
        return f"inconclusive at this scale ({baseline['method']} higher)"
    return "supported"


CLAIM_ROWS = (
    ("1", "main", "standard", "1. good and bad networks separate, within an architecture"),
    ("1", "architectures", "standard", "1. good and bad networks separate, across architectures"),
    ("2", "main", "novel", "2. the representation holds for novel inputs"),
    ("3", "early", "standard", "3. early epochs predict the final loss"),
)
"""(claim, analysis, inputs, statement) of each row of :func:`claims_table`."""


def _claim_rows(claims: Mapping[str, Any], claim: str, analysis: str, inputs: str):
    """(population label, record) pairs of one row of the claims table, epoch by epoch."""
    found = [
        (task, arch, record)
        for task, archs in claims.items()
        for arch, records in archs.items()
        for record in records.values()
        if record["claim"] == claim
        and record["analysis"] == analysis
        and record["inputs"] == inputs
    ]
    found.sort(key=lambda item: (item[2]["epoch"] or 0, item[0], item[1]))
    for task, arch, record in found:
        epoch = "" if record["epoch"] is None or claim != "3" else f", epoch {record['epoch']}"
        yield f"{task} {arch}{epoch}", record


def claims_table(claims: Mapping[str, Any]) -> str:
    """Markdown table with one row per claim: its measure, then per population (one line
    each) AeLLE's score, the best baseline's and the verdict (:func:`verdict`), and the
    claim's verdict counts.

    Args:
        claims: :func:`claim_records` (``metrics.json``'s ``claims``).
    """
    rows = []
    for claim, analysis, inputs, statement in CLAIM_ROWS:
        measure = CLAIM_MEASURES[claim]
        lines = list(_claim_rows(claims, claim, analysis, inputs))
        if not lines:
            continue
        verdicts = [
            verdict(r[measure]["aelle"], r[measure]["best_baseline"], measure) for _, r in lines
        ]
        counts = {word: sum(v.startswith(word) for v in verdicts) for word in VERDICT_WORDS}
        rows.append(
            {
                "claim": statement,
                "measure": MEASURE_LABELS[measure],
                "population (test networks)": "<br>".join(
                    f"{label} ({r['networks']})" for label, r in lines
                ),
                "AeLLE [95 % CI]": "<br>".join(format_score(r[measure]["aelle"]) for _, r in lines),
                "best baseline [95 % CI]": "<br>".join(
                    format_baseline(r[measure]["best_baseline"]) for _, r in lines
                ),
                "verdict": "<br>".join(verdicts)
                + "<br>**"
                + ", ".join(f"{word}: {n} of {len(verdicts)}" for word, n in counts.items() if n)
                + "**",
            }
        )
    return markdown_table(rows) if rows else "No claims scored in this run."
