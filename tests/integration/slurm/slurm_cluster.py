"""A throwaway single-node SLURM (munged, slurmctld, slurmd) for the integration tests.

The daemons run as root in a private network namespace whose only interface is ``lo``
(127.0.0.1 and 127.0.0.2), so nothing listens on the machine's network, and in a private
mount namespace
where the generated ``slurm.conf`` is bind-mounted over ``/etc/slurm``: SLURM's job steps read
``/etc/slurm/slurm.conf`` whatever ``SLURM_CONF`` says, and the host's ``/etc/slurm`` stays
untouched. Every command that talks to the cluster (sbatch, squeue, snakemake) runs through
:meth:`SlurmCluster.command`, which enters both namespaces with ``nsenter``.

:meth:`SlurmCluster.stop` ends by PID the daemons it started, then every process left in the
private network namespace (job steps, jobs), then the process that holds the namespaces.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
INSTALL_SCRIPT = HERE / "install.sh"
CONF_TEMPLATE = HERE / "slurm.conf.in"
REQUIRED_COMMANDS = (
    *("munged", "slurmctld", "slurmd"),
    *("sbatch", "srun", "squeue", "sinfo", "scontrol", "scancel"),
)


class SlurmError(RuntimeError):
    """The test cluster could not be installed, started or queried."""


def ensure_installed() -> None:
    """Install Debian's ``slurm-wlm`` and ``munge`` through ``install.sh`` if any daemon or
    client is missing; raise :class:`SlurmError` with the installer's output if that fails."""
    if all(shutil.which(cmd) for cmd in REQUIRED_COMMANDS):
        return
    done = subprocess.run(
        ["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=900, check=False
    )
    missing = [cmd for cmd in REQUIRED_COMMANDS if not shutil.which(cmd)]
    if done.returncode != 0 or missing:
        raise SlurmError(
            f"{INSTALL_SCRIPT} failed (exit {done.returncode}, still missing {missing}):\n"
            f"{done.stdout}\n{done.stderr}"
        )


def _net_namespace(pid: int) -> str | None:
    """The network-namespace identity of process ``pid``, or None if it has gone."""
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return None


def _wait_gone(pid: int, timeout_s: float) -> bool:
    """Poll until process ``pid`` no longer exists (or is a zombie); True if it went."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


class SlurmCluster:
    """One node, one partition ``debug``, ``cpus`` CPUs, ``memory_mb`` MB and ``gpus`` GPUs
    (copies of /dev/null stand in for the devices: SLURM schedules and records them,
    the jobs find no GPU), state in ``root``.

    Use as a context manager, or call :meth:`start` and always :meth:`stop`.
    """

    def __init__(self, root: Path, *, cpus: int = 2, memory_mb: int = 4096, gpus: int = 2) -> None:
        self.root = Path(root)
        self.cpus = cpus
        self.memory_mb = memory_mb
        self.gpus = gpus
        self.conf_dir = self.root / "etc-slurm"
        self.jobcomp_log = self.root / "jobcomp.log"
        self.munge_socket = self.root / "munge" / "munge.socket"
        self._holder: subprocess.Popen[bytes] | None = None
        self._daemons: dict[str, subprocess.Popen[bytes]] = {}

    def __enter__(self) -> SlurmCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def command(self, argv: Sequence[str], *, cwd: Path | None = None) -> list[str]:
        """``argv`` prefixed so that it runs inside the cluster's namespaces, in folder ``cwd``
        (entering a mount namespace resets the working folder to ``/``)."""
        if self._holder is None:
            raise SlurmError("the cluster is not started")
        wd = [f"--wd={Path(cwd).resolve()}"] if cwd is not None else []
        return ["nsenter", f"--target={self._holder.pid}", "--net", "--mount", *wd, "--", *argv]

    def run(self, argv: Sequence[str], *, timeout_s: float = 30, **kwargs) -> str:
        """Run ``argv`` in the namespaces; return stdout, raise :class:`SlurmError` on failure."""
        done = subprocess.run(
            self.command(argv), capture_output=True, text=True, timeout=timeout_s, **kwargs
        )
        if done.returncode != 0:
            raise SlurmError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr}")
        return done.stdout

    def start(self) -> None:
        """Write the configuration, enter fresh namespaces, start munged, slurmctld, slurmd
        and wait until the node is idle (30 s at most)."""
        ensure_installed()
        for sub in ("state", "spool", "munge", "etc-slurm"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root / "munge", 0o700)
        self._write_config()
        key = self.root / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o600)

        self._holder = subprocess.Popen(
            ["unshare", "--net", "--mount", "--propagation", "private", "sleep", "infinity"]
        )
        self._wait_for_namespace()
        self.run(["ip", "link", "set", "lo", "up"])
        # glibc's getaddrinfo(AI_ADDRCONFIG), which SLURM uses, returns no IPv4 address while
        # 127.0.0.1 is the only one configured; a second loopback address switches IPv4 on.
        self.run(["ip", "addr", "add", "127.0.0.2/8", "dev", "lo"])
        self.run(["mount", "--bind", str(self.conf_dir), "/etc/slurm"])

        munge = self.root / "munge"
        self._spawn(
            "munged",
            [
                "munged", "--foreground", "--force",
                f"--key-file={munge / 'munge.key'}", f"--socket={self.munge_socket}",
                f"--pid-file={munge / 'munged.pid'}", f"--log-file={munge / 'munged.log'}",
                f"--seed-file={munge / 'munged.seed'}",
            ],
        )  # fmt: skip
        self._wait_for(lambda: self.munge_socket.exists(), "munged's socket", 15)
        self._spawn("slurmctld", ["slurmctld", "-D", "-i"])
        self._wait_for(self._controller_up, "slurmctld to answer", 30)
        self._spawn("slurmd", ["slurmd", "-D", "-N", "localhost"])
        self._wait_for(self._node_idle, "the node to become idle", 30)

    def stop(self) -> None:
        """Cancel all jobs, end the daemons by PID (slurmd, slurmctld, munged), then every
        process left in the private network namespace (job steps, jobs), then the namespace
        holder. Safe to call more than once."""
        if self._holder is None:
            return
        if self._holder.poll() is None and self._controller_alive():
            with contextlib.suppress(subprocess.TimeoutExpired):
                subprocess.run(
                    self.command(["scancel", "--full", "--user=root"]),
                    capture_output=True,
                    timeout=10,
                    check=False,
                )
        namespace = _net_namespace(self._holder.pid)
        for daemon in reversed(self._daemons.values()):
            self._end([daemon.pid])
            daemon.poll()
        if namespace is not None:
            self._end(
                [
                    int(entry)
                    for entry in os.listdir("/proc")
                    if entry.isdigit()
                    and int(entry) not in (self._holder.pid, os.getpid())
                    and _net_namespace(int(entry)) == namespace
                ]
            )
        self._holder.kill()
        self._holder.wait(timeout=5)
        self._holder = None
        self._daemons = {}

    def job_records(self) -> list[dict[str, str]]:
        """SLURM's own job completion log: one dict per finished job (keys such as JobId,
        JobName, JobState, ExitCode, WorkDir), oldest first; empty if no job has ended."""
        if not self.jobcomp_log.exists():
            return []
        records = []
        for line in self.jobcomp_log.read_text().splitlines():
            fields = {}
            for token in line.split():
                key, sep, value = token.partition("=")
                if sep:
                    fields[key] = value
            records.append(fields)
        return records

    def job_details(self, job_id: str) -> dict[str, str]:
        """``scontrol show job`` of a job slurmctld still holds (MinJobAge: 600 s after it
        ended) as a dict of its fields (JobState, TresPerJob, NumCPUs, ...)."""
        fields = {}
        for token in self.run(["scontrol", "--oneliner", "show", "job", job_id]).split():
            key, sep, value = token.partition("=")
            if sep:
                fields[key] = value
        return fields

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of each daemon log, for failure messages."""
        parts = []
        for name in ("slurmctld.log", "slurmd.log", "munge/munged.log"):
            path = self.root / name
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {name}\n" + "\n".join(tail))
        return "\n".join(parts)

    def _write_config(self) -> None:
        text = CONF_TEMPLATE.read_text().format(
            root=self.root, cpus=self.cpus, memory_mb=self.memory_mb, gpus=self.gpus
        )
        text += f"AuthInfo=socket={self.munge_socket}\n"
        (self.conf_dir / "slurm.conf").write_text(text)
        # SLURM drops GPUs without character-device files; copies of /dev/null (1, 3)
        # stand in for them.
        devices = []
        for index in range(self.gpus):
            device = self.root / f"fake-gpu{index}"
            if not device.exists():
                os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))
            devices.append(f"NodeName=localhost Name=gpu File={device}\n")
        (self.conf_dir / "gres.conf").write_text("AutoDetect=off\n" + "".join(devices))

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.root / f"{name}.stdout", "wb")  # noqa: SIM115 - lives as long as the daemon
        self._daemons[name] = subprocess.Popen(
            self.command(argv), stdout=log, stderr=subprocess.STDOUT
        )
        log.close()

    def _wait_for_namespace(self) -> None:
        assert self._holder is not None
        host = _net_namespace(os.getpid())
        self._wait_for(
            lambda: (
                _net_namespace(self._holder.pid) not in (None, host)
                and os.readlink(f"/proc/{self._holder.pid}/exe").endswith("sleep")
            ),
            "the private namespaces",
            10,
        )

    def _controller_alive(self) -> bool:
        controller = self._daemons.get("slurmctld")
        return controller is not None and controller.poll() is None

    def _controller_up(self) -> bool:
        return self._try(["scontrol", "ping"]) is not None

    def _node_idle(self) -> bool:
        state = self._try(["sinfo", "--noheader", "--format=%T"])
        return state is not None and state.strip() == "idle"

    def _try(self, argv: list[str]) -> str | None:
        done = subprocess.run(
            self.command(argv), capture_output=True, text=True, timeout=15, check=False
        )
        return done.stdout if done.returncode == 0 else None

    def _wait_for(self, ready, what: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for name, daemon in self._daemons.items():
                if daemon.poll() is not None:
                    raise SlurmError(
                        f"{name} exited ({daemon.returncode}) while waiting for "
                        f"{what}:\n{self.log_tail()}"
                    )
            if ready():
                return
            time.sleep(0.2)
        raise SlurmError(f"timed out after {timeout_s} s waiting for {what}:\n{self.log_tail()}")

    @staticmethod
    def _end(pids: list[int]) -> None:
        """SIGTERM each PID, then SIGKILL those still alive after 5 s."""
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for pid in pids:
            if not _wait_gone(pid, 5):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
                _wait_gone(pid, 5)
