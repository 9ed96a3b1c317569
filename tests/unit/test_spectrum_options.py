"""SpectrumOptions: validated once, naming the field; the only home of the defaults."""

from __future__ import annotations

import inspect
import math
from pathlib import Path

import pytest
import torch

from aelle.config import load_schema
from aelle.lyapunov import SpectrumOptionError, SpectrumOptions, map_spectrum, rnn_spectrum
from aelle.lyapunov.population import population_spectra

SCHEMA = Path(__file__).resolve().parents[2] / "workflow/schemas/config.schema.yaml"
FIELDS = ("state", "qr_every", "num_exponents", "log_base", "dtype", "nonfinite")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("state", "cell"),
        ("qr_every", 0),
        ("qr_every", 2.0),
        ("qr_every", True),
        ("num_exponents", 0),
        ("num_exponents", "all"),
        ("log_base", 1.0),
        ("log_base", 0.0),
        ("log_base", -2.0),
        ("log_base", math.inf),
        ("log_base", "e"),
        ("dtype", torch.float16),
        ("dtype", "double"),
        ("nonfinite", "ignore"),
    ],
)
def test_bad_values_are_rejected_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(SpectrumOptionError, match=rf"^SpectrumOptions\.{field}: ") as info:
        SpectrumOptions(**{field: value})
    assert info.value.field == field
    assert repr(value) in str(info.value)


def test_values_are_normalised_and_frozen() -> None:
    options = SpectrumOptions(log_base=10, dtype="float32", qr_every=3)
    assert options.log_base == 10.0 and isinstance(options.log_base, float)
    assert options.dtype is torch.float32
    with pytest.raises(AttributeError):
        options.qr_every = 1  # type: ignore[misc]


def test_defaults_are_bits_full_state_every_step_float64() -> None:
    assert SpectrumOptions() == SpectrumOptions(
        state="full",
        qr_every=1,
        num_exponents=None,
        log_base=2.0,
        dtype=torch.float64,
        nonfinite="raise",
    )


@pytest.mark.parametrize("function", [map_spectrum, rnn_spectrum, population_spectra])
def test_defaults_live_only_in_the_options_object(function) -> None:
    """No spectrum function repeats an option as its own keyword (and so its default)."""
    parameters = inspect.signature(function).parameters
    assert not set(FIELDS) & set(parameters)
    assert parameters["options"].default == SpectrumOptions()
    assert len(parameters) <= 9


def test_config_schema_defaults_agree_with_the_options() -> None:
    schema = load_schema(SCHEMA)
    spectrum = schema["properties"]["tasks"]["properties"]["smnist"]["properties"]["spectrum"]
    defaults = SpectrumOptions()
    assert schema["properties"]["log_base"]["default"] == defaults.log_base
    assert spectrum["properties"]["state"]["default"] == defaults.state
    assert spectrum["properties"]["qr_every"]["default"] == defaults.qr_every


def test_from_config_reads_the_task_and_the_top_level_log_base() -> None:
    config = {
        "log_base": math.e,
        "tasks": {
            "smnist": {"spectrum": {"state": "hidden", "qr_every": 4, "steps": 100}},
            "signal": {"architectures": {}},
        },
    }
    assert SpectrumOptions.from_config(config, "smnist") == SpectrumOptions(
        state="hidden", qr_every=4, log_base=math.e
    )
    assert SpectrumOptions.from_config(config, "signal") == SpectrumOptions(log_base=math.e)


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"tasks": {"smnist": {"spectrum": {"qr_every": 0}}}}, "tasks.smnist.spectrum.qr_every"),
        ({"tasks": {"smnist": {"spectrum": {"state": "c"}}}}, "tasks.smnist.spectrum.state"),
        ({"log_base": 1, "tasks": {"smnist": {}}}, "log_base"),
        ({"tasks": {"charrnn": {}}}, "tasks.smnist"),
    ],
)
def test_from_config_errors_name_the_config_key(config: dict, key: str) -> None:
    with pytest.raises(ValueError, match=rf"^config key {key}[: ]"):
        SpectrumOptions.from_config(config, "smnist")
