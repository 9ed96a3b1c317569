"""The publish / reproduce round trip through real servers on 127.0.0.1: OpenSSH's sshd
(SFTP, key login, `dvc-ssh`) and s3rver (`dvc-s3`), each set up with `tools/dvc/remote.sh`;
each carries one named run, the other left unpublished there."""

from pathlib import Path

import pytest
from dvc_checkout import (
    MICRO,
    NANO,
    Published,
    Run,
    executed_rules,
    outputs,
    run,
    upstream_rules,
)
from servers.s3rver import S3Server
from servers.sshd import SshServer

pytestmark = pytest.mark.integration


def round_trip(
    published: Published, name: str, remote: tuple[str, str, dict[str, str]], named: Run
) -> Path:
    """Publish run `named` to `remote` (kind, url, credentials), reproduce it in a fresh
    clone set up for it; return the clone."""
    kind, url, env = remote
    published.push_to(kind, url, env, (named,))
    checkout = published.clone(name)
    run(["tools/dvc/remote.sh", kind, url], checkout, env=env)
    run(named.reproduce(), checkout)
    assert outputs(checkout, named) == outputs(published.producer, named)
    assert executed_rules(checkout)
    assert not executed_rules(checkout) & upstream_rules(checkout)
    return checkout


def test_round_trip_over_ssh(published: Published, ssh_server: SshServer, tmp_path: Path) -> None:
    url = ssh_server.url(tmp_path / "store")
    remote = ("ssh", url, {"DVC_SSH_KEYFILE": str(ssh_server.keyfile)})
    checkout = round_trip(published, "over-ssh", remote, NANO)
    assert "keyfile" in (checkout / ".dvc/config.local").read_text()
    assert "keyfile" not in (checkout / ".dvc/config").read_text()


def test_round_trip_over_s3(published: Published, s3_server: S3Server) -> None:
    env = {
        "AWS_ACCESS_KEY_ID": s3_server.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret_key,
        "S3_ENDPOINT_URL": s3_server.endpoint,
    }
    checkout = round_trip(published, "over-s3", ("s3", s3_server.url("round-trip"), env), MICRO)
    assert s3_server.secret_key in (checkout / ".dvc/config.local").read_text()
    assert s3_server.secret_key not in (checkout / ".dvc/config").read_text()
