"""Lyapunov spectrum engine: the discrete QR method for maps and driven recurrent networks.

- :class:`SpectrumOptions`: how a spectrum is measured (state convention, QR interval,
  number of exponents, log base (default 2: bits per step), precision, non-finite policy);
  one frozen object, validated once, passed whole.
- :func:`map_spectrum`: any discrete map with a Jacobian.
- :func:`rnn_spectrum`: torch RNN/LSTM/GRU modules and the project's stacked cells (many
  networks in one call).

Both return the final spectrum, or with ``running=True`` the finite-time estimate after
every QR. Conventions (Jacobian orientation, QR sign, units, non-finite handling) are
documented in :mod:`aelle.lyapunov.engine`; state conventions and warm-up in
:mod:`aelle.lyapunov.rnn`.
"""

from aelle.lyapunov.engine import (
    NonFiniteSpectrumError,
    RunningSpectrum,
    map_spectrum,
    positive_qr,
)
from aelle.lyapunov.options import SpectrumOptionError, SpectrumOptions
from aelle.lyapunov.rnn import rnn_spectrum

__all__ = [
    "NonFiniteSpectrumError",
    "RunningSpectrum",
    "SpectrumOptionError",
    "SpectrumOptions",
    "map_spectrum",
    "positive_qr",
    "rnn_spectrum",
]
