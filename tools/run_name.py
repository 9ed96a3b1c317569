"""Print the run name (config key ``run``) of a workflow config, for the Makefile and tools.

Usage: python tools/run_name.py CONFIG
Exits 1 with one line naming the file when it has no valid ``run`` key.
"""

import re
import sys
from pathlib import Path

import yaml

RUN_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def run_name(config_path: Path) -> str:
    """The ``run`` value of the YAML config at ``config_path`` (same pattern as the schema)."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    name = config.get("run") if isinstance(config, dict) else None
    if not isinstance(name, str) or not RUN_NAME.fullmatch(name):
        raise SystemExit(f"run_name: {config_path} has no valid 'run:' key (got {name!r})")
    return name


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: run_name.py CONFIG")
    print(run_name(Path(sys.argv[1])))
