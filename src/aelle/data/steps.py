"""Workflow entry point for data: a task's ``data:`` config in, the prepared file out.

Takes plain paths and values (the Snakemake script calls it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aelle.data.task import TaskData, prepare

PathLike = str | Path
log = logging.getLogger(__name__)


def prepare_data(
    task: str, data_cfg: Mapping[str, Any], out_path: PathLike, *, root: PathLike, seed: int
) -> TaskData:
    """Build one task's data from its ``data:`` config section and write it to ``out_path``.

    ``root``: folder that relative file paths of the config are read from (the workflow
    passes local paths only, see :func:`aelle.data.sources.with_local_files`); ``seed``:
    the global seed of the validation / novel splits.
    """
    data = prepare(task, data_cfg, Path(out_path), root=Path(root), seed=seed)
    log.info(
        "prepared %s: input size %d, arrays %s",
        data.task,
        data.input_size,
        {k: tuple(v.shape) for k, v in data.arrays.items()},
    )
    return data
