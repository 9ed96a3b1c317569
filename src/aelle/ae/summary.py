"""``summary.md``: a headline table (AeLLE against the best baseline), then the details.

The headline has one row per task and architecture (claim 1: analysis ``main`` per
architecture, ``architectures`` as architecture ``all``). The detailed tables follow,
one section per analysis, each with a heading and one sentence saying what it measures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aelle.ae.findings import (
    claim_records,
    claims_table,
    format_baseline,
    format_score,
    markdown_table,
)

METHODS = ("aelle", "aelle_knn", "max_le", "mean_le", "linreg", "raw_pca", "p", "early_loss")
"""Methods in the detailed tables, in this order (others found in the metrics follow)."""

SECTIONS = (
    (
        "main",
        "test",
        "Main analysis: good vs bad networks within each architecture",
        "Final-epoch spectra of held-out test networks with the standard inputs, embedded "
        "by one autoencoder per architecture.",
    ),
    (
        "main",
        "novel_inputs",
        "Novel inputs",
        "The same test networks' spectra measured with inputs the autoencoder never saw, "
        "projected through the main autoencoder and its fixed PCA basis (thresholds and "
        "baselines fitted on standard-input networks).",
    ),
    (
        "early",
        "test",
        "Early epochs, one shared basis",
        "One autoencoder trained on the pooled spectra of the early epochs and the final "
        "epoch, every row labelled with the network's final loss; each epoch's test "
        "networks are scored in that one basis (threshold chosen on that epoch's "
        "validation networks); early_loss is the validation loss at that epoch.",
    ),
    (
        "early_separate",
        "test",
        "Early epochs, separate autoencoders",
        "One autoencoder per early epoch, trained on that epoch's spectra labelled with "
        "the final loss and scored in its own basis.",
    ),
    (
        "architectures",
        "test",
        "All architectures",
        "One autoencoder over every architecture of a task: good vs bad across architectures.",
    ),
)
"""(analysis, scored set, heading, what it measures) per detailed table."""

NO_NOVEL_INPUTS = {
    "signal": "a FORCE network in closed loop ignores its input, so novel inputs would only "
    "change the warm-up",
}
"""Why a task has no novel-input analysis (others: no novel-input spectra configured)."""

READING = (
    "Scores on held-out test networks; 95 % percentile-bootstrap intervals in brackets. "
    "F1: good = final loss below the median, classified by a threshold on the score "
    "(AeLLE: PC1 of the latent code) chosen on validation networks. Spearman: predicted "
    "vs actual final loss. Best baseline: the baseline (max_le, mean_le, linreg, raw_pca, "
    "p, early_loss) with the highest point value, named."
)


def headline_rows(claims: Mapping[str, Any]) -> list[dict[str, str]]:
    """One row per task and architecture: claim 1, AeLLE against the best baseline.

    Args:
        claims: :func:`aelle.ae.findings.claim_records`.
    """
    rows = []
    for task, archs in claims.items():
        ordered = sorted(archs, key=lambda arch: arch == "all")
        for arch in ordered:
            record = archs[arch].get("1")
            if record is None:
                continue
            rows.append(
                {
                    "task": task,
                    "architecture": arch,
                    "test networks": str(record["networks"]),
                    "F1 AeLLE": format_score(record["f1"]["aelle"]),
                    "F1 best baseline": format_baseline(record["f1"]["best_baseline"]),
                    "Spearman AeLLE": format_score(record["spearman"]["aelle"]),
                    "Spearman best baseline": format_baseline(record["spearman"]["best_baseline"]),
                }
            )
    return rows


def _epoch_label(entry: Mapping[str, Any]) -> str:
    return f"{entry['epoch']} (final)" if entry.get("final") else str(entry["epoch"])


def detail_rows(metrics: Mapping[str, Any], scored: str) -> list[dict[str, str]]:
    """Rows (per model entry and method) of one analysis' ``scored`` set (test | novel_inputs)."""
    arch = metrics.get("arch") or "all"
    early = metrics["analysis"].startswith("early")
    rows = []
    for entry in metrics["models"].values():
        if scored not in entry:
            continue
        methods = entry[scored]["methods"]
        names = [m for m in METHODS if m in methods] + [m for m in methods if m not in METHODS]
        for method in names:
            scores = methods[method]
            row = {"task": metrics["task"], "architecture": arch}
            if early:
                row["epoch"] = _epoch_label(entry)
            row |= {
                "networks": str(entry[scored]["networks"]),
                "method": method,
                "F1 (median)": format_score(scores.get("median", {}).get("f1")),
                "F1 (fixed)": format_score(scores.get("fixed", {}).get("f1")),
                "balanced acc. (median)": format_score(
                    scores.get("median", {}).get("balanced_accuracy")
                ),
                "Spearman": format_score(scores.get("regression", {}).get("spearman")),
                "R²": format_score(scores.get("regression", {}).get("r2")),
            }
            rows.append(row)
    return rows


