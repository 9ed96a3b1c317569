"""Locating input files: the local file behind each ``files`` entry of a task's data config.

An entry holds either ``path`` (a local file; relative paths are taken from the data root)
or ``url`` (fetched beforehand by the workflow's ``download`` rule into the run's raw
folder, ``data/<run>/raw/<task>/<name>``), and a ``sha256`` (required with ``url``).
:func:`input_files` gives the local file of every entry, :func:`with_local_files` the data
config the loaders read, and :func:`resolve_file` checks one local file; loaders never
download.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aelle.downloads import raw_name


class DataError(ValueError):
    """An input file or data configuration is unusable; the message names which and why."""


def sha256_of(path: Path) -> str:
    """Return the hex sha256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_sha256(path: Path, expected: str | None) -> None:
    """Raise :class:`DataError` when ``expected`` is given and the file's digest differs."""
    if expected is None:
        return
    actual = sha256_of(path)
    if actual.lower() != expected.lower():
        raise DataError(f"{path}: sha256 mismatch (expected {expected}, got {actual})")


def file_entries(data_cfg: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The ``files`` entries of a task's data config, by key ({} when there are none)."""
    files = data_cfg.get("files")
    return dict(files) if isinstance(files, Mapping) else {}


def input_files(data_cfg: Mapping[str, Any], *, raw_dir: Path, root: Path) -> dict[str, Path]:
    """The local file of every ``files`` entry, by key: ``raw_dir / raw_name(url)`` for a
    ``url`` (where the download rule saves it), the ``path`` (relative ones from ``root``)
    otherwise."""
    local = {}
    for key, spec in file_entries(data_cfg).items():
        if "url" in spec:
            local[key] = Path(raw_dir) / raw_name(str(spec["url"]))
        else:
            path = Path(str(spec["path"]))
            local[key] = path if path.is_absolute() else Path(root) / path
    return local


def with_local_files(data_cfg: Mapping[str, Any], local: Mapping[str, Path]) -> dict[str, Any]:
    """A copy of ``data_cfg`` whose every ``files`` entry is ``{"path", "sha256"}``, the path
    taken from ``local`` (see :func:`input_files`), the hash kept."""
    out = copy.deepcopy(dict(data_cfg))
    for key, spec in file_entries(data_cfg).items():
        out["files"][key] = {"path": str(local[key]), "sha256": spec.get("sha256")}
    return out


def resolve_file(spec: Mapping[str, object], *, root: Path, what: str) -> Path:
    """Return the local, checksum-verified file of the entry ``spec``.

    ``spec`` holds ``path`` (relative paths are taken from ``root``) and an optional
    ``sha256``. A ``url`` is refused: the workflow's download rule fetches it first and
    :func:`with_local_files` points the entry at the local copy. ``what`` names the input
    in error messages: its config key, such as ``tasks.charrnn.data.files.train``.
    """
    expected = spec.get("sha256")
    if expected is not None and not isinstance(expected, str):
        raise DataError(f"{what}: sha256 must be a hex string, got {expected!r}")
    if "url" in spec:
        raise DataError(
            f"{what}: {spec['url']} is not downloaded here; the workflow's download rule "
            "fetches it first (loaders read local files only)"
        )
    if "path" not in spec:
        raise DataError(f"{what}: needs a 'path' or a 'url', got keys {sorted(spec)}")
    path = Path(str(spec["path"]))
    path = path if path.is_absolute() else root / path
    if not path.is_file():
        raise DataError(f"{what}: file {path} does not exist")
    check_sha256(path, expected)
    return path
