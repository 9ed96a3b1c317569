"""Signal-task config: the target option, and no novel input set for FORCE networks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aelle.config import ConfigError, validate_config

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"
SHIPPED = [
    "config/config.yaml",
    "config/paper.yaml",
    "tests/config/tiny.yaml",
    "tests/config/micro.yaml",
]


def default() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))


def problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate_config(config, SCHEMA)
    return caught.value.problems


def test_novel_input_set_is_rejected_for_signal_with_the_reason():
    config = default()
    config["tasks"]["signal"]["spectrum"]["input_sets"] = ["val", "novel"]
    found = problems(config)
    assert len(found) == 1 and "\n" not in found[0]
    assert found[0].startswith("tasks.signal.spectrum.input_sets: 'novel' is not measured")
    assert "ignores its input" in found[0] and "warm-up" in found[0]


def test_novel_input_set_stays_for_the_driven_tasks():
    config = default()
    filled = validate_config(config, SCHEMA)
    assert filled["tasks"]["smnist"]["spectrum"]["input_sets"] == ["val", "novel"]
    assert filled["tasks"]["charrnn"]["spectrum"]["input_sets"] == ["val", "novel"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_configs_measure_signal_on_val_only(name):
    config = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    filled = validate_config(config, SCHEMA)
    assert filled["tasks"]["signal"]["spectrum"]["input_sets"] == ["val"]


def test_target_defaults_to_per_network_and_names_bad_values():
    config = default()
    del config["tasks"]["signal"]["spectrum"]["input_sets"]
    filled = validate_config(config, SCHEMA)
    assert filled["tasks"]["signal"]["data"]["target"] == "per_network"
    assert filled["tasks"]["signal"]["spectrum"]["input_sets"] == ["val"]
    config["tasks"]["signal"]["data"]["target"] = "shared"
    assert validate_config(config, SCHEMA)["tasks"]["signal"]["data"]["target"] == "shared"
    config["tasks"]["signal"]["data"]["target"] = "each"
    assert problems(config) == [
        "tasks.signal.data.target: 'each' is not one of ['per_network', 'shared']"
    ]
