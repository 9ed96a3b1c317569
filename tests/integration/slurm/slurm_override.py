"""The small local override layered on profiles/slurm for the one-node test cluster.

The cluster profile is sized for paper scale (tens of GB, hours, named partitions and an
account); the test node has 2 CPUs, a few GB, the default partition and no accounts. The
override keeps every key and every rule of the profile (executor, groups, log folder,
status command, GPU requests) and scales only what the node cannot give, puts more
jobs in each group, and adds one group of its own for the AeLLE analyses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: Per-job limits on the test node: MB of memory, minutes of wall time, threads.
TEST_MEM_MB = 400
TEST_RUNTIME_MIN = 10
TEST_THREADS = 1
#: Jobs per group submission on the test node.
TEST_GROUP_SIZE = 16
#: Test-only group: one analysis' autoencoder fit (with its evaluation) and figures (a chain
#: of two jobs of seconds each) go to SLURM as one submission, one analysis per submission.
ANALYSIS_GROUP = "aelle_analysis"
ANALYSIS_RULES = ("fit_aelle", "analysis_figures")

#: Profile keys that only exist to fit a real cluster and are dropped for the test node.
CLUSTER_ONLY_RESOURCES = ("slurm_partition", "slurm_account")


def _scaled(resources: dict[str, Any]) -> dict[str, Any]:
    """One rule's resources fitted to the test node: no partition or account, memory and
    runtime capped, GPU requests kept."""
    scaled = {key: value for key, value in resources.items() if key not in CLUSTER_ONLY_RESOURCES}
    if "mem_mb" in scaled:
        scaled["mem_mb"] = min(int(scaled["mem_mb"]), TEST_MEM_MB)
    if "runtime" in scaled:
        scaled["runtime"] = min(int(scaled["runtime"]), TEST_RUNTIME_MIN)
    return scaled


def write_override(profile: Path, out_dir: Path, *, retries: int = 0) -> Path:
    """Write ``out_dir/config.yaml``, an override profile for ``profile`` (a profile folder
    holding config.yaml), to be passed after it: ``--profile profile --profile out_dir``.

    Later profiles replace earlier ones key by key, so every resource key is rewritten in
    full from the cluster profile. ``retries`` replaces the profile's retry count (0 keeps a
    failing test short). The override's groups are the profile's plus ANALYSIS_GROUP (rules
    a workflow lacks are ignored). Returns ``out_dir``.
    """
    config = yaml.safe_load((Path(profile) / "config.yaml").read_text())
    if config.get("executor") != "slurm":
        raise ValueError(
            f"{profile}/config.yaml: executor is {config.get('executor')!r}, expected 'slurm'"
        )
    override: dict[str, Any] = {
        "default-resources": _scaled(config["default-resources"]),
        "set-resources": {
            rule: _scaled(resources) for rule, resources in config["set-resources"].items()
        },
        "set-threads": dict.fromkeys(config.get("set-threads", {}), TEST_THREADS),
        "groups": {
            **config.get("groups", {}),
            **dict.fromkeys(ANALYSIS_RULES, ANALYSIS_GROUP),
        },
        # Bigger shard groups: the test configs have many second-long shards.
        "group-components": {
            **dict.fromkeys(config.get("group-components", {}), TEST_GROUP_SIZE),
            ANALYSIS_GROUP: 1,
        },
        # The node's two CPUs and two count-only GPUs take at most a few jobs at a time.
        "jobs": 4,
        "retries": retries,
        "latency-wait": 5,
        # No accounting database: no account to look up or validate.
        "slurm-no-account": True,
        # Jobs last seconds here; query their state soon after submission.
        "slurm-init-seconds-before-status-checks": 1,
    }
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "config.yaml").write_text(yaml.safe_dump(override, sort_keys=False))
    return out_dir
