"""Locating input files: a local path or a URL, with an optional (URL: required) sha256."""

from __future__ import annotations

import hashlib
import shutil
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path


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


def resolve_file(spec: Mapping[str, object], *, root: Path, what: str) -> Path:
    """Return a local, checksum-verified file for ``spec``.

    ``spec`` holds either ``path`` (relative paths are taken from ``root``) or ``url``
    (downloaded once into ``root/downloads``; ``sha256`` is then required), and an
    optional ``sha256``. ``what`` names the input in error messages: its config key, such
    as ``tasks.charrnn.data.files.train``.
    """
    expected = spec.get("sha256")
    if expected is not None and not isinstance(expected, str):
        raise DataError(f"{what}: sha256 must be a hex string, got {expected!r}")
    if "path" in spec:
        path = Path(str(spec["path"]))
        path = path if path.is_absolute() else root / path
        if not path.is_file():
            raise DataError(f"{what}: file {path} does not exist")
        check_sha256(path, expected)
        return path
    if "url" in spec:
        url = str(spec["url"])
        if expected is None:
            raise DataError(
                f"{what}.sha256 is null: a url ({url}) is downloaded only once its sha256 is "
                "pinned (fetch the file, run sha256sum on it, write the digest in the config)"
            )
        name = Path(urllib.parse.urlparse(url).path).name or "download"
        target = root / "downloads" / f"{expected[:12]}-{name}"
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(target.suffix + ".part")
            with urllib.request.urlopen(url) as response, partial.open("wb") as out:
                shutil.copyfileobj(response, out)
            check_sha256(partial, expected)
            partial.replace(target)
        check_sha256(target, expected)
        return target
    raise DataError(f"{what}: needs a 'path' or a 'url', got keys {sorted(spec)}")
