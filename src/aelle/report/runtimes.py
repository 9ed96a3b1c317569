"""Run times of the workflow's jobs from Snakemake's benchmark files, for the HTML report.

After ``make reproduce`` the data, train, spectra and aelle outputs were pulled from the DVC
remote and only re-stamped (``snakemake --touch``), so Snakemake's own Statistics page shows
about 0 s for them. The benchmark TSVs under ``results/<run>/benchmarks`` travel with the pulled
artifacts, so they still hold the producer's measured times; this page reports those and
says which artifacts were pulled.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from aelle.report.markdown import html_page


@dataclass(frozen=True)
class Provenance:
    """How the artifacts of this checkout came to be (read from the ``make reproduce`` note).

    ``pulled_at`` is the UTC time of the ``dvc pull`` (None: nothing was pulled, every
    artifact was computed here); ``remote`` the DVC remote name (None: the default one);
    ``written`` the note's modification time (s since the epoch): a benchmark file newer
    than it belongs to a job that ran here after the pull.
    """

    pulled_at: str | None = None
    remote: str | None = None
    written: float = 0.0


def read_provenance(note_path: str | Path | None) -> Provenance:
    """The note ``tools/dvc/reproduce.sh`` writes (JSON ``{pulled_at, remote}``), if any."""
    if note_path is None or not Path(note_path).exists():
        return Provenance()
    try:
        note = json.loads(Path(note_path).read_text())
        return Provenance(
            pulled_at=str(note["pulled_at"]),
            remote=note.get("remote") or None,
            written=Path(note_path).stat().st_mtime,
        )
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ValueError(
            f"{note_path}: not a reproduce note ({{pulled_at, remote}}): {err}"
        ) from err


def read_benchmarks(root: str | Path) -> pd.DataFrame:
    """One row per benchmark file under ``root``: ``phase`` (first folder below ``root``),
    ``job`` (path below the phase, no ``.tsv``), ``seconds`` (wall time, mean over repeats),
    ``max_rss_mb`` (peak resident memory, MB) and ``mtime`` (file time, s since the epoch)."""
    rows = []
    for path in sorted(Path(root).rglob("*.tsv")):
        rel = path.relative_to(root)
        if len(rel.parts) < 2:
            raise ValueError(f"{path}: benchmark files must sit in a phase folder below {root}")
        table = pd.read_csv(path, sep="\t")
        if "s" not in table.columns or len(table) == 0:
            raise ValueError(f"{path}: not a Snakemake benchmark file (no 's' column or rows)")
        rss = table["max_rss"].mean() if "max_rss" in table.columns else float("nan")
        job = rel.relative_to(rel.parts[0]).with_suffix("").as_posix()
        mtime = path.stat().st_mtime
        rows.append((rel.parts[0], job, float(table["s"].mean()), float(rss), mtime))
    return pd.DataFrame(rows, columns=["phase", "job", "seconds", "max_rss_mb", "mtime"])


PHASE_ORDER = ("data", "train", "spectra", "aelle", "figures")
"""Workflow order of the phases; other benchmark folders follow alphabetically."""


def phase_times(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Per phase: ``jobs``, ``total_s`` (sum over jobs, as if run one after another),
    ``median_s``, ``max_s`` and the ``slowest`` job; phases in workflow order."""
    rank = {phase: i for i, phase in enumerate(PHASE_ORDER)}
    ordered = sorted(benchmarks["phase"].unique(), key=lambda p: (rank.get(p, len(rank)), p))
    grouped = benchmarks.groupby(pd.Categorical(benchmarks["phase"], ordered), observed=True)
    return (
        pd.DataFrame(
            {
                "jobs": grouped.size(),
                "total_s": grouped["seconds"].sum(),
                "median_s": grouped["seconds"].median(),
                "max_s": grouped["seconds"].max(),
                "slowest": grouped.apply(
                    lambda g: g.loc[g["seconds"].idxmax(), "job"], include_groups=False
                ),
            }
        )
        .rename_axis("phase")
        .reset_index()
    )


def format_seconds(seconds: float) -> str:
    """``seconds`` for people: ``4.2 s``, ``3 min 12 s``, ``2 h 05 min``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _provenance_text(provenance: Provenance) -> str:
    if provenance.pulled_at is None:
        return (
            "Every artifact was computed in this checkout; the times are this run's, "
            "measured by Snakemake's <code>benchmark</code> directive."
        )
    remote = html.escape(provenance.remote or "the default remote")
    return (
        f"The data, training, spectra and AeLLE artifacts were <strong>pulled</strong> "
        f"from DVC ({remote}) at {html.escape(provenance.pulled_at)} by "
        "<code>make reproduce</code> and only marked current here, so Snakemake's "
        "Statistics page shows about 0 s for them. The times below are the "
        "<strong>producer's</strong>, read from the benchmark files pulled with them; "
        "a job marked <em>this checkout</em> ran here after the pull."
    )


def run_times_html(benchmarks: pd.DataFrame, provenance: Provenance) -> str:
    """The report page: where the artifacts came from, then a per-phase and a per-job table."""
    phases = phase_times(benchmarks)
    phase_rows = "".join(
        f"<tr><td>{html.escape(r.phase)}</td><td>{r.jobs}</td>"
        f"<td>{format_seconds(r.total_s)}</td><td>{format_seconds(r.median_s)}</td>"
        f"<td>{format_seconds(r.max_s)}</td><td>{html.escape(r.slowest)}</td></tr>\n"
        for r in phases.itertuples()
    )
    job_rows = "".join(
        f"<tr><td>{html.escape(r.phase)}</td><td>{html.escape(r.job)}</td>"
        f"<td>{format_seconds(r.seconds)}</td><td>{r.max_rss_mb:.0f}</td>"
        f"<td>{'producer' if r.mtime < provenance.written else 'this checkout'}</td></tr>\n"
        for r in benchmarks.sort_values("seconds", ascending=False).itertuples()
    )
    body = (
        "<h1>Run times</h1>\n"
        f"<p>{_provenance_text(provenance)}</p>\n"
        "<h2>Per phase</h2>\n<table>\n<thead><tr><th>phase</th><th>jobs</th>"
        "<th>total (sum over jobs)</th><th>median job</th><th>longest job</th>"
        "<th>which</th></tr></thead>\n"
        f"<tbody>\n{phase_rows}</tbody>\n</table>\n"
        "<h2>Per job, slowest first</h2>\n<table>\n<thead><tr><th>phase</th><th>job</th>"
        "<th>wall time</th><th>peak memory (MB)</th><th>measured by</th></tr></thead>\n"
        f"<tbody>\n{job_rows}</tbody>\n</table>\n"
    )
    return html_page("Run times", body)
