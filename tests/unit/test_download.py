"""Downloads as their own step: aelle.downloads.fetch against a local HTTP server (success,
hash mismatch, unreachable host, retries), the refusal of unpinned hashes before any job,
and prepare_data taking the downloaded and local files as declared inputs."""

from __future__ import annotations

import hashlib
import http.server
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from dry_run import SNAKEMAKE, dry_run_jobs

from aelle.downloads import DownloadError, RemoteFile, RetryPolicy, fetch, remote_files, unpinned

REPO = Path(__file__).resolve().parents[2]
KEY = "tasks.smnist.data.files.train_images"
BODY = b"\x1f\x8b not really MNIST, but bytes with a known hash" * 100
SHA = hashlib.sha256(BODY).hexdigest()
# Fast retries: three attempts, no pause, a short timeout.
QUICK = RetryPolicy(timeout_s=2.0, attempts=3, backoff_s=0.0)


@dataclass
class Served:
    """What the test server answers: ``failures[path]`` 503 answers before the body."""

    base: str
    failures: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture
def server() -> Iterator[Served]:
    """An HTTP server on 127.0.0.1 in a thread, serving BODY at /ok, /flaky and /broken and
    404 elsewhere; shut down when the test ends."""
    served = Served(base="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests[self.path] = served.requests.get(self.path, 0) + 1
            if self.path not in ("/ok", "/flaky", "/broken"):
                self.send_error(404)
            elif served.failures.get(self.path, 0) > 0:
                served.failures[self.path] -= 1
                self.send_error(503)
            else:
                self.send_response(200)
                self.send_header("Content-Length", str(len(BODY)))
                self.end_headers()
                self.wfile.write(BODY)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_fetch_writes_the_verified_file(server: Served, tmp_path: Path) -> None:
    target = tmp_path / "raw" / "smnist" / "train.gz"
    assert fetch(RemoteFile(KEY, server.url("/ok"), SHA), target, QUICK) == target
    assert target.read_bytes() == BODY
    assert leftovers(target.parent) == ["train.gz"]
    assert server.requests == {"/ok": 1}


def test_hash_mismatch_names_key_and_url_and_leaves_no_file(server: Served, tmp_path: Path) -> None:
    url = server.url("/ok")
    with pytest.raises(DownloadError) as caught:
        fetch(RemoteFile(KEY, url, "0" * 64), tmp_path / "train.gz", QUICK)
    assert str(caught.value).startswith(f"{KEY} ({url}): sha256 mismatch: expected {'0' * 64}")
    assert SHA in str(caught.value)
    assert leftovers(tmp_path) == []
    assert server.requests == {"/ok": 1}, "a hash mismatch is not retried"


def test_unreachable_url_names_key_and_url_after_every_attempt(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/train.gz"
    with pytest.raises(DownloadError) as caught:
        fetch(RemoteFile(KEY, url, SHA), tmp_path / "train.gz", QUICK)
    assert str(caught.value).startswith(f"{KEY} ({url}): download failed after 3 attempt(s)")
    assert leftovers(tmp_path) == []


def test_server_errors_are_retried_up_to_the_bound(server: Served, tmp_path: Path) -> None:
    server.failures["/flaky"] = 2
    fetch(RemoteFile(KEY, server.url("/flaky"), SHA), tmp_path / "a", QUICK)
    assert server.requests["/flaky"] == 3
    server.failures["/broken"] = 3
    with pytest.raises(DownloadError, match=r"after 3 attempt\(s\): HTTP Error 503"):
        fetch(RemoteFile(KEY, server.url("/broken"), SHA), tmp_path / "b", QUICK)
    assert server.requests["/broken"] == 3
    assert leftovers(tmp_path) == ["a"]


def test_a_missing_file_is_not_retried(server: Served, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"after 1 attempt\(s\): HTTP Error 404"):
        fetch(RemoteFile(KEY, server.url("/gone"), SHA), tmp_path / "x", QUICK)
    assert server.requests == {"/gone": 1}


def test_a_failed_download_keeps_the_previous_file(server: Served, tmp_path: Path) -> None:
    target = tmp_path / "train.gz"
    target.write_bytes(b"previous")
    with pytest.raises(DownloadError):
        fetch(RemoteFile(KEY, server.url("/ok"), "1" * 64), target, QUICK)
    assert target.read_bytes() == b"previous"
    assert leftovers(tmp_path) == ["train.gz"]


def test_default_policy_is_bounded() -> None:
    assert RetryPolicy() == RetryPolicy(timeout_s=60.0, attempts=3, backoff_s=2.0)


def paper() -> dict:
    return yaml.safe_load((REPO / "config/paper.yaml").read_text())


def pinned_paper(tmp_path: Path) -> Path:
    """config/paper.yaml with made-up hashes for the unpinned texts."""
    config = paper()
    for entry in config["tasks"]["charrnn"]["data"]["files"].values():
        entry["sha256"] = "ab" * 32
    path = tmp_path / "paper-pinned.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_unpinned_hashes_are_listed_with_how_to_pin_them() -> None:
    problems = unpinned(paper())
    assert [p.split(" ", 1)[0] for p in problems] == [
        "tasks.charrnn.data.files.train.sha256",
        "tasks.charrnn.data.files.novel.sha256",
    ]
    assert all("is null" in p and "sha256sum FILE" in p for p in problems)
    assert set(remote_files(paper())) == {
        ("smnist", "train-images-idx3-ubyte.gz"),
        ("smnist", "train-labels-idx1-ubyte.gz"),
        ("smnist", "t10k-images-idx3-ubyte.gz"),
        ("smnist", "t10k-labels-idx1-ubyte.gz"),
    }


def test_two_files_saved_under_one_name_are_refused() -> None:
    config = paper()
    files = config["tasks"]["smnist"]["data"]["files"]
    files["test_labels"]["url"] = files["train_labels"]["url"]
    with pytest.raises(DownloadError, match=r"test_labels .* the name of \S+train_labels too"):
        remote_files(config)


def test_unpinned_paper_config_stops_before_any_job() -> None:
    proc = subprocess.run(
        [str(SNAKEMAKE), "-n", "--configfile", "config/paper.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    printed = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "tasks.charrnn.data.files.train.sha256 is null" in printed
    assert "tasks.charrnn.data.files.novel.sha256 is null" in printed
    assert "Building DAG" not in printed


def test_prepare_data_takes_the_downloads_as_inputs(tmp_path: Path) -> None:
    jobs = dry_run_jobs(REPO, pinned_paper(tmp_path), ("data",))
    downloads = {job.outputs[0] for job in jobs if job.rule == "download"}
    prepared = {job.outputs[0]: set(job.inputs) for job in jobs if job.rule == "prepare_data"}
    assert len(downloads) == 6
    assert all(path.startswith("data/paper/raw/") for path in downloads)
    assert prepared["data/paper/prepared/smnist.pt"] == {
        f"data/paper/raw/smnist/{name}" for _, name in remote_files(paper())
    }
    assert prepared["data/paper/prepared/charrnn.pt"] == {
        "data/paper/raw/charrnn/pg2600.txt",
        "data/paper/raw/charrnn/pg1399.txt",
    }
    assert prepared["data/paper/prepared/signal.pt"] == set()


def test_prepare_data_takes_a_local_file_as_input(tmp_path: Path) -> None:
    config = yaml.safe_load((REPO / "tests/config/nano.yaml").read_text())
    config["tasks"]["charrnn"] = yaml.safe_load((REPO / "tests/config/tiny.yaml").read_text())[
        "tasks"
    ]["charrnn"]
    book = tmp_path / "book.txt"
    book.write_text("A local text. " * 200)
    config["tasks"]["charrnn"]["data"].update(source="text", files={"train": {"path": str(book)}})
    path = tmp_path / "local.yaml"
    path.write_text(yaml.safe_dump(config))
    jobs = dry_run_jobs(REPO, path, ("data",))
    (charrnn,) = [job for job in jobs if job.outputs == ("data/nano/prepared/charrnn.pt",)]
    assert charrnn.inputs == (str(book),)
