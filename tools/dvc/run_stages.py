"""The dvc.yaml stages of one named run, checked before publish.sh or reproduce.sh act on them.

Usage: python tools/dvc/run_stages.py [--published] RUN CONFIG PHASE...  (repository root)

Prints ``PHASE@RUN`` for each PHASE, one per line. Exits 1 with one line on stderr, and no
traceback, when dvc.yaml does not list RUN with CONFIG under ``vars: runs`` or, with
``--published``, when dvc.lock records none or not all of those stages (nothing of the run
has been published to this clone).
"""

import os
import sys
from pathlib import Path

import yaml


def registered_runs(dvc_yaml: Path) -> dict[str, str]:
    """{run name: config file} of dvc.yaml's ``vars: - runs:`` entry."""
    for entry in yaml.safe_load(dvc_yaml.read_text()).get("vars", []):
        if isinstance(entry, dict) and "runs" in entry:
            return dict(entry["runs"])
    return {}


def locked_stages(dvc_lock: Path) -> set[str]:
    """Stage names recorded in dvc.lock (none when it does not exist)."""
    if not dvc_lock.is_file():
        return set()
    return set((yaml.safe_load(dvc_lock.read_text()) or {}).get("stages", {}))


def stages(run: str, config: str, phases: list[str], *, published: bool) -> list[str]:
    """``PHASE@RUN`` per phase; raises SystemExit with one line when a check fails."""
    runs = registered_runs(Path("dvc.yaml"))
    if os.path.normpath(runs.get(run, "")) != os.path.normpath(config):
        listed = ", ".join(f"{name}: {path}" for name, path in runs.items())
        raise SystemExit(
            f"run '{run}' of {config} is not in dvc.yaml with that config (vars: runs lists "
            f"{listed}); add the line '{run}: {config}' there"
        )
    names = [f"{phase}@{run}" for phase in phases]
    locked = locked_stages(Path("dvc.lock"))
    missing = [name for name in names if name not in locked]
    if published and missing:
        raise SystemExit(
            f"nothing of run '{run}' is published here (dvc.lock has no {', '.join(missing)}): "
            f"run 'make publish CONFIG={config}' on the machine that ran it, commit and push "
            "dvc.lock, then pull it here"
        )
    return names


def main(argv: list[str]) -> None:
    published = "--published" in argv
    args = [a for a in argv if a != "--published"]
    if len(args) < 3:
        raise SystemExit("usage: run_stages.py [--published] RUN CONFIG PHASE...")
    print("\n".join(stages(args[0], args[1], args[2:], published=published)))


if __name__ == "__main__":
    main(sys.argv[1:])
