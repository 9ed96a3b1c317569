"""Fixtures of the integration tests: throwaway servers on 127.0.0.1 (stopped by PID when the
session ends, also after failures) and one producer that ran two named runs, micro and nano
(each one task, one population, the whole DAG), and published both to the default DVC
remote, made once per session and reused by every DVC round trip."""

from collections.abc import Iterator

import pytest
from dvc_checkout import RUNS, Published
from project import MICRO_CONFIG, NANO_CONFIG, checkout_with_runs, run
from servers.s3rver import S3Server, s3rver
from servers.sshd import SshServer, sshd


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """Run micro and nano (listed in the producer's dvc.yaml) one after the other, publish
    each as the README says."""
    base = tmp_path_factory.mktemp("dvc")
    producer = checkout_with_runs(base / "producer", [MICRO_CONFIG, NANO_CONFIG])
    for named in RUNS:
        for step in named.publish():
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
