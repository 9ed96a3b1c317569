"""Torch-compatible ``rnn`` (tanh), ``lstm`` and ``gru`` cells, stacked and multi-layer.

Equations and gate order are exactly torch's (``nn.RNN``, ``nn.LSTM``, ``nn.GRU``):

- rnn:  ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)``
- lstm: gates ``i, f, g, o`` (rows of ``W`` in that order); ``c' = f c + i g``,
  ``h' = o tanh(c')``
- gru:  gates ``r, z, n``; ``n = tanh(W_in x + b_in + r (W_hn h + b_hn))``,
  ``h' = (1 - z) n + z h``

Parameters of layer 0 are ``weight_ih (M, G*H, I)``, ``weight_hh (M, G*H, H)`` and the
optional ``bias_ih``, ``bias_hh (M, G*H)``; layer ``k >= 1`` uses the same names with the
suffix ``_l{k}`` and takes the new ``h`` of layer ``k - 1`` as its input. State layout:
``[h_0, ..., h_{L-1}]`` and, for LSTM, then ``[c_0, ..., c_{L-1}]``; the hidden part is all
the ``h`` blocks, the output is the top layer's ``h``.
"""

from __future__ import annotations

from abc import abstractmethod

import torch
from torch import Tensor

from aelle.cells.base import Cell, add_diagonal, check_params, diag_weighted


def layer_suffix(layer: int) -> str:
    """Parameter-name suffix of ``layer`` (``""`` for layer 0, ``"_l{k}"`` otherwise)."""
    return "" if layer == 0 else f"_l{layer}"


