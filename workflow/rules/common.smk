"""Helpers for every phase's rules (config validation, the population layout and
the file lists of each phase). All target paths derive from the validated config."""

import math
import os
from dataclasses import asdict
from pathlib import Path

from aelle.config import validate_config
from aelle.data.sources import input_files, with_local_files
from aelle.downloads import remote_files, unpinned
from snakemake.exceptions import WorkflowError
from aelle.noise import silence_known_noise

# Hide the third-party warnings a user cannot act on (aelle.noise) in this process too.
silence_known_noise()

config.update(
    validate_config(
        config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
    )
)


def check_slurm_placeholders():
    """Stop at parse time, before any sbatch, if a profile still holds a placeholder
    SLURM resource (`your_partition`, `your_gpu_partition`, `your_account` in
    profiles/slurm/config.yaml); the error names the profile key."""
    settings = workflow.resource_settings
    sections = [("default-resources", settings.default_resources or {})] + [
        (f"set-resources: {rule}", resources)
        for rule, resources in settings.overwrite_resources.items()
    ]
    for section, resources in sections:
        for name, resource in resources.items():
            if name.startswith("slurm_") and str(resource.raw).startswith("your_"):
                raise WorkflowError(
                    f"SLURM profile key '{section}: {name}' is still the placeholder "
                    f"'{resource.raw}': set it in profiles/slurm/config.yaml "
                    "(partitions: sinfo -s; accounts: sacctmgr show associations "
                    "user=$USER)"
                )


check_slurm_placeholders()

TASKS = list(config["tasks"])

# Everything a run writes sits under its own folders, named by config key `run`, so that
# runs of different configs never touch each other's files.
RESULTS = f"results/{config['run']}"
LOGS = f"logs/{config['run']}"
DATA = f"data/{config['run']}"


def results_path(path):
    """``path`` (a Snakemake pattern) inside this run's results folder."""
    return f"{RESULTS}/{path}"


def log_path(path):
    """``path`` (a Snakemake pattern) inside this run's log folder."""
    return f"{LOGS}/{path}"


def data_path(path):
    """``path`` (a Snakemake pattern) inside this run's data folder."""
    return f"{DATA}/{path}"


def check_pinned_downloads():
    """Stop at parse time, before any job, if a downloaded file's sha256 is null; the error
    names each such key and how to pin it."""
    problems = unpinned(config)
    if problems:
        raise WorkflowError("\n".join(problems))


check_pinned_downloads()

# Remote input files by (task, file name): the download rule saves each as
# data/<run>/raw/<task>/<name>.
DOWNLOADS = remote_files(config)


def task_input_files(task):
    """The local input file of every `files` entry of a task's data config, by key: its
    download under data/<run>/raw/<task>/, or its `path` (relative ones from data/)."""
    return {
        key: str(path)
        for key, path in input_files(
            config["tasks"][task]["data"],
            raw_dir=Path(DATA, "raw", task),
            root=Path("data"),
        ).items()
    }


# Jobs import the library from this checkout, also inside conda environments that only
# hold its dependencies (envs/aelle.yaml).
os.environ.update(
    PYTHONPATH=os.pathsep.join(
        filter(
            None, [str(Path(workflow.basedir) / "src"), os.environ.get("PYTHONPATH")]
        )
    )
)


# Conda env of the training and spectrum rules (train_shard, spectrum_shard, convergence)
# under `--sdm conda`, from config `device`: the CUDA build of pytorch for cuda and auto
# (auto still falls back to the CPU at run time, and logs it), the smaller CPU build for
# cpu. Every other rule runs in envs/aelle.yaml.
TORCH_ENVS = {
    "cpu": "envs/aelle.yaml",
    "cuda": "envs/aelle-cuda.yaml",
    "auto": "envs/aelle-cuda.yaml",
}


def torch_env():
    """Absolute path of the conda env file for config `device`."""
    return str(Path(workflow.basedir) / TORCH_ENVS[config["device"]])


wildcard_constraints:
    task="|".join(TASKS),
    arch="[a-z]+",
    size=r"\d+",
    shard=r"\d+",
    name=r"[^/]+",


def task_cfg(wildcards):
    """The config block of the job's task."""
    return config["tasks"][wildcards.task]


def populations(task):
    """(arch, size) pairs of a task, in config order."""
    archs = config["tasks"][task]["architectures"]
    return [(arch, size) for arch, spec in archs.items() for size in spec["sizes"]]


