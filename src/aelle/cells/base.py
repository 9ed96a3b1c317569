"""The stacked-cell interface shared by every recurrent architecture.

A :class:`Cell` holds ``M`` same-shaped networks as parameter tensors with a leading
dimension ``M`` and advances all of them at once. Every tensor that flows through a cell
has the layout ``(M, B, ...)``: network, batch, features. States are flat vectors of size
``state_size``; the part the paper calls "hidden" (and that feeds the readout) is
``state[..., hidden_slice]``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor


class Cell(ABC):
    """``M`` stacked networks of one architecture, with an analytic state Jacobian.

    Attributes:
        kind: architecture name (``rnn``, ``lstm``, ``gru``, ``asrnn``, ``cornn``, ``force``).
        params: parameter tensors, each with leading dimension ``M`` (kept by reference, so
            ``nn.Parameter`` values train through :meth:`step`).
        options: scalar options of the architecture (time steps, damping, ...).
        num_networks: ``M``.
        input_size: ``I``, features per input step.
        hidden_size: ``H``, units per layer.
        state_size: ``n``, the full state dimension.
        hidden_slice: the slice of the state that is the paper's hidden part.
    """

    kind: str

    def __init__(
        self,
        params: Mapping[str, Tensor],
        options: Mapping[str, Any],
        *,
        num_networks: int,
        input_size: int,
        hidden_size: int,
        state_size: int,
        hidden_slice: slice,
    ) -> None:
        self.params = dict(params)
        self.options = dict(options)
        self.num_networks = num_networks
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.state_size = state_size
        self.hidden_slice = hidden_slice

    @property
    def hidden_state_size(self) -> int:
        """Length of ``hidden_slice``: the dimension of the paper's hidden-only system."""
        return len(range(self.state_size)[self.hidden_slice])

    @property
    def dtype(self) -> torch.dtype:
        """Floating dtype of the parameters."""
        return next(iter(self.params.values())).dtype

    @property
    def device(self) -> torch.device:
        """Device of the parameters."""
        return next(iter(self.params.values())).device

    def to(self, *, dtype: torch.dtype | None = None, device: Any = None) -> Cell:
        """Return a cell of the same kind with parameters cast to ``dtype`` / ``device``."""
        params = {k: v.detach().to(dtype=dtype, device=device) for k, v in self.params.items()}
        return type(self)(params, **self.options)

    def initial_state(self, batch: int, *, dtype: torch.dtype, device: Any) -> Tensor:
        """Zero state of shape ``(M, batch, n)``."""
        return torch.zeros(self.num_networks, batch, self.state_size, dtype=dtype, device=device)

    def step(self, state: Tensor, x: Tensor) -> Tensor:
        """Advance one time step: ``state (M, B, n)``, ``x (M, B, I)`` -> ``(M, B, n)``.

        Differentiable with respect to the parameters and the inputs.
        """
        self._check(state, x)
        return self._advance(state, self._input_term(x), jacobian=None)[0]

    def step_driven(self, state: Tensor, drive: Tensor) -> Tensor:
        """Advance one step from a precomputed input term ``drive (M, B, D)``.

        ``drive`` is the term the input adds (e.g. rows of :meth:`one_hot_table`); the
        result equals :meth:`step` on the input it was computed from.
        """
        self._check_state(state)
        m, d = self.num_networks, self.input_affine()[0].shape[1]
        if drive.shape != (m, state.shape[1], d):
            raise ValueError(
                f"{self.kind} cell: input term must have shape (M={m}, batch={state.shape[1]}, "
                f"D={d}), got {tuple(drive.shape)}"
            )
        return self._advance(state, drive, jacobian=None)[0]

    def input_affine(self) -> tuple[Tensor, Tensor | None]:
        """``(weight (M, D, I), bias (M, D) or None)``: the input enters as ``weight x + bias``.

        ``D`` is the width of the first layer's input term (``G * H`` for gated cells).
        Cells whose input does not enter through such a term raise ``NotImplementedError``.
        """
        raise NotImplementedError(f"{self.kind} cell: its input is not an affine input term")

    def one_hot_table(self) -> Tensor:
        """Input terms of one-hot inputs as a lookup table ``(M * I, D)``.

        Row ``m * I + j`` is network ``m``'s term for the one-hot input ``e_j``: column ``j``
        of the input weight plus the bias, exactly what :meth:`step` computes from ``e_j``.
        Looking rows up replaces building one-hot tensors and multiplying by their zeros.
        """
        weight, bias = self.input_affine()
        columns = weight.transpose(1, 2)
        if bias is not None:
            columns = columns + bias.unsqueeze(1)
        return columns.reshape(self.num_networks * self.input_size, -1)

    def _input_term(self, x: Tensor) -> Tensor:
        """The term one step's input ``x (M, B, I)`` adds: ``(M, B, D)``."""
        weight, bias = self.input_affine()
        if bias is None:
            return torch.bmm(x, weight.transpose(1, 2))
        return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))

    def jacobian(self, state: Tensor, x: Tensor, *, hidden_only: bool = False) -> Tensor:
        """State Jacobian ``J[m, b, i, j] = d next_i / d state_j`` of shape ``(M, B, n, n)``.

        With ``hidden_only=True`` the result is the ``hidden_slice`` block (shape
        ``(M, B, h, h)``, ``h = hidden_state_size``): the derivative of the next hidden part
        with respect to the current hidden part, the rest of the state (LSTM's ``c``,
        coRNN's ``z``) held fixed. Computed analytically, not by autograd.
        """
        return self.step_and_jacobian(state, x, hidden_only=hidden_only)[1]

    def step_and_jacobian(
        self, state: Tensor, x: Tensor, *, hidden_only: bool = False
    ) -> tuple[Tensor, Tensor]:
        """Next state and the Jacobian at ``(state, x)`` in one pass (see :meth:`jacobian`)."""
        self._check(state, x)
        mode = "hidden" if hidden_only else "full"
        nxt, jac = self._advance(state, self._input_term(x), jacobian=mode)
        assert jac is not None
        return nxt, jac

    def output(self, state: Tensor) -> Tensor:
        """The ``(M, B, H)`` features the readout sees (the hidden part by default)."""
        return state[..., self.hidden_slice]

    @abstractmethod
    def _advance(
        self, state: Tensor, drive: Tensor, jacobian: str | None
    ) -> tuple[Tensor, Tensor | None]:
        """Next state from the input term ``drive`` (see :meth:`_input_term`) and, if
        ``jacobian`` is ``"full"`` or ``"hidden"``, the state Jacobian."""

    def _check_state(self, state: Tensor) -> None:
        m, n = self.num_networks, self.state_size
        if state.dim() != 3 or state.shape[0] != m or state.shape[2] != n:
            raise ValueError(
                f"{self.kind} cell: state must have shape (M={m}, batch, n={n}), "
                f"got {tuple(state.shape)}"
            )

    def _check(self, state: Tensor, x: Tensor) -> None:
        self._check_state(state)
        m, i = self.num_networks, self.input_size
        if x.dim() != 3 or x.shape[0] != m or x.shape[1] != state.shape[1] or x.shape[2] != i:
            raise ValueError(
                f"{self.kind} cell: input must have shape (M={m}, batch={state.shape[1]}, "
                f"I={i}), got {tuple(x.shape)}"
            )
        if state.dtype != self.dtype or x.dtype != self.dtype:
            raise TypeError(
                f"{self.kind} cell: state ({state.dtype}) and input ({x.dtype}) must have the "
                f"parameters' dtype {self.dtype}"
            )
        if state.device != self.device or x.device != self.device:
            raise ValueError(
                f"{self.kind} cell: state ({state.device}) and input ({x.device}) must be on "
                f"the parameters' device {self.device}"
            )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kind={self.kind!r}, M={self.num_networks}, "
            f"I={self.input_size}, H={self.hidden_size}, n={self.state_size})"
        )


