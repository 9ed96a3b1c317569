"""Speed of the Lyapunov engine against its in-process floor (issue 3).

LSTM networks (hidden 64/128/256/512) driven by 15 sequences, 500 warm-up steps, then
100 measured steps in the paper's convention (hidden state, QR every step, float32). The
floor is one batched ``J @ Q`` plus one batched QR of the same shapes, times the number
of measured steps. Also: 64 stacked networks of hidden 64 in one call against 64 calls.

Run: ``.venv/bin/python benchmarks/lyapunov.py [--sizes 64 128] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch

from aelle.cells import make_cell
from aelle.lyapunov import rnn_spectrum

AUTHORS_SECONDS = {64: 1.8, 128: 10.7, 256: 39.0, 512: 208.0}
BATCH, WARMUP, STEPS, FEATURES = 15, 500, 100, 32


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Fastest wall time of ``repeats`` runs of ``fn`` (seconds)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def lstm(m: int, hidden: int, seed: int = 0) -> object:
    """``m`` stacked LSTMs with weights ~ U(-1/sqrt(H), 1/sqrt(H)) (torch's default)."""
    g = torch.Generator().manual_seed(seed)
    bound = hidden**-0.5

    def draw(*shape: int) -> torch.Tensor:
        return (torch.rand(*shape, generator=g) * 2 - 1) * bound

    params = {
        "weight_ih": draw(m, 4 * hidden, FEATURES),
        "weight_hh": draw(m, 4 * hidden, hidden),
        "bias_ih": draw(m, 4 * hidden),
        "bias_hh": draw(m, 4 * hidden),
    }
    return make_cell("lstm", params)


def floor_seconds(hidden: int, repeats: int) -> float:
    """``STEPS`` x (one batched ``J @ Q`` + one batched QR) at ``(BATCH, H, H)`` float32."""
    jac = torch.randn(BATCH, hidden, hidden) / hidden**0.5
    q0 = torch.linalg.qr(torch.randn(BATCH, hidden, hidden)).Q

    def run() -> None:
        q = q0
        for _ in range(STEPS):
            q = torch.linalg.qr(jac @ q).Q

    return best_of(run, repeats)


def spectrum_seconds(cell: object, inputs: torch.Tensor, warm: torch.Tensor, repeats: int) -> float:
    """Wall time of one paper-convention ``rnn_spectrum`` call, warm-up included."""

    def run() -> None:
        rnn_spectrum(
            cell, inputs, warmup_inputs=warm, state="hidden", qr_every=1, dtype=torch.float32
        )

    return best_of(run, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256, 512])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--stack", type=int, default=64)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(1)
    inputs = torch.randn(BATCH, STEPS, FEATURES, generator=g)
    warm = torch.randn(BATCH, WARMUP, FEATURES, generator=g)

    print(
        f"LSTM, {BATCH} sequences x {STEPS} steps after {WARMUP} warm-up, hidden state, "
        f"QR every step, float32, {args.threads} thread(s)"
    )
    print(f"{'hidden':>6} {'s/network':>10} {'floor s':>8} {'ratio':>6} {'vs authors':>10}")
    for hidden in args.sizes:
        cell = lstm(1, hidden)
        seconds = spectrum_seconds(cell, inputs, warm, args.repeats)
        floor = floor_seconds(hidden, args.repeats)
        authors = AUTHORS_SECONDS.get(hidden)
        speedup = f"{authors / seconds:9.1f}x" if authors else f"{'-':>10}"
        print(f"{hidden:>6} {seconds:>10.3f} {floor:>8.3f} {seconds / floor:>6.2f} {speedup}")

    m = args.stack
    stacked = lstm(m, 64)
    singles = [
        make_cell("lstm", {k: v[j : j + 1] for k, v in stacked.params.items()}) for j in range(m)
    ]
    t_stacked = spectrum_seconds(stacked, inputs, warm, 1)
    t_single = best_of(lambda: [spectrum_seconds(c, inputs, warm, 1) for c in singles], 1)
    print(
        f"{m} stacked networks of hidden 64: {m / t_stacked:.1f} networks/s in one call, "
        f"{m / t_single:.1f} networks/s one by one ({t_single / t_stacked:.2f}x)"
    )


if __name__ == "__main__":
    main()
