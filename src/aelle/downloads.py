"""Fetching one remote input file for the workflow's ``download`` rule.

:func:`fetch` downloads a URL to a file with a timeout per attempt, a bounded number of
attempts with a short growing pause between them, a sha256 check of the bytes, and an
atomic write (a temporary file next to the target, renamed once it checks out), so that
the target is only ever a complete, verified file. Every failure is one
:class:`DownloadError` naming the file's config key and its URL.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
CHUNK_BYTES = 1 << 20


class DownloadError(RuntimeError):
    """A remote file could not be fetched or did not match its hash; names key and URL."""


@dataclass(frozen=True)
class RemoteFile:
    """One remote input: where it comes from, its pinned hash and its config key.

    ``key``: the config key path of the file, e.g. ``tasks.smnist.data.files.train_images``;
    ``sha256``: hex SHA-256 of the bytes as served (of the .gz for gzipped files).
    """

    key: str
    url: str
    sha256: str


@dataclass(frozen=True)
class RetryPolicy:
    """How hard :func:`fetch` tries: ``attempts`` tries, each limited to ``timeout_s``
    seconds without data, the k-th retry after ``backoff_s * 2**(k - 1)`` seconds."""

    timeout_s: float = 60.0
    attempts: int = 3
    backoff_s: float = 2.0


def raw_name(url: str) -> str:
    """File name a download of ``url`` is saved as: the last part of its path."""
    return Path(urllib.parse.urlparse(url).path).name or "download"


def url_entries(config: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(task, file key, entry) of every ``tasks.<task>.data.files`` entry with a ``url``."""
    for task, spec in config.get("tasks", {}).items():
        files = (spec.get("data") or {}).get("files") or {}
        for key, entry in files.items():
            if "url" in entry:
                yield task, key, entry


def unpinned(config: Mapping[str, Any]) -> list[str]:
    """One line per downloaded file whose ``sha256`` is null, naming its key and how to pin
    it; [] when every download is pinned."""
    return [
        f"tasks.{task}.data.files.{key}.sha256 is null: a downloaded file needs a pinned "
        f"hash before the run starts. Fetch {entry['url']}, run `sha256sum FILE` on it and "
        f"write the digest as tasks.{task}.data.files.{key}.sha256 in the config."
        for task, key, entry in url_entries(config)
        if entry.get("sha256") is None
    ]


def remote_files(config: Mapping[str, Any]) -> dict[tuple[str, str], RemoteFile]:
    """Every pinned download of ``config`` by (task, :func:`raw_name`), the names under which
    the download rule saves them. Raises :class:`DownloadError` when two files of a task
    would be saved under the same name."""
    found: dict[tuple[str, str], RemoteFile] = {}
    for task, key, entry in url_entries(config):
        name = raw_name(str(entry["url"]))
        remote = RemoteFile(f"tasks.{task}.data.files.{key}", str(entry["url"]), entry["sha256"])
        if (task, name) in found:
            raise DownloadError(
                f"{remote.key} ({remote.url}): saved as {name}, the name of "
                f"{found[(task, name)].key} too; give the files different names"
            )
        if entry.get("sha256") is not None:
            found[(task, name)] = remote
    return found


def is_transient(error: OSError) -> bool:
    """Whether another attempt may succeed: not for HTTP 4xx answers (a wrong URL)."""
    return not (isinstance(error, urllib.error.HTTPError) and 400 <= error.code < 500)


def download_once(url: str, target: Path, timeout_s: float) -> str:
    """Stream ``url`` into ``target``; return the hex SHA-256 of the bytes written."""
    digest = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=timeout_s) as response, target.open("wb") as out:
        while chunk := response.read(CHUNK_BYTES):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def download_with_retries(remote: RemoteFile, partial: Path, policy: RetryPolicy) -> str:
    """Download ``remote`` into ``partial`` in at most ``policy.attempts`` attempts; return
    the hex SHA-256 of the bytes. Raises :class:`DownloadError` naming key and URL."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return download_once(remote.url, partial, policy.timeout_s)
        except OSError as error:
            if attempt == policy.attempts or not is_transient(error):
                raise DownloadError(
                    f"{remote.key} ({remote.url}): download failed after {attempt} "
                    f"attempt(s): {error}"
                ) from error
            pause = policy.backoff_s * 2 ** (attempt - 1)
            log.warning(
                "%s: attempt %d failed (%s); retrying in %g s", remote.url, attempt, error, pause
            )
            time.sleep(pause)
    raise ValueError(f"RetryPolicy.attempts must be at least 1, got {policy.attempts}")


def fetch(remote: RemoteFile, target: Path, policy: RetryPolicy = RetryPolicy()) -> Path:
    """Download ``remote`` to ``target`` (created with its folder) and return ``target``.

    Raises :class:`DownloadError` when every attempt failed (unreachable host, timeout,
    server error; an HTTP 4xx answer is not retried) or the bytes do not hash to
    ``remote.sha256`` (not retried either); ``target`` is then left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    partial = Path(name)
    try:
        actual = download_with_retries(remote, partial, policy)
        if actual.lower() != remote.sha256.lower():
            raise DownloadError(
                f"{remote.key} ({remote.url}): sha256 mismatch: expected {remote.sha256}, "
                f"got {actual} (the file changed on the server, or the pinned hash is wrong)"
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    log.info("%s (%s): saved to %s, sha256 %s", remote.key, remote.url, target, actual)
    return target
