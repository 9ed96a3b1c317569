"""Lyapunov spectrum engine: the discrete QR method for maps and driven recurrent networks.

- :func:`map_spectrum`, :func:`map_spectrum_running`: any discrete map with a Jacobian.
- :func:`rnn_spectrum`, :func:`rnn_spectrum_running`: torch RNN/LSTM/GRU modules and the
  project's stacked cells (many networks in one call).

Conventions (Jacobian orientation, QR sign, units, non-finite handling) are documented in
:mod:`aelle.lyapunov.engine`; state conventions and warm-up in :mod:`aelle.lyapunov.rnn`.
"""

from aelle.lyapunov.engine import (
    NonFiniteSpectrumError,
    RunningSpectrum,
    map_spectrum,
    map_spectrum_running,
    positive_qr,
)
from aelle.lyapunov.rnn import rnn_spectrum, rnn_spectrum_running

__all__ = [
    "NonFiniteSpectrumError",
    "RunningSpectrum",
    "map_spectrum",
    "map_spectrum_running",
    "positive_qr",
    "rnn_spectrum",
    "rnn_spectrum_running",
]
