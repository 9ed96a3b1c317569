"""Start a server as its own process group, wait until its port accepts connections, and
stop it by PID (the whole group), whatever happens in between."""

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout_s: float = 30.0) -> None:
    """Block until `port` accepts TCP connections; raise if `proc` exits or `timeout_s` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server {proc.args!r} exited with {proc.returncode}:\n{log.read_text()}"
            )
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"server {proc.args!r} did not listen on {HOST}:{port} in {timeout_s} s")


def stop(proc: subprocess.Popen, grace_s: float = 5.0) -> None:
    """SIGTERM the process group led by `proc`, then SIGKILL it if it outlives `grace_s`."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def serving(argv: list[str], port: int, log: Path) -> Iterator[subprocess.Popen]:
    """Run `argv` (a server listening on `port`) with output to `log` for the `with` block."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        wait_for_port(port, proc, log)
        yield proc
    finally:
        stop(proc)