def check_params(
    kind: str,
    params: Mapping[str, Tensor],
    shapes: Mapping[str, tuple[int, ...]],
    optional: frozenset[str] = frozenset(),
) -> None:
    """Raise a clear error if ``params`` lacks, adds or misshapes any named tensor."""
    missing = [k for k in shapes if k not in params and k not in optional]
    extra = [k for k in params if k not in shapes]
    if missing or extra:
        raise ValueError(
            f"{kind} cell: parameters missing {missing}, unexpected {extra}; "
            f"expected {sorted(shapes)}"
        )
    dtypes = {v.dtype for v in params.values()}
    devices = {v.device for v in params.values()}
    if len(dtypes) != 1 or not next(iter(dtypes)).is_floating_point:
        raise TypeError(f"{kind} cell: parameters must share one floating dtype, got {dtypes}")
    if len(devices) != 1:
        raise ValueError(f"{kind} cell: parameters must share one device, got {devices}")
    for name, value in params.items():
        if tuple(value.shape) != tuple(shapes[name]):
            raise ValueError(
                f"{kind} cell: parameter {name!r} must have shape {tuple(shapes[name])}, "
                f"got {tuple(value.shape)}"
            )


def diag_weighted(coef: Tensor, weight: Tensor) -> Tensor:
    """``sum_g diag(coef[:, :, g]) @ weight[:, g]``: ``(M,B,G,H) x (M,G,H,K) -> (M,B,H,K)``.

    Computed as ``G`` fused multiply-adds into one contiguous result (faster than ``einsum``
    here, which batches over ``H`` and returns a strided layout).
    """
    out = coef[:, :, 0].unsqueeze(-1) * weight[:, 0].unsqueeze(1)
    for g in range(1, coef.shape[2]):
        out.addcmul_(coef[:, :, g].unsqueeze(-1), weight[:, g].unsqueeze(1))
    return out


def add_diagonal(jac: Tensor, diag: Tensor) -> Tensor:
    """Add ``diag`` to the diagonal of ``jac (..., H, H)`` in place; return ``jac``."""
    jac.diagonal(dim1=-2, dim2=-1).add_(diag)
    return jac
