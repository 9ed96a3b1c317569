"""Workflow entry points for the report items: files in, one HTML page out."""

from __future__ import annotations

from pathlib import Path

from aelle.report.markdown import html_page, markdown_to_html
from aelle.report.runtimes import read_benchmarks, read_provenance, run_times_html

PathLike = str | Path


def summary_page(summary_path: PathLike, out_path: PathLike) -> None:
    """Write ``results/<run>/summary.md`` (headline table first) as a stand-alone HTML page."""
    text = Path(summary_path).read_text(encoding="utf-8")
    _write(out_path, html_page("AeLLE summary", markdown_to_html(text)))


def run_times_page(
    benchmarks_dir: PathLike, out_path: PathLike, note_path: PathLike | None = None
) -> None:
    """Write the run-times page from the benchmark TSVs under ``benchmarks_dir``.

    ``note_path``: the note ``make reproduce`` leaves after pulling the artifacts (optional).
    """
    benchmarks = read_benchmarks(benchmarks_dir)
    if benchmarks.empty:
        raise ValueError(f"{benchmarks_dir}: no benchmark files (*.tsv) to report")
    _write(out_path, run_times_html(benchmarks, read_provenance(note_path)))


def _write(out_path: PathLike, text: str) -> None:
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    Path(out_path).write_text(text, encoding="utf-8")
