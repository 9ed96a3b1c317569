"""Links into docs/method.md resolve, and the method document stands alone."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
METHOD = ROOT / "docs/method.md"
LINK = re.compile(r"(?:docs/)?method\.md#([a-z0-9-]+)")
LOCAL_LINK = re.compile(r"\]\(#([a-z0-9-]+)\)")


def anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors() -> set[str]:
    """Anchors of every heading of docs/method.md."""
    lines = METHOD.read_text(encoding="utf-8").splitlines()
    return {anchor(line.lstrip("#")) for line in lines if line.startswith("#")}


def tracked_text_files() -> list[Path]:
    """Tracked files that may cite the method document."""
    names = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    suffixes = {".md", ".py", ".smk", ".yaml", ".yml", ".rst", ".cff"}
    return [ROOT / n for n in names if Path(n).suffix in suffixes and (ROOT / n).is_file()]


def test_anchor_follows_github_rules() -> None:
    assert anchor("Jacobian J, not its transpose") == "jacobian-j-not-its-transpose"
    assert anchor("Differences from the authors' code") == "differences-from-the-authors-code"


def test_every_link_into_the_method_resolves() -> None:
    known = anchors()
    broken = [
        f"{path.relative_to(ROOT)}: #{target}"
        for path in tracked_text_files()
        for target in LINK.findall(path.read_text(encoding="utf-8"))
        if target not in known
    ]
    local = LOCAL_LINK.findall(METHOD.read_text(encoding="utf-8"))
    broken += [f"docs/method.md: #{t}" for t in local if t not in known]
    assert not broken, broken


def test_method_cites_nothing_outside_the_repository() -> None:
    text = METHOD.read_text(encoding="utf-8")
    assert "SPEC" not in text
    assert "/work/" not in text


def test_readme_findings_are_the_study_records_verdicts():
    """The README's Findings table is written by tools/readme_findings.py from the study's
    record (docs/study/metrics.json), never by hand."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "readme_findings", ROOT / "tools/readme_findings.py"
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = tool.findings_block(ROOT / "docs/study/metrics.json")
    assert "| 1. good and bad networks separate, within an architecture |" in block
    assert tool.with_findings(readme, block) == readme
