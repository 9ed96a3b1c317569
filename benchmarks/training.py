"""Speed of batched population training against training networks one after another (issue 4).

1. smnist on the offline 8×8 digits: 32 LSTM networks of hidden 64, 2 epochs (Adam, lr
   0.01, batch 128, dropout 0.1, evaluation included): one ``train_shard`` of 32 against
   32 ``train_shard`` calls of 1, and against 32 plain ``nn.LSTM`` + ``nn.Linear`` models
   trained one after another (torch's fused CPU LSTM; the floor of "one at a time").
2. charrnn on the pydoc text: LSTM hidden 128, training steps only (batch 32 × 99
   characters): characters per second per network, K networks stacked against one alone.

Wall and process CPU seconds are both printed: on a shared machine the CPU seconds (with
one thread) are the steadier measure of work. With ``--device cuda`` only wall seconds
mean anything (the GPU's work is not process CPU time); every timed region ends with the
device synchronised.

Run: ``.venv/bin/python benchmarks/training.py [--device cpu] [--threads 1] [--charrnn-k 16]
[--steps 8]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from aelle.data import load_task
from aelle.models import train_shard
from aelle.models.objectives import CharObjective
from aelle.models.population import Population
from aelle.models.seeds import draw_p, generator, network_seed
from aelle.runtime import resolve_device, synchronize

SEED = 2022
SMNIST_CFG = {"epochs": 2, "lr": 0.01, "batch_size": 128, "checkpoints": []}


def timed(fn: Callable[[], object], device: torch.device) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of one call of ``fn``, device work included."""
    synchronize(device)
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    synchronize(device)
    return time.perf_counter() - wall, time.process_time() - cpu


def smnist_seconds(networks: int, device: torch.device) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of: batched, one after another, plain torch one after another."""
    data = load_task("smnist", {"source": "digits"}, root=Path("."), seed=SEED)
    kwargs = {"global_seed": SEED, "p_range": (0.05, 0.5), "progress": False, "device": device}

    def shard(indices: list[int]) -> None:
        train_shard(data, "smnist", "lstm", 64, indices, SMNIST_CFG, **kwargs)

    shard([0])  # warm-up: first-call costs (allocator, kernels) stay out of the timings
    plain_torch_smnist(data.arrays, 0, device)
    return {
        "batched": timed(lambda: shard(list(range(networks))), device),
        "one after another": timed(lambda: [shard([i]) for i in range(networks)], device),
        "plain nn.LSTM one after another": timed(
            lambda: [plain_torch_smnist(data.arrays, i, device) for i in range(networks)], device
        ),
    }


def plain_torch_smnist(arrays: dict[str, torch.Tensor], index: int, device: torch.device) -> None:
    """Train one ``nn.LSTM`` + dropout + ``nn.Linear`` classifier for 2 epochs, then evaluate.

    The data sit on ``device`` from the start (the stacked code moves each batch there).
    """
    torch.manual_seed(index)
    lstm, drop, head = (
        nn.LSTM(8, 64, bias=False, batch_first=True, device=device),
        nn.Dropout(0.1),
        nn.Linear(64, 10, device=device),
    )
    params = [*lstm.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(params, lr=0.01)
    x, y = arrays["train_x"].to(device), arrays["train_y"].to(device)
    for _ in range(SMNIST_CFG["epochs"]):
        for idx in torch.randperm(len(y), device=device).split(SMNIST_CFG["batch_size"]):
            loss = nn.functional.cross_entropy(head(drop(lstm(x[idx])[0][:, -1])), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            head(lstm(arrays["val_x"].to(device))[0][:, -1]).cpu()


def charrnn_chars_per_second(
    networks: int, steps: int, device: torch.device
) -> tuple[float, float]:
    """Characters per (wall, CPU) second per network: ``steps`` Adam steps, K LSTMs h128.

    One untimed step first, so that one-off costs (kernel selection, allocator) stay out.
    """
    data = load_task("charrnn", {"source": "pydoc"}, root=Path("."), seed=SEED)
    seeds = [network_seed(SEED, "charrnn", "lstm", 128, i) for i in range(networks)]
    ps = [draw_p(s, (0.1, 3.0)) for s in seeds]
    pop = Population.create(
        "lstm", data.input_size, 128, data.output_size, seeds, ps, device=device
    )
    objective = CharObjective(data, seeds, 32, 0.2)
    optimizer = torch.optim.Adam(pop.parameters(), lr=0.002)
    gens = [generator(s, "dropout") for s in seeds]
    batches = iter(objective.epoch())

    def step() -> int:
        x, y = next(batches)
        x, y = x.to(device), y.to(device)
        masks = pop.dropout_masks(objective.mask_shape(x, 128), gens)
        optimizer.zero_grad()
        objective.loss(pop, x, y, masks).sum().backward()
        optimizer.step()
        return y.shape[1] * y.shape[2]

    step()
    synchronize(device)
    wall, cpu = time.perf_counter(), time.process_time()
    chars = sum(step() for _ in range(steps))
    synchronize(device)
    return chars / (time.perf_counter() - wall), chars / (time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--smnist-k", type=int, default=32, help="smnist networks")
    parser.add_argument("--charrnn-k", type=int, default=16, help="charrnn stacked networks")
    parser.add_argument("--steps", type=int, default=8, help="charrnn Adam steps timed")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"torch {torch.__version__}, {args.threads} thread(s), device {where}")

    times = smnist_seconds(args.smnist_k, device)
    base_wall, base_cpu = times["batched"]
    print(f"smnist LSTM h64 x{args.smnist_k}, 2 epochs on the 8x8 digits (wall s, CPU s):")
    for name, (wall, cpu) in times.items():
        ratio = f"{wall / base_wall:5.2f}x wall {cpu / base_cpu:5.2f}x CPU vs batched"
        print(f"  {name:32s} {wall:7.2f} {cpu:7.2f}   {ratio}")

    alone = charrnn_chars_per_second(1, args.steps, device)
    stacked = charrnn_chars_per_second(args.charrnn_k, args.steps, device)
    print(f"charrnn LSTM h128, batch 32 x 99 chars, {args.steps} training steps:")
    print("  chars per second per network      wall       CPU")
    print(f"  alone                       {alone[0]:9.0f} {alone[1]:9.0f}")
    print(f"  stacked K={args.charrnn_k:<4d}              {stacked[0]:9.0f} {stacked[1]:9.0f}")
    ratios = [b / a for a, b in zip(alone, stacked, strict=True)]
    print(f"  ratio stacked / alone       {ratios[0]:9.2f} {ratios[1]:9.2f}")
    k = args.charrnn_k
    print(f"  K x ratio (speed-up over K alone) {k * ratios[0]:6.2f} {k * ratios[1]:9.2f}")


if __name__ == "__main__":
    main()
