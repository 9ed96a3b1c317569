"""Third-party warnings a user cannot act on, and the filter that hides just those.

Called by every job (:func:`aelle.runtime.job_logging`) and by the Snakemake process itself
(``workflow/rules/common.smk``), so ``make run``, ``make report`` and ``make reproduce`` print
no such noise. Light on purpose: the Snakemake process imports it, so no torch here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownNoise:
    """A third-party warning a user cannot act on: its category, a regular expression its
    message starts with (as for :func:`warnings.filterwarnings`) and why it is safe."""

    category: type[Warning]
    message: str
    why: str


KNOWN_NOISE = (
    KnownNoise(
        RuntimeWarning,
        r"coroutine 'InputFiles\._predicated_size_files\.<locals>\.sizes' was never awaited",
        "Snakemake 9 evaluates the input-size default resources (disk_mb) inside its own "
        "event loop while it builds the report and falls back to a placeholder; the "
        "abandoned coroutine warns once per job (snakemake/snakemake#4280).",
    ),
)
"""Every warning :func:`silence_known_noise` hides; anything else is still shown."""


def silence_known_noise() -> None:
    """Ignore the :data:`KNOWN_NOISE` warnings in this process (the Snakemake process and
    every job call it); other warnings keep their default handling."""
    for noise in KNOWN_NOISE:
        warnings.filterwarnings("ignore", message=noise.message, category=noise.category)
