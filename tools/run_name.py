"""Print the run name (config key ``run``) of a workflow config, for the Makefile and tools.

Usage: python tools/run_name.py CONFIG
Exits 1 with one line naming the file when it has no valid ``run`` key.
"""

import re
import sys
from pathlib import Path

import yaml

SCHEMA = Path(__file__).resolve().parents[1] / "workflow/schemas/config.schema.yaml"


def run_name(config_path: Path) -> str:
    """The ``run`` value of the YAML config at ``config_path``, checked against the schema's
    pattern for ``run``."""
    pattern = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))["properties"]["run"]["pattern"]
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    name = config.get("run") if isinstance(config, dict) else None
    if not isinstance(name, str) or not re.fullmatch(pattern, name):
        raise SystemExit(f"run_name: {config_path} has no valid 'run:' key (got {name!r})")
    return name


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: run_name.py CONFIG")
    print(run_name(Path(sys.argv[1])))
