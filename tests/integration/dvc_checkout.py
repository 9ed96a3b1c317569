"""Checkouts for the DVC tests: copying the working tree, running commands in a checkout,
comparing outputs, and reading which Snakemake jobs ran."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from project import REPO, command_env, run, use_project_venv

__all__ = ["REPO", "command_env", "run"]
PHASES = ("data", "train", "spectra", "aelle")
# Rebuilt by `make reproduce`, compared with the producer's byte for byte.
REBUILT = ("results/figures", "results/metrics.json", "results/summary.md")
# Pulled by `make reproduce` (the outputs of the dvc.yaml stages in PHASES).
PULLED = ("data/prepared", "results/train", "results/spectra", "results/aelle")
# Rule files of the phases whose jobs `make reproduce` must never run.
UPSTREAM_RULE_FILES = ("data.smk", "train.smk", "lyapunov.smk", "aelle.smk")
# The README's "Reproduce the figures" commands, run by these tests as written there.
PUBLISH = (
    ["make", "run"],
    ["make", "publish"],
    ["git", "add", "dvc.lock"],
    ["git", "commit", "-m", "Publish results"],
)
REPRODUCE = ["make", "reproduce"]
README_SECTION = "## Reproduce the figures"


def digest(root: Path, paths: tuple[str, ...] = REBUILT + PULLED) -> dict[str, str]:
    """SHA-256 of every file under `paths` (files or folders) of `root`, by relative path;
    Snakemake's mtime markers are left out."""
    found = {}
    for rel in paths:
        top = root / rel
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            if path.name != ".snakemake_timestamp":
                found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def upstream_rules(root: Path) -> set[str]:
    """Names of the rules of the data, train, spectra and aelle phases."""
    pattern = re.compile(r"^rule\s+(\w+)\s*:", re.MULTILINE)
    return {
        name
        for f in UPSTREAM_RULE_FILES
        for name in pattern.findall((root / "workflow/rules" / f).read_text())
    }


def executed_rules(checkout: Path) -> set[str]:
    """Rules of the jobs Snakemake ran in `checkout`, from its logs, `--touch` runs excluded."""
    rules = set()
    for log in (checkout / ".snakemake/log").glob("*.snakemake.log"):
        text = log.read_text()
        if re.search(r"^\s*Command: .*--touch", text, re.MULTILINE):
            continue
        rules |= set(re.findall(r"^(?:local)?rule (\w+):$", text, re.MULTILINE))
    return rules


@dataclass(frozen=True)
class Published:
    """A producer repository that ran the tiny workflow and published it (`make publish`) to
    the default remote, the folder `remote` next to it; clones made here share that remote."""

    base: Path
    producer: Path

    @property
    def remote(self) -> Path:
        return self.base / "aelle-dvc-remote"

    def clone(self, name: str) -> Path:
        """A fresh `git clone` of the producer next to it, ready for `make`."""
        checkout = self.base / name
        run(["git", "clone", str(self.producer), str(checkout)], self.base)
        use_project_venv(checkout)
        return checkout

    def push_to(self, kind: str, url: str, env: dict[str, str]) -> None:
        """Publish the producer's outputs to another remote as documented (`remote.sh`, then
        `make publish`), then make the default remote the producer's default again."""
        try:
            run(["tools/dvc/remote.sh", kind, url], self.producer, env=env)
            run(PUBLISH[1], self.producer, env=env)
        finally:
            run(["dvc", "remote", "default", "--local", "--unset"], self.producer, check=False)


def readme_commands() -> list[str]:
    """Lines of the bash blocks in README.md's "Reproduce the figures" section."""
    text = (REPO / "README.md").read_text()
    assert README_SECTION in text, f"README.md has no section {README_SECTION!r}"
    section = text.split(README_SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines()]
