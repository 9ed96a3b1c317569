"""Write the README's Findings table from the study's record (docs/study/metrics.json).

    python tools/readme_findings.py [RECORD_METRICS] [README]

Replaces the lines between the README's ``<!-- findings:start -->`` and
``<!-- findings:end -->`` markers with :func:`aelle.ae.findings.claims_table` of the
record's claims, so the table is never edited by hand (tests/unit/test_docs.py checks it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aelle.ae.findings import claims_table

START, END = "<!-- findings:start -->", "<!-- findings:end -->"


def findings_block(metrics_path: Path) -> str:
    """The Markdown table that sits between the markers."""
    return claims_table(json.loads(metrics_path.read_text())["claims"])


def with_findings(readme: str, block: str) -> str:
    """``readme`` with the text between the markers replaced by ``block``."""
    if readme.count(START) != 1 or readme.count(END) != 1:
        raise SystemExit(f"README needs exactly one {START} and one {END} line")
    head, rest = readme.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{block}\n{END}{tail}"


def main(argv: list[str]) -> None:
    metrics = Path(argv[0] if argv else "docs/study/metrics.json")
    readme = Path(argv[1] if len(argv) > 1 else "README.md")
    readme.write_text(with_findings(readme.read_text(), findings_block(metrics)))


if __name__ == "__main__":
    main(sys.argv[1:])
