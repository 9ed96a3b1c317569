"""Throwaway copies of this project for tests that run the workflow, `make` or git.

A copy holds the working tree's tracked and untracked-but-not-ignored files, links the
project's installed `.venv` (so `make` finds its install stamp current) and is a git
repository of its own, so DVC and `git clone` work in it.
"""

import os
import shutil
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
VENV = REPO / ".venv"
TINY_CONFIG = REPO / "tests/config/tiny.yaml"
# One task, one population: the whole DAG in about 20 jobs, for the round trips of the
# DVC and SLURM tests.
MICRO_CONFIG = REPO / "tests/config/micro.yaml"
# The smallest whole DAG: the second named run of the DVC tests.
NANO_CONFIG = REPO / "tests/config/nano.yaml"
TIMEOUT_S = 1800


def command_env() -> dict[str, str]:
    """Environment of every command: the project's venv first on PATH, a git identity and a
    fixed creation date for PDF figures (SOURCE_DATE_EPOCH, honoured by matplotlib)."""
    env = dict(os.environ)
    env.update(
        PATH=f"{VENV / 'bin'}{os.pathsep}{env['PATH']}",
        GIT_AUTHOR_NAME="aelle tests",
        GIT_AUTHOR_EMAIL="tests@aelle.invalid",
        GIT_COMMITTER_NAME="aelle tests",
        GIT_COMMITTER_EMAIL="tests@aelle.invalid",
        SOURCE_DATE_EPOCH="1650000000",
    )
    return env


def run(
    args: list[str],
    cwd: Path,
    *,
    check: bool = True,
    env: dict[str, str] | None = None,
    timeout: float = TIMEOUT_S,
) -> subprocess.CompletedProcess:
    """Run `args` in `cwd`; when `check`, raise with its output if it exits non-zero."""
    proc = subprocess.run(
        args,
        cwd=cwd,
        env={**command_env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{args} in {cwd} exited with {proc.returncode}:\n"
            f"--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n{proc.stderr[-6000:]}"
        )
    return proc


def copy_worktree(dst: Path) -> None:
    """Copy the repository's working tree (tracked and untracked, not ignored) to `dst`."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO)
    for rel in filter(None, listed.stdout.split("\0")):
        src = REPO / rel
        if "node_modules" in Path(rel).parts or not src.is_file():
            continue
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst / rel)


def use_project_venv(checkout: Path) -> None:
    """Let `make` in `checkout` use the project's installed venv instead of building one: link
    it and date the files the install stamp depends on before the stamp."""
    (checkout / ".venv").symlink_to(VENV, target_is_directory=True)
    stamp = (VENV / ".installed").stat().st_mtime
    for name in ("requirements.lock", "pyproject.toml"):
        os.utime(checkout / name, (stamp - 60, stamp - 60))


def checkout_with_config(dst: Path, config: Path = TINY_CONFIG) -> Path:
    """A git repository at `dst` whose config/config.yaml is `config` (default: tiny)."""
    copy_worktree(dst)
    shutil.copy2(config, dst / "config/config.yaml")
    run(["git", "init", "--quiet", "--initial-branch=main"], dst)
    run(["git", "add", "--all"], dst)
    run(["git", "commit", "--quiet", "-m", "Tiny configuration"], dst)
    use_project_venv(dst)
    return dst


def checkout_with_runs(dst: Path, configs: list[Path]) -> Path:
    """A git repository at `dst` whose dvc.yaml also lists the named runs of `configs` (files
    of this repository), as a user adds a run of their own under `vars: runs`."""
    copy_worktree(dst)
    dvc_yaml = yaml.safe_load((dst / "dvc.yaml").read_text())
    (runs,) = [entry["runs"] for entry in dvc_yaml["vars"] if "runs" in entry]
    for config in configs:
        name = yaml.safe_load(config.read_text())["run"]
        runs[name] = str(config.relative_to(REPO))
    (dst / "dvc.yaml").write_text(yaml.safe_dump(dvc_yaml, sort_keys=False))
    run(["git", "init", "--quiet", "--initial-branch=main"], dst)
    run(["git", "add", "--all"], dst)
    run(["git", "commit", "--quiet", "-m", "Test runs in dvc.yaml"], dst)
    use_project_venv(dst)
    return dst
