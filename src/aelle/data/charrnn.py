"""Next-character prediction text: vocabulary, coded text streams and sequences.

Arrays (int64 character codes): ``train_seq`` / ``val_seq`` (S, L) with L =
``sequence_length`` (inputs are columns 0..L-2, targets columns 1..L-1), ``novel_seq``
(S', L) from the novel text, and the coded streams ``val_text`` / ``novel_text`` (T,)
used for long Lyapunov input streams. The vocabulary (``meta["vocab"]``, a string) is the
sorted set of characters of the training text (train + val part); code ``len(vocab)``
is the reserved unknown symbol that any other character maps to, so the one-hot width
is ``len(vocab) + 1``. Sequences are consecutive, non-overlapping chunks; the first
``train_fraction`` of them are training sequences, the rest validation (contiguous, so
validation text never overlaps training text).

Sources: ``pydoc`` (CPython's ``pydoc_data.topics``: a seeded ``novel_fraction`` of the
topics is the novel text, the others the training text) and ``text`` (``train`` file,
optional ``novel`` file; without it the last ``novel_fraction`` of the text is novel).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch
from torch import Tensor

from aelle.data.sources import DataError, resolve_file

FILES = "tasks.charrnn.data.files"


def read_text(path: Path) -> str:
    """Read a UTF-8 text file; undecodable bytes and empty files raise :class:`DataError`."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(
            f"{path}: not UTF-8 text (undecodable byte at offset {error.start})"
        ) from error
    if not text:
        raise DataError(f"{path}: text is empty")
    return text


def pydoc_texts(novel_fraction: float, seed: int) -> tuple[str, str]:
    """Return (training text, novel text) from disjoint sets of ``pydoc_data`` topics."""
    from pydoc_data.topics import topics

    names = sorted(topics)
    perm = torch.randperm(len(names), generator=torch.Generator().manual_seed(seed)).tolist()
    n_novel = max(1, round(novel_fraction * len(names)))
    novel = sorted(names[i] for i in perm[:n_novel])
    train = sorted(names[i] for i in perm[n_novel:])
    return "\n".join(topics[n] for n in train), "\n".join(topics[n] for n in novel)


def encode(text: str, vocab: str) -> Tensor:
    """Map characters to codes in ``vocab``; unknown characters get code ``len(vocab)``."""
    index = {ch: i for i, ch in enumerate(vocab)}
    unknown = len(vocab)
    return torch.tensor([index.get(ch, unknown) for ch in text], dtype=torch.int64)


def decode(codes: Tensor, vocab: str, unknown: str = "\ufffd") -> str:
    """Inverse of :func:`encode`; the unknown code becomes ``unknown``."""
    return "".join(vocab[c] if c < len(vocab) else unknown for c in codes.tolist())


def chunk(codes: Tensor, length: int, what: str) -> Tensor:
    """Cut a code stream into consecutive (S, length) sequences, dropping the remainder."""
    count = len(codes) // length
    if count == 0:
        raise DataError(
            f"{what}: text of {len(codes)} characters is shorter than one sequence of {length}"
        )
    return codes[: count * length].reshape(count, length)


def load(cfg: Mapping[str, object], *, root: Path, seed: int) -> tuple[dict[str, Tensor], str]:
    """Return (arrays, vocabulary) for the charrnn data config ``cfg`` (module docstring)."""
    source = cfg.get("source", "pydoc")
    length = int(cfg.get("sequence_length", 100))
    train_fraction = float(cfg.get("train_fraction", 0.8))
    novel_fraction = float(cfg.get("novel_fraction", 0.2))
    if length < 2:
        raise DataError(f"charrnn: sequence_length must be at least 2, got {length}")
    if source == "pydoc":
        text, novel_text = pydoc_texts(novel_fraction, seed)
        where, novel_where = "charrnn pydoc training topics", "charrnn pydoc novel topics"
    elif source == "text":
        files = cfg.get("files")
        files = files if isinstance(files, Mapping) else {}
        if not isinstance(files.get("train"), Mapping):
            raise DataError(f"{FILES}: source 'text' needs files.train (a path or a url)")
        path = resolve_file(files["train"], root=root, what=f"{FILES}.train")
        text, where = read_text(path), str(path)
        if isinstance(files.get("novel"), Mapping):
            novel_path = resolve_file(files["novel"], root=root, what=f"{FILES}.novel")
            novel_text, novel_where = read_text(novel_path), str(novel_path)
        else:
            cut = len(text) - round(novel_fraction * len(text))
            text, novel_text = text[:cut], text[cut:]
            novel_where = f"{path} (last {novel_fraction:g})"
    else:
        raise DataError(
            f"tasks.charrnn.data.source: unknown source kind {source!r} "
            "(expected 'pydoc' or 'text')"
        )
    vocab = "".join(sorted(set(text)))
    sequences = chunk(encode(text, vocab), length, where)
    n_train = round(train_fraction * len(sequences))
    if not 0 < n_train < len(sequences):
        raise DataError(
            f"{where}: {len(sequences)} sequences cannot be split {train_fraction:g} / rest"
        )
    novel_codes = encode(novel_text, vocab)
    arrays = {
        "train_seq": sequences[:n_train].contiguous(),
        "val_seq": sequences[n_train:].contiguous(),
        "novel_seq": chunk(novel_codes, length, novel_where),
        "val_text": sequences[n_train:].reshape(-1),
        "novel_text": novel_codes,
    }
    return arrays, vocab


def one_hot(codes: Tensor, vocab_size: int, dtype: torch.dtype = torch.float32) -> Tensor:
    """One-hot encode codes (...,) → (..., vocab_size + 1) (the last column is unknown)."""
    return torch.nn.functional.one_hot(codes, vocab_size + 1).to(dtype)


def text_streams(codes: Tensor, sequences: int, steps: int, seed: int) -> Tensor:
    """Seeded random windows of a code stream: (sequences, steps) int64."""
    if len(codes) < steps:
        raise DataError(f"charrnn: text of {len(codes)} characters is shorter than {steps} steps")
    generator = torch.Generator().manual_seed(seed)
    starts = torch.randint(len(codes) - steps + 1, (sequences,), generator=generator)
    return codes[starts[:, None] + torch.arange(steps)]
