"""The report's non-figure items: summary Markdown as HTML, and run times from benchmarks."""

import json
import os

import pytest

from aelle.report.markdown import inline, markdown_to_html
from aelle.report.runtimes import (
    Provenance,
    format_seconds,
    phase_times,
    read_benchmarks,
    read_provenance,
    run_times_html,
)
from aelle.report.steps import run_times_page, summary_page

SUMMARY = """# AeLLE summary

Scores on **test** networks; `aelle_knn` votes.
Intervals in brackets.

| task | arch | AeLLE F1 | best baseline |
|---|:---:|---|---|
| charrnn | lstm | 0.90 [0.80, 0.97] | <p> 0.7 |

- one
- two
"""

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def test_markdown_headings_paragraphs_tables_and_lists():
    assert markdown_to_html(SUMMARY) == (
        "<h1>AeLLE summary</h1>\n"
        "<p>Scores on <strong>test</strong> networks; <code>aelle_knn</code> votes. "
        "Intervals in brackets.</p>\n"
        "<table>\n<thead><tr><th>task</th><th>arch</th><th>AeLLE F1</th>"
        "<th>best baseline</th></tr></thead>\n<tbody>\n"
        "<tr><td>charrnn</td><td>lstm</td><td>0.90 [0.80, 0.97]</td><td>&lt;p&gt; 0.7</td>"
        "</tr>\n</tbody>\n</table>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
    )


def test_inline_escapes_and_keeps_an_unmatched_backtick():
    assert inline("a `<b>` c") == "a <code>&lt;b&gt;</code> c"
    assert inline("R² `x") == "R² `x"
    assert inline("a | b without a rule") == "a | b without a rule"


def test_summary_page_is_a_whole_html_document(tmp_path):
    (tmp_path / "summary.md").write_text(SUMMARY)
    summary_page(tmp_path / "summary.md", tmp_path / "out/summary.html")
    page = (tmp_path / "out/summary.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert "<title>AeLLE summary</title>" in page and "<script" not in page
    assert "<td>0.90 [0.80, 0.97]</td>" in page


def write_benchmark(path, seconds, rss=100.0, mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"{s}\t0:00:00\t{rss}\t0\t0\t0\t0\t0\t0\t0\n" for s in seconds)
    path.write_text(HEADER + rows)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def test_benchmarks_summed_per_phase(tmp_path):
    write_benchmark(tmp_path / "train/smnist/rnn_h8_shard0.tsv", [10.0, 20.0])  # mean 15
    write_benchmark(tmp_path / "train/smnist/rnn_h8_shard1.tsv", [45.0])
    write_benchmark(tmp_path / "spectra/smnist/rnn_h8_shard0_e2_val.tsv", [3.0], rss=250.0)
    table = read_benchmarks(tmp_path)
    assert sorted(table["job"]) == [
        "smnist/rnn_h8_shard0",
        "smnist/rnn_h8_shard0_e2_val",
        "smnist/rnn_h8_shard1",
    ]
    assert list(phase_times(table)["phase"]) == ["train", "spectra"]
    phases = phase_times(table).set_index("phase")
    assert phases.loc["train", "jobs"] == 2
    assert phases.loc["train", "total_s"] == pytest.approx(60.0)
    assert phases.loc["train", "median_s"] == pytest.approx(30.0)
    assert phases.loc["train", "slowest"] == "smnist/rnn_h8_shard1"
    assert phases.loc["spectra", "total_s"] == pytest.approx(3.0)
    assert table.set_index("job").loc["smnist/rnn_h8_shard0_e2_val", "max_rss_mb"] == 250.0


def test_bad_benchmark_files_are_named(tmp_path):
    write_benchmark(tmp_path / "loose.tsv", [1.0])
    with pytest.raises(ValueError, match=r"loose\.tsv: benchmark files must sit in a phase"):
        read_benchmarks(tmp_path)
    (tmp_path / "loose.tsv").unlink()
    (tmp_path / "train").mkdir()
    (tmp_path / "train/x.tsv").write_text("a\tb\n1\t2\n")
    with pytest.raises(ValueError, match=r"x\.tsv: not a Snakemake benchmark file"):
        read_benchmarks(tmp_path)


def test_format_seconds():
    assert [format_seconds(s) for s in (4.24, 192, 7500)] == ["4.2 s", "3 min 12 s", "2 h 05 min"]


def test_a_reproduced_run_reports_the_producers_times_as_pulled(tmp_path):
    write_benchmark(tmp_path / "bench/train/t/a.tsv", [5000.0], mtime=1_000)
    write_benchmark(tmp_path / "bench/aelle/t/b.tsv", [30.0], mtime=3_000)
    note = tmp_path / "reproduced.json"
    note.write_text(json.dumps({"pulled_at": "2026-12-02T18:00:00Z", "remote": "store"}))
    os.utime(note, (2_000, 2_000))
    provenance = read_provenance(note)
    assert provenance == Provenance("2026-12-02T18:00:00Z", "store", 2_000.0)
    page = run_times_html(read_benchmarks(tmp_path / "bench"), provenance)
    assert "<strong>pulled</strong> from DVC (store) at 2026-12-02T18:00:00Z" in page
    assert "<td>train</td><td>t/a</td><td>1 h 23 min</td><td>100</td><td>producer</td>" in page
    assert "<td>aelle</td><td>t/b</td><td>30.0 s</td><td>100</td><td>this checkout</td>" in page


def test_a_run_without_a_note_reports_its_own_times(tmp_path):
    write_benchmark(tmp_path / "bench/train/t/a.tsv", [5.0])
    run_times_page(tmp_path / "bench", tmp_path / "rt.html", tmp_path / "absent.json")
    page = (tmp_path / "rt.html").read_text()
    assert "pulled" not in page and "computed in this checkout" in page
    assert "<td>5.0 s</td><td>100</td><td>this checkout</td>" in page
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ValueError, match=r"bad\.json: not a reproduce note"):
        read_provenance(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="empty: no benchmark files"):
        run_times_page(tmp_path / "empty", tmp_path / "rt.html")
