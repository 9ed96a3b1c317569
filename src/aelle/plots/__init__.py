"""Figures of the AeLLE reproduction, one function per figure family (docs/method.md#figures).

Every function takes plain DataFrames / arrays (it never loads models), writes
``{out_stem}.png`` and ``{out_stem}.pdf`` with the Agg backend and returns both paths.
The family id of a figure is its file stem up to an optional ``--variant`` suffix;
:func:`aelle.plots.index.write_index` lists them in ``INDEX.md``.
"""

FAMILIES = (
    "spectra",
    "convergence",
    "task-examples",
    "loss-vs-hyperparameter",
    "aelle-pca-performance",
    "aelle-pca-size",
    "aelle-pca-architecture",
    "distributions",
    "predicted-vs-actual",
    "early-epochs",
    "ae-training",
    "latent-perturbation",
    "umap",
    "novel-inputs",
)
