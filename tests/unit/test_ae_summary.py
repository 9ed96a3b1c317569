"""Summary and findings on a small hand-written metrics set: exact rows, right baselines."""

import json

import pytest

from aelle.ae import steps
from aelle.ae.findings import best_baseline, claim_records, claims_table, verdict
from aelle.ae.summary import headline_rows, summary_markdown


def s(value, low, high):
    return {"value": value, "low": low, "high": high}


def method(f1=None, rho=None):
    entry = {}
    if f1 is not None:
        entry["median"] = {"threshold": 0.0, "good_below": True, "f1": f1}
    if rho is not None:
        entry["regression"] = {"spearman": rho, "r2": s(0.1, 0.0, 0.2)}
    return entry


MAIN_METHODS = {
    "aelle": method(s(0.9, 0.8, 0.95), s(0.85, 0.7, 0.92)),
    "aelle_knn": method(s(0.99, 0.97, 1.0)),
    "max_le": method(s(0.6, 0.4, 0.7), s(0.3, 0.1, 0.5)),
    "mean_le": method(s(0.7, 0.5, 0.8), s(0.2, 0.0, 0.4)),
    "linreg": method(s(0.65, 0.5, 0.8), s(0.75, 0.6, 0.85)),
    "raw_pca": method(s(None, None, None), s(0.75, 0.5, 0.9)),
}


def entry(methods, networks, *, epoch=6, final=True, novel=None):
    out = {"epoch": epoch, "final": final, "test": {"networks": networks, "methods": methods}}
    if novel is not None:
        out["novel_inputs"] = {"networks": networks, "methods": novel}
    return out


def metrics(task, analysis, arch, models):
    return {
        "task": task,
        "analysis": analysis,
        "arch": arch,
        "architectures": ["lstm"],
        "excluded": {"diverged": 1, "networks_total": 50},
        "models": models,
    }


ANALYSES = {
    "toy/main/lstm": metrics(
        "toy",
        "main",
        "lstm",
        {"main": entry(MAIN_METHODS, 40, novel={"aelle": method(s(0.8, 0.7, 0.9))})},
    ),
    "toy/early/lstm": metrics(
        "toy",
        "early",
        "lstm",
        {
            "epoch0": entry(
                {
                    "aelle": method(s(0.75, 0.6, 0.85), s(0.6, 0.4, 0.75)),
                    "early_loss": method(s(0.8, 0.7, 0.9), s(0.65, 0.5, 0.8)),
                },
                40,
                epoch=0,
                final=False,
            ),
            "epoch6": entry({"aelle": method(s(0.9, 0.8, 1.0))}, 40),
        },
    ),
    "toy/architectures": metrics(
        "toy",
        "architectures",
        None,
        {"main": entry({"aelle": method(s(0.5, 0.3, 0.7)), "p": method(s(0.55, 0.4, 0.7))}, 80)},
    ),
    "signal/main/force": metrics(
        "signal", "main", "force", {"main": entry({"aelle": method(s(1.0, 1.0, 1.0))}, 12)}
    ),
}


def test_best_baseline_skips_aelle_variants_and_undefined_scores():
    assert best_baseline(MAIN_METHODS, "f1") == {"method": "mean_le", **s(0.7, 0.5, 0.8)}
    # linreg and raw_pca tie on Spearman: the one listed first wins
    assert best_baseline(MAIN_METHODS, "spearman")["method"] == "linreg"
    assert best_baseline({"aelle": MAIN_METHODS["aelle"]}, "f1") is None
    with pytest.raises(ValueError, match="unknown measure 'r2'"):
        best_baseline(MAIN_METHODS, "r2")


def test_claims_sit_per_task_architecture_and_claim():
    claims = claim_records(ANALYSES)
    assert set(claims) == {"toy", "signal"}
    assert set(claims["toy"]) == {"lstm", "all"}
    assert set(claims["toy"]["lstm"]) == {"1", "2", "3_epoch0"}
    assert set(claims["signal"]["force"]) == {"1"}
    claim3 = claims["toy"]["lstm"]["3_epoch0"]
    assert claim3["epoch"] == 0 and claim3["networks"] == 40
    assert claim3["f1"]["best_baseline"]["method"] == "early_loss"
    assert claim3["spearman"]["aelle"] == s(0.6, 0.4, 0.75)
    assert claims["toy"]["lstm"]["2"]["f1"]["best_baseline"] is None
    assert claims["toy"]["all"]["1"]["f1"]["best_baseline"]["method"] == "p"