def _affine(inp: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """``inp @ weight^T + bias`` for ``inp (M,B,K)``, ``weight (M,R,K)``, ``bias (M,R)``."""
    if bias is None:
        return torch.bmm(inp, weight.transpose(1, 2))
    return torch.baddbmm(bias.unsqueeze(1), inp, weight.transpose(1, 2))


class GatedCell(Cell):
    """Shared machinery of the torch-compatible cells; subclasses define one layer's map."""

    gates: int

    def __init__(self, params: dict[str, Tensor], **options: object) -> None:
        if set(options) - {"num_layers"}:
            raise ValueError(f"{self.kind} cell: unknown options {sorted(set(options))}")
        if "weight_ih" not in params or "weight_hh" not in params:
            raise ValueError(f"{self.kind} cell: parameters need 'weight_ih' and 'weight_hh'")
        num_layers = int(options.get("num_layers", 1))  # type: ignore[call-overload]
        m, gh, in_size = params["weight_ih"].shape
        if gh % self.gates:
            raise ValueError(
                f"{self.kind} cell: weight_ih rows ({gh}) must be {self.gates} x hidden size"
            )
        h = gh // self.gates
        shapes: dict[str, tuple[int, ...]] = {}
        for layer in range(num_layers):
            s = layer_suffix(layer)
            shapes[f"weight_ih{s}"] = (m, gh, in_size if layer == 0 else h)
            shapes[f"weight_hh{s}"] = (m, gh, h)
            shapes[f"bias_ih{s}"] = (m, gh)
            shapes[f"bias_hh{s}"] = (m, gh)
        optional = frozenset(k for k in shapes if k.startswith("bias"))
        check_params(self.kind, params, shapes, optional)
        blocks = 2 if self.kind == "lstm" else 1
        super().__init__(
            params,
            {"num_layers": num_layers},
            num_networks=m,
            input_size=in_size,
            hidden_size=h,
            state_size=blocks * num_layers * h,
            hidden_slice=slice(0, num_layers * h),
        )
        self.num_layers = num_layers

    def input_affine(self) -> tuple[Tensor, Tensor | None]:
        """Layer 0's ``(weight_ih (M, G*H, I), bias_ih (M, G*H) or None)``."""
        return self.params["weight_ih"], self.params.get("bias_ih")

    def output(self, state: Tensor) -> Tensor:
        """The top layer's ``h``: ``(M, B, H)``."""
        h, top = self.hidden_size, self.num_layers - 1
        return state[..., top * h : (top + 1) * h]

    def _advance(
        self, state: Tensor, drive: Tensor, jacobian: str | None
    ) -> tuple[Tensor, Tensor | None]:
        h, nl = self.hidden_size, self.num_layers
        lstm = self.kind == "lstm"
        full = jacobian == "full"
        n_out = self.state_size if full else nl * h
        jac = None
        if jacobian is not None and n_out != h:
            jac = state.new_zeros(*state.shape[:2], n_out, n_out)
        new_h, new_c = [], []
        for layer in range(nl):
            s = layer_suffix(layer)
            w_ih, w_hh = self.params[f"weight_ih{s}"], self.params[f"weight_hh{s}"]
            h_old = state[..., layer * h : (layer + 1) * h]
            c_old = state[..., (nl + layer) * h : (nl + layer + 1) * h] if lstm else None
            b_ih = self.params.get(f"bias_ih{s}")
            pre_x = _affine(new_h[-1], w_ih, b_ih) if layer else drive  # layer >= 1: h below
            pre_h = _affine(h_old, w_hh, self.params.get(f"bias_hh{s}"))
            h_new, c_new, local = self._layer(pre_x, pre_h, h_old, c_old, jacobian is not None)
            new_h.append(h_new)
            if c_new is not None:
                new_c.append(c_new)
            if jacobian is None:
                continue
            blocks = self._local_blocks(local, w_ih, w_hh, full, with_input=layer > 0)
            if jac is None:
                jac = blocks["hh"]
                continue
            rh = slice(layer * h, (layer + 1) * h)
            rc = slice((nl + layer) * h, (nl + layer + 1) * h)
            if layer > 0:
                below = jac[..., (layer - 1) * h : layer * h, :]
                jac[..., rh, :] = blocks["hx"] @ below
                if full and lstm:
                    jac[..., rc, :] = blocks["cx"] @ below
            jac[..., rh, rh] += blocks["hh"]
            if full and lstm:
                jac[..., rh, rc].diagonal(dim1=-2, dim2=-1).add_(blocks["hc"])
                jac[..., rc, rh] += blocks["ch"]
                jac[..., rc, rc].diagonal(dim1=-2, dim2=-1).add_(blocks["cc"])
        return torch.cat(new_h + new_c, dim=-1), jac

    def _local_blocks(
        self, local: dict[str, Tensor], w_ih: Tensor, w_hh: Tensor, full: bool, with_input: bool
    ) -> dict[str, Tensor]:
        """One layer's Jacobian blocks from its gate coefficients (see ``_layer``).

        ``hh``, ``hc``, ``ch``, ``cc``: derivatives of the layer's new ``h`` / ``c`` by its old
        ``h`` / ``c``; with ``with_input`` also ``hx``, ``cx``: by the layer's input.
        """
        m, gh, k = w_ih.shape
        g, h = self.gates, gh // self.gates
        w_hh4 = w_hh.view(m, g, h, h)
        blocks = {"hh": diag_weighted(local["coef_h"], w_hh4)}
        if "diag_h" in local:
            add_diagonal(blocks["hh"], local["diag_h"])
        w_ih4 = w_ih.view(m, g, h, k)
        if with_input:
            blocks["hx"] = diag_weighted(local["coef_x"], w_ih4)
        if full and self.kind == "lstm":
            blocks["hc"], blocks["cc"] = local["hc"], local["cc"]
            blocks["ch"] = diag_weighted(local["coef_c"], w_hh4)
            if with_input:
                blocks["cx"] = diag_weighted(local["coef_c"], w_ih4)
        return blocks

    @abstractmethod
    def _layer(
        self, pre_x: Tensor, pre_h: Tensor, h: Tensor, c: Tensor | None, want_jac: bool
    ) -> tuple[Tensor, Tensor | None, dict[str, Tensor]]:
        """One layer: new ``h``, new ``c`` (LSTM) and the Jacobian's gate coefficients.

        Coefficients (each ``(M, B, G, H)`` unless noted): ``coef_h`` with
        ``dh'/dh = sum_g diag(coef_h[g]) W_hh[g] (+ diag(diag_h))``; ``coef_x`` likewise for
        ``dh'/dx`` with ``W_ih``; for LSTM also ``coef_c`` (``dc'/dh``, ``dc'/dx``), and the
        diagonals ``hc = dh'/dc``, ``cc = dc'/dc`` as ``(M, B, H)``.
        """


class RNNCell(GatedCell):
    """Vanilla tanh RNN (``nn.RNN`` with ``nonlinearity="tanh"``)."""

    kind = "rnn"
    gates = 1

    def _layer(
        self, pre_x: Tensor, pre_h: Tensor, h: Tensor, c: Tensor | None, want_jac: bool
    ) -> tuple[Tensor, Tensor | None, dict[str, Tensor]]:
        h_new = torch.tanh(pre_x + pre_h)
        if not want_jac:
            return h_new, None, {}
        coef = (1 - h_new * h_new).unsqueeze(2)
        return h_new, None, {"coef_h": coef, "coef_x": coef}


class LSTMCell(GatedCell):
    """Long short-term memory (``nn.LSTM``), state ``[h, c]``."""

    kind = "lstm"
    gates = 4

    def _layer(
        self, pre_x: Tensor, pre_h: Tensor, h: Tensor, c: Tensor | None, want_jac: bool
    ) -> tuple[Tensor, Tensor | None, dict[str, Tensor]]:
        assert c is not None, "lstm layer needs its cell state"
        i, f, g, o = (pre_x + pre_h).chunk(4, dim=-1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c_new = f * c + i * g
        tc = torch.tanh(c_new)
        h_new = o * tc
        if not want_jac:
            return h_new, c_new, {}
        coef_c = torch.stack(
            [g * i * (1 - i), c * f * (1 - f), i * (1 - g * g), torch.zeros_like(o)], dim=2
        )
        dh_dc = o * (1 - tc * tc)
        coef_h = coef_c * dh_dc.unsqueeze(2)
        coef_h[:, :, 3] = tc * o * (1 - o)
        local = {"coef_h": coef_h, "coef_x": coef_h, "coef_c": coef_c, "hc": dh_dc * f, "cc": f}
        return h_new, c_new, local


class GRUCell(GatedCell):
    """Gated recurrent unit (``nn.GRU``; ``r`` multiplies ``W_hn h + b_hn``)."""

    kind = "gru"
    gates = 3

    def _layer(
        self, pre_x: Tensor, pre_h: Tensor, h: Tensor, c: Tensor | None, want_jac: bool
    ) -> tuple[Tensor, Tensor | None, dict[str, Tensor]]:
        xr, xz, xn = pre_x.chunk(3, dim=-1)
        hr, hz, hn = pre_h.chunk(3, dim=-1)
        r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        h_new = (1 - z) * n + z * h
        if not want_jac:
            return h_new, None, {}
        dn = (1 - z) * (1 - n * n)
        a_r = dn * hn * r * (1 - r)
        a_z = (h - n) * z * (1 - z)
        coef_h = torch.stack([a_r, a_z, dn * r], dim=2)
        coef_x = torch.stack([a_r, a_z, dn], dim=2)
        return h_new, None, {"coef_h": coef_h, "coef_x": coef_x, "diag_h": z}
