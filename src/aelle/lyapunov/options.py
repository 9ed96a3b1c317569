"""The options of a Lyapunov spectrum computation: one frozen object, validated once.

Every spectrum function (:func:`~aelle.lyapunov.engine.map_spectrum`,
:func:`~aelle.lyapunov.rnn.rnn_spectrum`,
:func:`~aelle.lyapunov.population.population_spectra`) takes a :class:`SpectrumOptions`
whole; its field defaults are the only defaults. Exponents are in bits per step by default
(``log_base=2``, the paper's unit); ``log_base=math.e`` gives nats per step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import torch

STATE_CONVENTIONS = ("full", "hidden")
NONFINITE_POLICIES = ("raise", "nan")
DTYPES = {"float32": torch.float32, "float64": torch.float64}


class SpectrumOptionError(ValueError):
    """A spectrum option has a bad value; ``field`` names the :class:`SpectrumOptions` field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"SpectrumOptions.{field}: {problem}")


@dataclass(frozen=True)
class SpectrumOptions:
    """How a spectrum is measured; validated on construction (:class:`SpectrumOptionError`).

    Attributes:
        state: ``"full"`` (every state variable: LSTM ``[h, c]``, coRNN ``[y, z]``) or
            ``"hidden"`` (the paper's convention: the hidden part only, the rest held fixed
            in the derivative); maps have only ``"full"``.
        qr_every: re-orthonormalise at least every this many steps (and after the last).
        num_exponents: ``k``, the leading exponents to compute (``None``: all ``n``).
        log_base: base of the logarithm, the unit of the exponents: ``2`` bits per step,
            ``math.e`` nats per step, ``10`` decimal digits per step.
        dtype: ``torch.float32`` or ``torch.float64`` (or their names), the precision of
            the computation.
        nonfinite: ``"raise"`` raises
            :class:`~aelle.lyapunov.engine.NonFiniteSpectrumError` for trajectories with a
            non-finite exponent; ``"nan"`` returns ``NaN`` rows for those trajectories only.
    """

    state: str = "full"
    qr_every: int = 1
    num_exponents: int | None = None
    log_base: float = 2.0
    dtype: torch.dtype = torch.float64
    nonfinite: str = "raise"

    def __post_init__(self) -> None:
        if self.state not in STATE_CONVENTIONS:
            raise SpectrumOptionError(
                "state", f"must be one of {STATE_CONVENTIONS}, got {self.state!r}"
            )
        if not _is_int(self.qr_every) or self.qr_every < 1:
            raise SpectrumOptionError(
                "qr_every", f"must be a positive integer, got {self.qr_every!r}"
            )
        k = self.num_exponents
        if k is not None and (not _is_int(k) or k < 1):
            raise SpectrumOptionError(
                "num_exponents", f"must be a positive integer or None (all), got {k!r}"
            )
        base = self.log_base
        if isinstance(base, bool) or not isinstance(base, Real) or not _valid_base(float(base)):
            raise SpectrumOptionError(
                "log_base", f"must be a finite number > 0 and != 1 (2: bits, e: nats), got {base!r}"
            )
        object.__setattr__(self, "log_base", float(base))
        dtype = DTYPES.get(self.dtype, self.dtype) if isinstance(self.dtype, str) else self.dtype
        if dtype not in DTYPES.values():
            raise SpectrumOptionError(
                "dtype", f"must be torch.float32 or torch.float64, got {self.dtype!r}"
            )
        object.__setattr__(self, "dtype", dtype)
        if self.nonfinite not in NONFINITE_POLICIES:
            raise SpectrumOptionError(
                "nonfinite", f"must be one of {NONFINITE_POLICIES}, got {self.nonfinite!r}"
            )

    @classmethod
    def from_config(cls, config: Mapping[str, Any], task: str) -> SpectrumOptions:
        """Options of ``task`` in the workflow config.

        Reads ``tasks.<task>.spectrum.state``, ``tasks.<task>.spectrum.qr_every`` and the
        top-level ``log_base``; a key left out takes the field's default. A bad value raises
        :class:`ValueError` naming the config key.
        """
        tasks = config.get("tasks") or {}
        if task not in tasks:
            raise ValueError(f"config key tasks.{task} is missing")
        spectrum = tasks[task].get("spectrum") or {}
        keys = {
            "state": f"tasks.{task}.spectrum.state",
            "qr_every": f"tasks.{task}.spectrum.qr_every",
            "log_base": "log_base",
        }
        values = {"state": spectrum.get("state"), "qr_every": spectrum.get("qr_every")}
        values["log_base"] = config.get("log_base")
        try:
            return cls(**{name: v for name, v in values.items() if v is not None})
        except SpectrumOptionError as err:
            raise ValueError(f"config key {keys[err.field]}: {err.problem}") from err


def _is_int(value: object) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _valid_base(base: float) -> bool:
    return math.isfinite(base) and base > 0 and base != 1


DEFAULT_OPTIONS = SpectrumOptions()
"""The defaults: full state, QR every step, all exponents, bits per step, float64, raise."""
