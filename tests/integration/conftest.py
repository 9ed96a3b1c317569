"""Fixtures of the integration tests: throwaway servers on 127.0.0.1 (stopped by PID when the
session ends, also after failures) and one tiny workflow run published to the default DVC
remote, made once per session and reused by every DVC round trip."""

import shutil
from collections.abc import Iterator

import pytest
from dvc_checkout import PUBLISH, REPO, Published, copy_worktree, run, use_project_venv
from servers.s3rver import S3Server, s3rver
from servers.sshd import SshServer, sshd


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """Run the tiny config once (its config/config.yaml is tests/config/tiny.yaml), publish."""
    base = tmp_path_factory.mktemp("dvc")
    producer = base / "producer"
    copy_worktree(producer)
    shutil.copy2(REPO / "tests/config/tiny.yaml", producer / "config/config.yaml")
    run(["git", "init", "--quiet", "--initial-branch=main"], producer)
    run(["git", "add", "--all"], producer)
    run(["git", "commit", "--quiet", "-m", "Tiny configuration"], producer)
    use_project_venv(producer)
    for step in PUBLISH:
        run(step, producer)
    return Published(base=base, producer=producer)


@pytest.fixture(scope="session")
def ssh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3rver(tmp_path_factory.mktemp("s3rver")) as server:
        yield server
