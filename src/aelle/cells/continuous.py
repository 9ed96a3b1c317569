"""Cells discretised from ODEs: antisymmetric RNN (``asrnn``) and coupled oscillators (``cornn``).

- asrnn (Chang et al. 2019): ``h' = h + eps * tanh((W - W^T - gamma I) h + V x + b)``;
  state ``h``; options ``eps=0.01``, ``gamma=0.01``.
- cornn (Rusch & Mishra 2021): ``z' = z + dt (tanh(W y + W_z z + V x + b) - gamma y - eps z)``,
  then ``y' = y + dt z'`` (the *new* ``z``); state ``[y, z]`` (``2H``), hidden part and
  output ``y``; options ``dt=0.042``, ``gamma=2.7``, ``eps=4.7``.

Parameters carry a leading network dimension ``M``: ``W (M,H,H)``, ``W_z (M,H,H)``,
``V (M,H,I)``, optional ``b (M,H)``.
"""

from __future__ import annotations

import torch
from torch import Tensor

from aelle.cells.base import Cell, add_diagonal, check_params


def _shapes(
    kind: str, params: dict[str, Tensor], names: tuple[str, ...]
) -> dict[str, tuple[int, ...]]:
    """Expected parameter shapes, read off ``W (M,H,H)`` and ``V (M,H,I)``."""
    if "W" not in params or "V" not in params:
        raise ValueError(f"{kind} cell: parameters need 'W' and 'V', got {sorted(params)}")
    m, h, _ = params["W"].shape
    i = params["V"].shape[-1]
    shapes = {name: (m, h, h) for name in names}
    shapes.update({"V": (m, h, i), "b": (m, h)})
    return shapes


class _ContinuousCell(Cell):
    """Shared input handling: the input enters as ``V x + b`` (``V (M, H, I)``, ``b (M, H)``)."""

    def input_affine(self) -> tuple[Tensor, Tensor | None]:
        """``(V (M, H, I), b (M, H) or None)``."""
        return self.params["V"], self.params.get("b")


class ASRNNCell(_ContinuousCell):
    """Antisymmetric RNN: ``h' = h + eps tanh((W - W^T - gamma I) h + V x + b)``."""

    kind = "asrnn"

    def __init__(self, params: dict[str, Tensor], *, eps: float = 0.01, gamma: float = 0.01):
        shapes = _shapes(self.kind, params, ("W",))
        check_params(self.kind, params, shapes, frozenset({"b"}))
        m, h, _ = shapes["W"]
        super().__init__(
            params,
            {"eps": float(eps), "gamma": float(gamma)},
            num_networks=m,
            input_size=shapes["V"][2],
            hidden_size=h,
            state_size=h,
            hidden_slice=slice(0, h),
        )

    def _recurrent(self) -> Tensor:
        w = self.params["W"]
        eye = torch.eye(w.shape[-1], dtype=w.dtype, device=w.device)
        return w - w.transpose(1, 2) - self.options["gamma"] * eye

    def _advance(
        self, state: Tensor, drive: Tensor, jacobian: str | None
    ) -> tuple[Tensor, Tensor | None]:
        a_mat = self._recurrent()
        act = torch.tanh(torch.baddbmm(drive, state, a_mat.transpose(1, 2)))
        eps = self.options["eps"]
        nxt = state + eps * act
        if jacobian is None:
            return nxt, None
        jac = (eps * (1 - act * act)).unsqueeze(-1) * a_mat.unsqueeze(1)
        return nxt, add_diagonal(jac, torch.ones_like(state))


class CoRNNCell(_ContinuousCell):
    """Coupled oscillatory RNN, explicit scheme with ``y' = y + dt z'`` (state ``[y, z]``)."""

    kind = "cornn"

    def __init__(
        self,
        params: dict[str, Tensor],
        *,
        dt: float = 0.042,
        gamma: float = 2.7,
        eps: float = 4.7,
    ):
        shapes = _shapes(self.kind, params, ("W", "W_z"))
        check_params(self.kind, params, shapes, frozenset({"b"}))
        m, h, _ = shapes["W"]
        super().__init__(
            params,
            {"dt": float(dt), "gamma": float(gamma), "eps": float(eps)},
            num_networks=m,
            input_size=shapes["V"][2],
            hidden_size=h,
            state_size=2 * h,
            hidden_slice=slice(0, h),
        )

    def _advance(
        self, state: Tensor, drive: Tensor, jacobian: str | None
    ) -> tuple[Tensor, Tensor | None]:
        h = self.hidden_size
        dt, gamma, eps = self.options["dt"], self.options["gamma"], self.options["eps"]
        y, z = state[..., :h], state[..., h:]
        pre = torch.baddbmm(drive, y, self.params["W"].transpose(1, 2))
        act = torch.tanh(torch.baddbmm(pre, z, self.params["W_z"].transpose(1, 2)))
        z_new = z + dt * (act - gamma * y - eps * z)
        y_new = y + dt * z_new
        nxt = torch.cat([y_new, z_new], dim=-1)
        if jacobian is None:
            return nxt, None
        slope = (dt * (1 - act * act)).unsqueeze(-1)
        dz_dy = add_diagonal(slope * self.params["W"].unsqueeze(1), torch.full_like(y, -dt * gamma))
        if jacobian == "hidden":
            return nxt, add_diagonal(dt * dz_dy, torch.ones_like(y))
        dz_dz = add_diagonal(
            slope * self.params["W_z"].unsqueeze(1), torch.full_like(z, 1 - dt * eps)
        )
        top = torch.cat([add_diagonal(dt * dz_dy, torch.ones_like(y)), dt * dz_dz], dim=-1)
        return nxt, torch.cat([top, torch.cat([dz_dy, dz_dz], dim=-1)], dim=-2)
