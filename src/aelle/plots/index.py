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


FAMILY_TITLES = {
    "spectra": "Lyapunov spectra, good vs bad",
    "convergence": "convergence of the exponents",
    "task-examples": "good, middling and bad networks at work",
    "loss-vs-hyperparameter": "final loss vs initial weight scale",
    "aelle-pca-performance": "AeLLE embedding by performance",
    "aelle-pca-size": "AeLLE embedding by size",
    "aelle-pca-architecture": "AeLLE embedding across architectures",
    "distributions": "p and size of good vs bad networks",
    "predicted-vs-actual": "predicted vs actual loss",
    "early-epochs": "AeLLE at early epochs",
    "ae-training": "autoencoder training curves",
    "latent-perturbation": "spectra along the loss direction",
    "umap": "UMAP of the latent code",
    "novel-inputs": "spectra on novel inputs",
}
"""A short title per figure family: the row label of its figure in the HTML report."""


def report_labels(stem: str) -> dict[str, str]:
    """Labels of the figure file ``{stem}.png`` in the Snakemake report: its family title.

    One label only: Snakemake turns any label after the first that takes exactly two
    values into a toggle, which would fold a two-figure subcategory into one row.
    """
    return {"figure": FAMILY_TITLES[figure_family(Path(stem))]}


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
