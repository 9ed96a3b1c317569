"""FORCE rate network (Sussillo & Abbott 2009), also used for R-FORCE.

``x' = (1 - dt) x + dt (J tanh(x) + w_f z)`` with ``z = w_o . tanh(x)`` in closed loop
(``feedback="readout"``: the network generates its own signal, the input is ignored) or
``z = u`` in open loop (``feedback="input"``: the teacher signal ``u`` of shape
``(M, B, 1)`` is fed back). State ``x (N)``; the readout sees the rates ``tanh(x)``.
Parameters: ``J (M,N,N)``, ``w_f (M,N)``, ``w_o (M,N)``; option ``dt=0.1``.
"""

from __future__ import annotations

import torch
from torch import Tensor

from aelle.cells.base import Cell, add_diagonal, check_params

FEEDBACK_MODES = ("readout", "input")


class ForceCell(Cell):
    """Rate network with readout feedback; the Jacobian includes the feedback loop."""

    kind = "force"

    def __init__(self, params: dict[str, Tensor], *, dt: float = 0.1, feedback: str = "readout"):
        if feedback not in FEEDBACK_MODES:
            raise ValueError(
                f"force cell: feedback must be one of {FEEDBACK_MODES}, got {feedback!r}"
            )
        if "J" not in params:
            raise ValueError(f"force cell: parameters need 'J', got {sorted(params)}")
        m, n, _ = params["J"].shape
        check_params(self.kind, params, {"J": (m, n, n), "w_f": (m, n), "w_o": (m, n)})
        super().__init__(
            params,
            {"dt": float(dt), "feedback": feedback},
            num_networks=m,
            input_size=1,
            hidden_size=n,
            state_size=n,
            hidden_slice=slice(0, n),
        )

    def output(self, state: Tensor) -> Tensor:
        """Firing rates ``tanh(x)``: ``(M, B, N)`` (the readout is ``w_o . tanh(x)``)."""
        return torch.tanh(state)

    def _input_term(self, x: Tensor) -> Tensor:
        """The input itself: in open loop it is the fed-back signal ``z (M, B, 1)``."""
        return x

    def _advance(
        self, state: Tensor, x: Tensor, jacobian: str | None
    ) -> tuple[Tensor, Tensor | None]:
        dt = self.options["dt"]
        closed = self.options["feedback"] == "readout"
        rate = torch.tanh(state)
        w_f, w_o = self.params["w_f"].unsqueeze(1), self.params["w_o"].unsqueeze(1)
        z = (rate * w_o).sum(-1, keepdim=True) if closed else x
        recurrent = torch.bmm(rate, self.params["J"].transpose(1, 2))
        nxt = (1 - dt) * state + dt * (recurrent + w_f * z)
        if jacobian is None:
            return nxt, None
        slope = 1 - rate * rate
        jac = dt * self.params["J"].unsqueeze(1) * slope.unsqueeze(-2)
        if closed:
            jac = jac + dt * w_f.unsqueeze(-1) * (w_o * slope).unsqueeze(-2)
        return nxt, add_diagonal(jac, torch.full_like(state, 1 - dt))
