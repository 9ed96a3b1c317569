"""``INDEX.md``: every figure under a folder with its family id and task."""

from __future__ import annotations

from pathlib import Path

from aelle.plots import FAMILIES


def figure_family(path: Path) -> str:
    """Family id of a figure file: its stem up to an optional ``--variant`` suffix."""
    family = path.stem.split("--", 1)[0]
    if family not in FAMILIES:
        raise ValueError(
            f"{path}: file stem does not start with a figure family id (one of {FAMILIES})"
        )
    return family


def write_index(figures_dir: str | Path, out_path: str | Path) -> list[tuple[str, str, str]]:
    """List every PNG under ``figures_dir`` as (family, task, file) in a Markdown table.

    The task is the first folder below ``figures_dir``; files are relative to it. PDFs
    sit next to their PNGs and are not listed separately. Returns the rows written.
    """
    root = Path(figures_dir)
    rows = []
    for path in sorted(root.rglob("*.png")):
        rel = path.relative_to(root)
        if len(rel.parts) < 2:
            raise ValueError(f"{path}: figures must sit in a task folder below {root}")
        rows.append((figure_family(path), rel.parts[0], rel.as_posix()))
    lines = ["# Figures", "", "| family | task | file |", "|---|---|---|"]
    lines += [f"| {family} | {task} | [{file}]({file}) |" for family, task, file in rows]
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    Path(out_path).write_text("\n".join(lines) + "\n")
    return rows
