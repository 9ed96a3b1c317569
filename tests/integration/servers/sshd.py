"""An OpenSSH server (Debian openssh-server) on 127.0.0.1 for one test session: its own
config, host key and authorized key in a temporary folder, key login only, run in the
foreground (`sshd -D`) so that it is stopped by PID."""

import getpass
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .process import HOST, free_port, serving

SSHD = Path("/usr/sbin/sshd")
PRIVSEP_DIR = Path("/run/sshd")


@dataclass(frozen=True)
class SshServer:
    """Where the server listens and how to log in: `keyfile` is the client's private key."""

    user: str
    port: int
    keyfile: Path

    def url(self, path: Path) -> str:
        """DVC remote URL of the absolute folder `path` on this server."""
        return f"ssh://{self.user}@{HOST}:{self.port}{path}"


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


def _config(root: Path, port: int) -> Path:
    config = root / "sshd_config"
    config.write_text(
        f"Port {port}\n"
        f"ListenAddress {HOST}\n"
        f"HostKey {root / 'host_key'}\n"
        f"PidFile {root / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {root / 'authorized_keys'}\n"
        "PubkeyAuthentication yes\n"
        "PasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\n"
        "PermitRootLogin prohibit-password\n"
        "StrictModes no\n"
        "UsePAM no\n"
        "Subsystem sftp internal-sftp\n"
        "LogLevel ERROR\n"
    )
    return config


@contextmanager
def sshd(root: Path) -> Iterator[SshServer]:
    """Serve SFTP on a free port of 127.0.0.1 as the current user for the `with` block."""
    if not SSHD.exists():
        raise FileNotFoundError(f"{SSHD} is missing: run tools/dvc/install-test-deps.sh")
    if os.geteuid() == 0:
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    _keygen(root / "host_key")
    _keygen(root / "client_key")
    (root / "authorized_keys").write_text((root / "client_key.pub").read_text())
    port = free_port()
    argv = [str(SSHD), "-D", "-e", "-f", str(_config(root, port))]
    with serving(argv, port, root / "sshd.log"):
        yield SshServer(user=getpass.getuser(), port=port, keyfile=root / "client_key")