def test_headline_has_one_row_per_task_and_architecture():
    assert headline_rows(claim_records(ANALYSES)) == [
        {
            "task": "toy",
            "architecture": "lstm",
            "test networks": "40",
            "F1 AeLLE": "0.90 [0.80, 0.95]",
            "F1 best baseline": "mean_le 0.70 [0.50, 0.80]",
            "Spearman AeLLE": "0.85 [0.70, 0.92]",
            "Spearman best baseline": "linreg 0.75 [0.60, 0.85]",
        },
        {
            "task": "toy",
            "architecture": "all",
            "test networks": "80",
            "F1 AeLLE": "0.50 [0.30, 0.70]",
            "F1 best baseline": "p 0.55 [0.40, 0.70]",
            "Spearman AeLLE": "–",
            "Spearman best baseline": "–",
        },
        {
            "task": "signal",
            "architecture": "force",
            "test networks": "12",
            "F1 AeLLE": "1.00 [1.00, 1.00]",
            "F1 best baseline": "–",
            "Spearman AeLLE": "–",
            "Spearman best baseline": "–",
        },
    ]


def test_summary_leads_with_the_headline_then_one_section_per_analysis():
    text = summary_markdown(ANALYSES)
    lines = text.splitlines()
    assert lines[:3] == ["# AeLLE summary", "", "## Headline: AeLLE against the best baseline"]
    table = [line for line in lines if line.startswith("| toy | lstm | 40 |")]
    assert table[0] == (
        "| toy | lstm | 40 | 0.90 [0.80, 0.95] | mean_le 0.70 [0.50, 0.80] "
        "| 0.85 [0.70, 0.92] | linreg 0.75 [0.60, 0.85] |"
    )
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        "## Headline: AeLLE against the best baseline",
        "## Claims: verdicts",
        "## Main analysis: good vs bad networks within each architecture",
        "## Novel inputs",
        "## Early epochs, one shared basis",
        "## All architectures",
        "## Networks excluded from fitting",
    ]
    for heading in headings[2:]:
        sentence = lines[lines.index(heading) + 2]
        assert sentence.endswith(".") and not sentence.startswith("|")
    assert (
        "- signal: no novel-input analysis: a FORCE network in closed loop ignores its "
        "input, so novel inputs would only change the warm-up." in lines
    )
    assert "| toy | lstm | 0 | 40 | early_loss | 0.80 [0.70, 0.90] |" in text
    assert "| toy | lstm | 6 (final) | 40 | aelle | 0.90 [0.80, 1.00] |" in text


def test_claims_table_reads_the_merged_metrics(tmp_path):
    paths = []
    for i, m in enumerate(ANALYSES.values()):
        paths.append(tmp_path / f"{i}.json")
        paths[-1].write_text(json.dumps(m))
    steps.summarise(paths, tmp_path / "metrics.json", tmp_path / "summary.md")
    merged = json.loads((tmp_path / "metrics.json").read_text())
    assert merged["claims"] == claim_records(ANALYSES)
    table = claims_table(merged["claims"]).splitlines()
    assert table[0] == (
        "| claim | measure | population (test networks) | AeLLE [95 % CI] "
        "| best baseline [95 % CI] | verdict |"
    )
    assert table[2] == (
        "| 1. good and bad networks separate, within an architecture | F1 (good = below median) "
        "| signal force (12)<br>toy lstm (40) | 1.00 [1.00, 1.00]<br>0.90 [0.80, 0.95] "
        "| –<br>mean_le 0.70 [0.50, 0.80] | supported<br>supported<br>**supported: 2 of 2** |"
    )
    assert table[3] == (
        "| 1. good and bad networks separate, across architectures | F1 (good = below median) "
        "| toy all (80) | 0.50 [0.30, 0.70] | p 0.55 [0.40, 0.70] "
        "| not supported (at chance)<br>**not supported: 1 of 1** |"
    )
    assert table[4].startswith("| 2. the representation holds for novel inputs |")
    assert table[5] == (
        "| 3. early epochs predict the final loss | Spearman (predicted vs final) "
        "| toy lstm, epoch 0 (40) | 0.60 [0.40, 0.75] | early_loss 0.65 [0.50, 0.80] "
        "| supported<br>**supported: 1 of 1** |"
    )
    assert len(table) == 6
    summary = (tmp_path / "summary.md").read_text()
    assert "\n".join(table) in summary


@pytest.mark.parametrize(
    ("aelle", "baseline", "measure", "expected"),
    [
        (s(0.5, 0.3, 0.7), None, "spearman", "supported"),
        (s(0.0, -0.2, 0.2), None, "spearman", "not supported (at chance)"),
        (
            s(0.9, 0.8, 0.95),
            {"method": "p", **s(0.99, 0.97, 1.0)},
            "f1",
            "not supported (p better)",
        ),
        (
            s(0.75, 0.6, 0.85),
            None,
            "f1",
            "inconclusive at this scale (interval reaches chance)",
        ),
        (
            s(0.85, 0.75, 0.9),
            {"method": "mean_le", **s(0.92, 0.85, 0.97)},
            "f1",
            "inconclusive at this scale (mean_le higher)",
        ),
        (s(0.85, 0.75, 0.9), {"method": "mean_le", **s(0.9, 0.8, 0.95)}, "f1", "supported"),
        (None, None, "f1", "inconclusive at this scale (no AeLLE score)"),
    ],
)
def test_verdict_compares_aelle_with_chance_and_the_best_baseline(
    aelle, baseline, measure, expected
):
    assert verdict(aelle, baseline, measure) == expected