def shard_indices(task, arch, shard):
    """Network indices 0..N-1 of one shard; shards hold `shard_size` networks each."""
    n = config["tasks"][task]["architectures"][arch]["networks"]
    k = config["tasks"][task]["shard_size"]
    return list(range(int(shard) * k, min(n, (int(shard) + 1) * k)))


def shards(task, arch):
    """Shard numbers of one population."""
    spec = config["tasks"][task]
    return range(
        math.ceil(spec["architectures"][arch]["networks"] / spec["shard_size"])
    )


def population_dir(task, arch, size, shard):
    return results_path(f"train/{task}/{arch}_h{size}/shard{shard}")


def spectrum_jobs(task):
    """(epoch, input_set) pairs measured for every network of a task: the validation
    inputs at every spectrum epoch, the novel inputs at the final epoch only."""
    spec = config["tasks"][task]["spectrum"]
    final = config["tasks"][task]["training"]["epochs"]
    pairs = [(e, "val") for e in spec["epochs"]] if "val" in spec["input_sets"] else []
    if "novel" in spec["input_sets"]:
        pairs.append((final, "novel"))
    return pairs


def train_outputs(task):
    return [
        f"{population_dir(task, arch, size, shard)}/records.parquet"
        for arch, size in populations(task)
        for shard in shards(task, arch)
    ]


def spectrum_outputs(task):
    """One Parquet per shard, holding every (epoch, input set) of :func:`spectrum_jobs`."""
    return [
        results_path(f"spectra/{task}/{arch}_h{size}/shard{shard}.parquet")
        for arch, size in populations(task)
        for shard in shards(task, arch)
    ]


def phase_outputs(phase):
    """Every target of one phase, for the phase's target rule and for `dvc.yaml`."""
    per_task = {
        "data": lambda t: [data_path(f"prepared/{t}.pt")],
        "train": train_outputs,
        "spectra": lambda t: spectrum_outputs(t)
        + [results_path(f"spectra/{t}/convergence.npy")],
        "aelle": aelle_outputs,
        "figures": figure_outputs,
    }[phase]
    paths = [path for task in TASKS for path in per_task(task)]
    if phase == "figures":
        paths += [
            results_path(name)
            for name in (
                "figures/INDEX.md",
                "metrics.json",
                "summary.md",
                "report/summary.html",
                "report/run-times.html",
            )
        ]
    return paths


REPRODUCE_NOTE = results_path("reproduced.json")


def reproduce_note():
    """The note `make reproduce` leaves after pulling the artifacts, when there is one
    (the run-times report item then says they were pulled)."""
    return [REPRODUCE_NOTE] if Path(REPRODUCE_NOTE).exists() else []


PER_ARCH_ANALYSES = ("main", "early", "early_separate")


def analyses(task):
    """(analysis, arch) pairs of a task: per architecture `main`, `early` (one shared
    autoencoder over the pooled early and final epochs) and `early_separate` (one
    autoencoder per early epoch), plus one `architectures` autoencoder over all of them
    (arch `all`) where a task has several.
    """
    archs = list(config["tasks"][task]["architectures"])
    pairs = [(analysis, arch) for arch in archs for analysis in PER_ARCH_ANALYSES]
    if len(archs) > 1:
        pairs.append(("architectures", "all"))
    return pairs


def analysis_dir(task, analysis, arch):
    return results_path(f"aelle/{task}/{analysis}/{arch}")


def example_tasks():
    """Tasks with a task-examples figure (next-character and generated-signal panels)."""
    return [task for task in TASKS if task in ("charrnn", "signal")]


def figure_dirs(task):
    """Figure folders of a task (each holds PNG and PDF files of one or more families)."""
    dirs = ["population", "convergence"]
    dirs += [f"{analysis}-{arch}" for analysis, arch in analyses(task)]
    if task in example_tasks():
        dirs.append("examples")
    return [results_path(f"figures/{task}/{name}") for name in dirs]


def figure_outputs(task):
    return figure_dirs(task)


def aelle_outputs(task):
    return [f"{analysis_dir(task, *pair)}/metrics.json" for pair in analyses(task)]


def final_checkpoints(task):
    """Final-epoch checkpoint of every shard of a task, keyed by its records file."""
    final = config["tasks"][task]["training"]["epochs"]
    return {
        f"{population_dir(task, arch, size, shard)}/records.parquet": (
            f"{population_dir(task, arch, size, shard)}/checkpoints/epoch{final}.pt"
        )
        for arch, size in populations(task)
        for shard in shards(task, arch)
    }


wildcard_constraints:
    analysis="main|early|early_separate|architectures",
