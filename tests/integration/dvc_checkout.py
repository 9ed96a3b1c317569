"""Checkouts for the DVC tests: the two named runs they publish (micro and nano), the
README's commands for a run, comparing outputs, and reading which Snakemake jobs ran."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from project import MICRO_CONFIG, NANO_CONFIG, REPO, command_env, run, use_project_venv

__all__ = ["REPO", "command_env", "run"]
PHASES = ("data", "train", "spectra", "aelle")
# Rule files of the phases whose jobs `make reproduce` must never run.
UPSTREAM_RULE_FILES = ("data.smk", "train.smk", "lyapunov.smk", "aelle.smk")
README_SECTION = "## Reproduce the figures"
# The config the README's commands name; the tests run them with their own configs.
README_CONFIG = "config/study.yaml"


@dataclass(frozen=True)
class Run:
    """A named run of the tests: its config (relative to the repository) and run name."""

    config: str
    name: str

    @classmethod
    def of(cls, config: Path) -> "Run":
        return cls(str(config.relative_to(REPO)), yaml.safe_load(config.read_text())["run"])

    @property
    def stages(self) -> list[str]:
        """Its dvc.yaml stages that `make reproduce` pulls."""
        return [f"{phase}@{self.name}" for phase in PHASES]

    @property
    def rebuilt(self) -> tuple[str, ...]:
        """Rebuilt by `make reproduce`, compared with the producer's byte for byte."""
        return tuple(f"results/{self.name}/{p}" for p in ("figures", "metrics.json", "summary.md"))

    @property
    def pulled(self) -> tuple[str, ...]:
        """Pulled by `make reproduce` (the outputs of its stages in PHASES)."""
        results = (f"results/{self.name}/{p}" for p in ("train", "spectra", "aelle"))
        return (f"data/{self.name}", *results)

    def publish(self) -> tuple[list[str], ...]:
        """The README's commands that publish the run (the producer)."""
        return (
            ["make", "run", f"CONFIG={self.config}"],
            ["make", "publish", f"CONFIG={self.config}"],
            ["git", "add", "dvc.lock"],
            ["git", "commit", "-m", "Publish results"],
        )

    def reproduce(self) -> list[str]:
        """The README's command that reproduces the run (anyone, in a clone)."""
        return ["make", "reproduce", f"CONFIG={self.config}"]


MICRO = Run.of(MICRO_CONFIG)
NANO = Run.of(NANO_CONFIG)
RUNS = (MICRO, NANO)


def digest(root: Path, paths: tuple[str, ...]) -> dict[str, str]:
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


def outputs(root: Path, named: Run) -> dict[str, str]:
    """Digest of everything of run `named` that `make reproduce` rebuilds or pulls."""
    return digest(root, named.rebuilt + named.pulled)


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
    """A producer repository that ran both test runs and published them (`make publish`) to
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

    def push_to(self, kind: str, url: str, env: dict[str, str], runs: tuple[Run, ...]) -> None:
        """Publish `runs` of the producer to another remote as documented (`remote.sh`, then
        `make publish`), then make the default remote the producer's default again."""
        try:
            run(["tools/dvc/remote.sh", kind, url], self.producer, env=env)
            for named in runs:
                run(named.publish()[1], self.producer, env=env)
        finally:
            run(["dvc", "remote", "default", "--local", "--unset"], self.producer, check=False)


def readme_commands() -> list[str]:
    """Lines of the bash blocks in README.md's "Reproduce the figures" section."""
    text = (REPO / "README.md").read_text()
    assert README_SECTION in text, f"README.md has no section {README_SECTION!r}"
    section = text.split(README_SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines()]
