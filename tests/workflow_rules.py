"""The rules of this project's Snakemake workflow as data, read from Snakemake's own rule
objects so that tests follow any renaming or regrouping of rules and scripts.

`load_rules` parses the workflow (no jobs, no conda) in a child process, because parsing
the Snakefile changes the working directory and the environment variables of the process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from snakemake.api import SnakemakeApi
from snakemake.settings.enums import Quietness
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

TIMEOUT_S = 300


def resolve(basedir: str, path: str) -> str:
    """``path`` of a rule directive as an absolute path (relative ones are relative to the
    rule file's folder, as Snakemake reads them)."""
    return os.path.normpath(os.path.join(basedir, path))


def rule_record(rule: Any) -> dict[str, Any]:
    """Name, conda env file, script and param names of one parsed rule (absolute paths;
    None where the rule has no such directive)."""
    basedir = rule.basedir.get_path_or_uri(secret_free=True)
    if callable(rule.conda_env):
        raise ValueError(f"rule {rule.name}: conda: is a function; give a path at parse time")
    return {
        "conda": resolve(basedir, str(rule.conda_env)) if rule.conda_env else None,
        "script": resolve(basedir, rule.script) if rule.script else None,
        "params": sorted(rule.params._names),
    }


def parse_workflow(root: Path, configfile: Path, device: str) -> dict[str, dict[str, Any]]:
    """Every rule of the workflow in ``root`` for ``configfile`` with config ``device``."""
    with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
        workflow = api.workflow(
            resource_settings=ResourceSettings(),
            config_settings=ConfigSettings(configfiles=[configfile], config={"device": device}),
            snakefile=root / "Snakefile",
            workdir=root,
        )
        return {rule.name: rule_record(rule) for rule in workflow._workflow.rules}


def load_rules(root: Path, configfile: Path, devices: list[str]) -> dict[str, dict]:
    """{device: {rule name: record}} for each config ``device``, parsed in a child process."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    proc = subprocess.run(
        [sys.executable, __file__, str(root), str(configfile), *devices],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"parsing the workflow in {root} failed:\n{proc.stderr[-6000:]}")
    return json.loads(proc.stdout)


if __name__ == "__main__":
    root, configfile = Path(sys.argv[1]), Path(sys.argv[2])
    json.dump({d: parse_workflow(root, configfile, d) for d in sys.argv[3:]}, sys.stdout)
