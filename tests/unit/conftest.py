"""Small task data shared by the training tests (CPU and CUDA)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aelle.data import TaskData, load_task


@pytest.fixture(scope="module")
def digits() -> TaskData:
    """The offline digits cut to 256 training and 128 validation images."""
    data = load_task("smnist", {"source": "digits"}, root=Path("."), seed=0)
    arrays = dict(data.arrays)
    for split, n in (("train", 256), ("val", 128)):
        arrays[f"{split}_x"], arrays[f"{split}_y"] = (
            arrays[f"{split}_x"][:n],
            arrays[f"{split}_y"][:n],
        )
    return TaskData("smnist", data.input_size, data.output_size, arrays)


@pytest.fixture(scope="module")
def text(tmp_path_factory: pytest.TempPathFactory) -> TaskData:
    """A repeated pangram as charrnn text, sequences of 20 characters."""
    root = tmp_path_factory.mktemp("text")
    (root / "t.txt").write_text("the quick brown fox jumps over the lazy dog. " * 60)
    cfg = {
        "source": "text",
        "files": {"train": {"path": "t.txt"}},
        "sequence_length": 20,
        "subset_fraction": 0.5,
    }
    return load_task("charrnn", cfg, root=root)
