"""LICENSE and CITATION.cff agree with pyproject.toml and cite the paper."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Keys CFF 1.2.0 requires at the top level and in every reference.
CFF_REQUIRED = {"cff-version", "message", "title", "authors"}
REFERENCE_REQUIRED = {"type", "title", "authors"}
# SPDX identifier -> the title line of its license text.
LICENSE_TITLES = {"MIT": "MIT License"}


def pyproject() -> dict[str, Any]:
    """The parsed pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def citation() -> dict[str, Any]:
    """The parsed CITATION.cff."""
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_license_file_matches_pyproject() -> None:
    spdx = pyproject()["project"]["license"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.splitlines()[0] == LICENSE_TITLES[spdx]
    assert "Copyright (c) 2026 The aelle developers" in text


def test_citation_has_cff_keys_and_matches_pyproject() -> None:
    cff = citation()
    project = pyproject()["project"]
    assert cff.keys() >= CFF_REQUIRED
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "software"
    assert cff["version"] == project["version"]
    assert cff["license"] == project["license"]
    assert all("name" in a or "family-names" in a for a in cff["authors"])


def test_citation_cites_the_paper() -> None:
    cff = citation()
    works = [cff["preferred-citation"], *cff["references"]]
    for work in works:
        assert work.keys() >= REFERENCE_REQUIRED
        assert [a["family-names"] for a in work["authors"]] == ["Vogt", "Zheng", "Shlizerman"]
    journal = cff["preferred-citation"]
    assert journal["journal"] == "Neural Computing and Applications"
    assert (journal["volume"], journal["year"]) == (36, 2024)
    preprint = cff["references"][0]
    assert preprint["identifiers"][0]["value"] == "arXiv:2204.04876"
