"""The record of a run kept in git: summary, metrics and the key figures, copied by the
workflow from the run's results (never edited by hand)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from aelle.plots import FAMILIES

PathLike = str | Path

# The figure families that carry the three claims: loss against p, the AeLLE embedding
# coloured by performance and by architecture, predicted against actual loss, the
# novel-input projection and the early-epoch panels.
KEY_FAMILIES = (
    "loss-vs-hyperparameter",
    "aelle-pca-performance",
    "aelle-pca-architecture",
    "predicted-vs-actual",
    "novel-inputs",
    "early-epochs",
)


def key_figures(figures_root: PathLike, families: Sequence[str] = KEY_FAMILIES) -> list[Path]:
    """PNG files under ``figures_root`` (``<task>/<folder>/<family>--….png``) whose family
    is one of ``families``, sorted, as paths relative to ``figures_root``."""
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        raise ValueError(f"unknown figure families {unknown}; known: {FAMILIES}")
    root = Path(figures_root)
    return sorted(
        path.relative_to(root)
        for path in root.glob("*/*/*.png")
        if path.stem.split("--")[0] in families
    )


def write_record(
    summary: PathLike, metrics: PathLike, figures_root: PathLike, out_dir: PathLike
) -> list[Path]:
    """Copy ``summary`` and ``metrics`` into ``out_dir`` and the key figures into
    ``out_dir/figures/`` (same sub-folders), after emptying ``out_dir`` so that nothing of
    an earlier record stays; also write ``out_dir/figures.md`` listing them. Returns the
    figure paths relative to ``out_dir``."""
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    (out / "figures").mkdir(parents=True)
    shutil.copyfile(summary, out / "summary.md")
    shutil.copyfile(metrics, out / "metrics.json")
    copied = []
    for relative in key_figures(figures_root):
        target = out / "figures" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(figures_root) / relative, target)
        copied.append(target.relative_to(out))
    lines = ["# Key figures of this run", ""]
    lines += [f"- [{path.stem}]({path.as_posix()})" for path in copied]
    (out / "figures.md").write_text("\n".join(lines) + "\n")
    return copied
