"""Faults on the way between producer and reproducer: a push of both named runs killed
half-way, an unreachable remote, a corrupted object in the local DVC cache."""

import hashlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from dvc_checkout import MICRO, NANO, RUNS, Published, command_env, digest, outputs, run
from servers.process import free_port
from servers.sshd import SshServer

pytestmark = pytest.mark.integration


OBJECT_NAME = re.compile(r"[0-9a-f]{30}(\.dir)?")


def object_files(remote: Path) -> set[Path]:
    """Objects stored in a DVC remote folder (DVC 3 layout: files/md5/xx/<30 hex>[.dir]);
    the temporary file of an upload cut short is not one."""
    return {
        p
        for p in (remote / "files" / "md5").glob("*/*")
        if p.is_file() and OBJECT_NAME.fullmatch(p.name)
    }


def kill_push_half_way(producer: Path, remote: Path, total: int) -> int:
    """Start `dvc push` (one transfer at a time) and SIGKILL it once some, not all, objects
    reached `remote`; return how many had."""
    push = subprocess.Popen(
        ["dvc", "push", "--jobs", "1"],
        cwd=producer,
        env=command_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while push.poll() is None and time.monotonic() < deadline:
            if remote.is_dir() and len(object_files(remote)) >= 3:
                os.killpg(push.pid, signal.SIGKILL)
                break
            time.sleep(0.002)
    finally:
        if push.poll() is None:
            os.killpg(push.pid, signal.SIGKILL)
        push.wait()
    assert push.returncode == -signal.SIGKILL, "the push finished before it could be killed"
    return len(object_files(remote))


def test_killed_push_is_completed_by_the_next(
    published: Published, ssh_server: SshServer, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    env = {"DVC_SSH_KEYFILE": str(ssh_server.keyfile)}
    url = ssh_server.url(store)
    total = len(object_files(published.remote))
    try:
        run(["tools/dvc/remote.sh", "ssh", url], published.producer, env=env)
        assert 0 < kill_push_half_way(published.producer, store, total) < total
        for named in RUNS:
            run(named.publish()[1], published.producer)
    finally:
        run(["dvc", "remote", "default", "--local", "--unset"], published.producer, check=False)
    assert len(object_files(store)) == total
    checkout = published.clone("after-killed-push")
    run(["tools/dvc/remote.sh", "ssh", url], checkout, env=env)
    for named in RUNS:
        run(["dvc", "pull", *named.stages], checkout)
        assert digest(checkout, named.pulled) == digest(published.producer, named.pulled)


def workspace_state(checkout: Path) -> dict[str, tuple[float, int]]:
    """(mtime, size) of every file outside .git and DVC's own cache and temporary folders."""
    skip = {checkout / ".git", checkout / ".dvc" / "tmp", checkout / ".dvc" / "cache"}
    state = {}
    for path in checkout.rglob("*"):
        if path.is_file() and not any(path.is_relative_to(s) for s in skip):
            stat = path.stat()
            state[str(path.relative_to(checkout))] = (stat.st_mtime, stat.st_size)
    return state


def test_unreachable_remote_fails_clearly_and_touches_nothing(
    published: Published, ssh_server: SshServer
) -> None:
    checkout = published.clone("unreachable")
    url = f"ssh://{ssh_server.user}@127.0.0.1:{free_port()}/nowhere"
    run(
        ["tools/dvc/remote.sh", "ssh", url],
        checkout,
        env={"DVC_SSH_KEYFILE": str(ssh_server.keyfile)},
    )
    before = workspace_state(checkout)
    proc = run(NANO.reproduce(), checkout, check=False)
    assert proc.returncode != 0
    assert "'dvc pull' failed" in proc.stderr
    assert "failed to connect to ssh" in proc.stderr
    assert workspace_state(checkout) == before


def test_corrupted_cache_object_is_fetched_again(published: Published) -> None:
    checkout = published.clone("corrupted")
    run(["dvc", "pull", *MICRO.stages], checkout)
    victim = sorted((checkout / "results/micro/spectra").rglob("*.parquet"))[0]
    md5 = hashlib.md5(victim.read_bytes()).hexdigest()
    cached = checkout / ".dvc/cache/files/md5" / md5[:2] / md5[2:]
    cached.chmod(0o644)
    cached.write_bytes(b"not the published bytes")
    victim.unlink()
    proc = run(MICRO.reproduce(), checkout)
    assert f"corrupted object {md5} removed" in proc.stdout
    assert hashlib.md5(cached.read_bytes()).hexdigest() == md5
    assert outputs(checkout, MICRO) == outputs(published.producer, MICRO)
