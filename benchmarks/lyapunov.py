"""Speed of the Lyapunov engine against its in-process floor (issue 3).

LSTM networks (hidden 64/128/256/512) driven by 15 sequences, 500 warm-up steps, then
100 measured steps in the paper's convention (hidden state, QR every step, float32). The
floor is one batched ``J @ Q`` plus one batched QR of the same shapes, times the number
of measured steps. Also: 64 stacked networks of hidden 64 in one call against 64 calls.

With ``--device cuda`` everything runs on the GPU and each timing ends with the device
synchronised; the authors' reference timings are for a CPU, so that column is left out.

Run: ``.venv/bin/python benchmarks/lyapunov.py [--sizes 64 128] [--threads 1] [--device cpu]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch

from aelle.cells import Cell, make_cell
from aelle.lyapunov import SpectrumOptions, rnn_spectrum
from aelle.runtime import resolve_device, synchronize

AUTHORS_SECONDS = {64: 1.8, 128: 10.7, 256: 39.0, 512: 208.0}
BATCH, WARMUP, STEPS, FEATURES = 15, 500, 100, 32
PAPER = SpectrumOptions(state="hidden", qr_every=1, dtype=torch.float32)


def best_of(
    fns: dict[str, Callable[[], object]], repeats: int, device: torch.device
) -> dict[str, float]:
    """Fastest wall time (seconds) of each function over ``repeats`` interleaved rounds.

    Interleaving makes the comparison fair on a machine whose load changes over time.
    """
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeats):
        for name, fn in fns.items():
            synchronize(device)
            start = time.perf_counter()
            fn()
            synchronize(device)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def lstm(m: int, hidden: int, device: torch.device, seed: int = 0) -> Cell:
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
    return make_cell("lstm", {k: v.to(device) for k, v in params.items()})


def floor_run(hidden: int, device: torch.device) -> Callable[[], None]:
    """``STEPS`` x (one batched ``J @ Q`` + one batched QR) at ``(BATCH, H, H)`` float32."""
    jac = torch.randn(BATCH, hidden, hidden, device=device) / hidden**0.5
    q0 = torch.linalg.qr(torch.randn(BATCH, hidden, hidden, device=device)).Q

    def run() -> None:
        q = q0
        for _ in range(STEPS):
            q = torch.linalg.qr(jac @ q).Q

    return run


def spectrum_run(cell: Cell, inputs: torch.Tensor, warm: torch.Tensor) -> Callable[[], None]:
    """One paper-convention ``rnn_spectrum`` call, warm-up included."""

    def run() -> None:
        rnn_spectrum(cell, inputs, warmup_inputs=warm, options=PAPER)

    return run


def argument_parser() -> argparse.ArgumentParser:
    """The command line (``tools/gpu-check.sh`` runs it too; a unit test parses its calls)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256, 512])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--stack", type=int, default=64)
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    return parser


def main() -> None:
    args = argument_parser().parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    on_cpu = device.type == "cpu"
    g = torch.Generator().manual_seed(1)
    inputs = torch.randn(BATCH, STEPS, FEATURES, generator=g).to(device)
    warm = torch.randn(BATCH, WARMUP, FEATURES, generator=g).to(device)

    where = "cpu" if on_cpu else torch.cuda.get_device_name(device)
    print(
        f"LSTM, {BATCH} sequences x {STEPS} steps after {WARMUP} warm-up, hidden state, "
        f"QR every step, float32, {args.threads} thread(s), best of {args.repeats}, {where}"
    )
    authors_header = f" {'vs authors':>10}" if on_cpu else ""
    print(f"{'hidden':>6} {'s/network':>10} {'floor s':>8} {'ratio':>6}{authors_header}")
    for hidden in args.sizes:
        fns = {
            "ours": spectrum_run(lstm(1, hidden, device), inputs, warm),
            "floor": floor_run(hidden, device),
        }
        best = best_of(fns, args.repeats, device)
        seconds, floor = best["ours"], best["floor"]
        authors = AUTHORS_SECONDS.get(hidden) if on_cpu else None
        speedup = f" {authors / seconds:9.1f}x" if authors else ""
        print(f"{hidden:>6} {seconds:>10.3f} {floor:>8.3f} {seconds / floor:>6.2f}{speedup}")

    m = args.stack
    stacked = lstm(m, 64, device)
    singles = [
        make_cell("lstm", {k: v[j : j + 1] for k, v in stacked.params.items()}) for j in range(m)
    ]
    one_by_one = [spectrum_run(c, inputs, warm) for c in singles]
    best = best_of(
        {
            "stacked": spectrum_run(stacked, inputs, warm),
            "single": lambda: [f() for f in one_by_one],
        },
        1,
        device,
    )
    print(
        f"{m} stacked networks of hidden 64: {m / best['stacked']:.1f} networks/s in one call, "
        f"{m / best['single']:.1f} networks/s one by one "
        f"({best['single'] / best['stacked']:.2f}x)"
    )


if __name__ == "__main__":
    main()