def _no_novel_lines(analyses: Mapping[str, Mapping[str, Any]]) -> list[str]:
    tasks = {
        m["task"]
        for m in analyses.values()
        if m["analysis"] == "main" and not any("novel_inputs" in e for e in m["models"].values())
    }
    reasons = {
        task: NO_NOVEL_INPUTS.get(
            task, f"no novel-input spectra (tasks.{task}.spectrum.input_sets)"
        )
        for task in tasks
    }
    return [f"- {task}: no novel-input analysis: {reasons[task]}." for task in sorted(tasks)]


def _section(analyses: Mapping[str, Mapping[str, Any]], section: tuple[str, ...]) -> list[str]:
    analysis, scored, heading, sentence = section
    chosen = [m for m in analyses.values() if m["analysis"] == analysis]
    if not chosen:
        return []
    rows = [row for m in chosen for row in detail_rows(m, scored)]
    lines = [f"## {heading}", "", sentence, ""]
    notes = _no_novel_lines(analyses) if scored == "novel_inputs" else []
    if notes:
        lines += [*notes, ""]
    if rows:
        lines += [markdown_table(rows), ""]
    return lines


VERDICT_READING = (
    "One row per claim, one line per population. Verdict: *supported* when AeLLE's 95 % "
    "interval lies above chance (F1 2/3, reached by calling every network good; Spearman "
    "0) and no baseline's point value lies above AeLLE's interval; *not supported* when "
    "AeLLE's point value is at chance or a baseline's whole interval lies above AeLLE's; "
    "*inconclusive at this scale* otherwise."
)


def summary_markdown(analyses: Mapping[str, Mapping[str, Any]], populations: str = "") -> str:
    """The text of ``summary.md`` for ``{"{task}/{analysis}[/{arch}]": metrics}``, with
    the verdict per claim after the headline, then ``populations`` (Markdown, see
    :func:`aelle.ae.populations.populations_markdown`)."""
    claims = claim_records(analyses)
    headline = headline_rows(claims)
    text = [
        "# AeLLE summary",
        "",
        "## Headline: AeLLE against the best baseline",
        "",
        READING,
        "",
        markdown_table(headline) if headline else "No main analysis in this run.",
        "",
        "## Claims: verdicts",
        "",
        VERDICT_READING,
        "",
        claims_table(claims),
        "",
    ]
    if populations:
        text += [populations]
    for section in SECTIONS:
        text += _section(analyses, section)
    excluded = [
        {"analysis": key, **{k: str(v) for k, v in m["excluded"].items()}}
        for key, m in analyses.items()
    ]
    text += [
        "## Networks excluded from fitting",
        "",
        "Networks per exclusion reason at each analysis' epochs (kept out of every fit).",
        "",
        markdown_table(excluded),
        "",
    ]
    return "\n".join(text)
