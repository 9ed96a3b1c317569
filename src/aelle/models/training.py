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
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch import Tensor
from tqdm.auto import tqdm

from aelle.data import TaskData
from aelle.models.checkpoint import save_checkpoint
from aelle.models.force import DT, FORCE_ARCHS, ForcePopulation, population_targets, target_signals
from aelle.models.objectives import CharObjective, SmnistObjective
from aelle.models.population import Population
from aelle.models.seeds import draw_p, generator, network_id, network_seed
from aelle.runtime import resolve_device

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


def progress_bar(total: int, desc: str, enabled: bool) -> tqdm:
    """A tqdm bar on stderr; when stderr is not a terminal (a job log) it updates rarely."""
    tty = sys.stderr.isatty()
    return tqdm(
        total=total,
        desc=desc,
        file=sys.stderr,
        disable=not enabled,
        mininterval=0.5 if tty else 30.0,
        ascii=not tty,
        dynamic_ncols=tty,
    )


class _Recorder:
    """Collects record rows and checkpoints for one shard."""

    def __init__(
        self,
        task: str,
        arch: str,
        size: int,
        indices: Sequence[int],
        seeds: Sequence[int],
        ps: Sequence[float],
        checkpoints: Sequence[int],
        checkpoint_dir: Path | None,
    ) -> None:
        self.task, self.arch, self.size = task, arch, size
        self.indices, self.seeds, self.ps = list(indices), list(seeds), list(ps)
        self.ids = [network_id(task, arch, size, i) for i in indices]
        self.checkpoints = set(checkpoints)
        self.checkpoint_dir = checkpoint_dir
        self.rows: list[dict[str, Any]] = []
        self.start = time.perf_counter()

    def record(self, epoch: int, train: Tensor, val: Tensor, acc: Tensor, alive: Tensor) -> None:
        wall = (time.perf_counter() - self.start) / len(self.ids)
        for k, nid in enumerate(self.ids):
            self.rows.append(
                {
                    "network_id": nid,
                    "task": self.task,
                    "arch": self.arch,
                    "size": self.size,
                    "index": self.indices[k],
                    "seed": self.seeds[k],
                    "p": self.ps[k],
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
        save_checkpoint(
            self.checkpoint_dir / f"epoch{epoch}.pt",
            task=self.task,
            arch=self.arch,
            epoch=epoch,
            network_ids=self.ids,
            indices=torch.tensor(self.indices, dtype=torch.int64),
            seeds=torch.tensor(self.seeds, dtype=torch.int64),
            p=torch.tensor(self.ps, dtype=torch.float64),
            **fields,
        )

    def table(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=list(RECORD_COLUMNS))
        return frame.astype({"size": "int64", "index": "int64", "seed": "int64", "epoch": "int64"})


def train_shard(
    task_data: TaskData,
    task: str,
    arch: str,
    size: int,
    indices: Sequence[int],
    training_cfg: Mapping[str, Any],
    *,
    global_seed: int,
    p_range: Sequence[float],
    device: str | torch.device = "cpu",
    checkpoint_dir: Path | None = None,
    progress: bool = True,
    bias: bool = False,
    dropout: float = 0.1,
    cell_options: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Train networks ``indices`` of population (task, arch, size); return their records.

    ``training_cfg``: ``epochs``, ``lr`` (Adam; FORCE: the RLS regulariser α, P₀ = I/α),
    ``batch_size``, ``checkpoints`` (epochs to save; 0 = untrained). FORCE "epochs" are
    training periods of the target. Checkpoints go to ``checkpoint_dir/epoch{e}.pt``.
    ``bias``: add recurrent biases (the paper has none); ``dropout``: before the readout;
    ``cell_options``: override the cell's options (asrnn ``eps``/``gamma``, cornn
    ``dt``/``gamma``/``eps``; see :mod:`aelle.cells`). ``device``: cpu, cuda or auto.
    """
    if not indices:
        raise ValueError("train_shard: no network indices given")
    seeds = [network_seed(global_seed, task, arch, size, i) for i in indices]
    ps = [draw_p(s, p_range) for s in seeds]
    recorder = _Recorder(
        task,
        arch,
        size,
        indices,
        seeds,
        ps,
        training_cfg.get("checkpoints", []),
        checkpoint_dir,
    )
    dev = device if isinstance(device, torch.device) else resolve_device(device)
    if arch in FORCE_ARCHS:
        if task != "signal":
            raise ValueError(f"architecture {arch!r} trains only on the signal task, not {task!r}")
        _train_force(task_data, arch, size, seeds, ps, training_cfg, recorder, dev, progress)
    else:
        _train_gradient(
            task_data,
            task,
            arch,
            size,
            seeds,
            ps,
            training_cfg,
            recorder,
            dev,
            progress,
            bias=bias,
            dropout=dropout,
            cell_options=cell_options,
        )
    return recorder.table()


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


def _train_gradient(
    task_data: TaskData,
    task: str,
    arch: str,
    size: int,
    seeds: Sequence[int],
    ps: Sequence[float],
    cfg: Mapping[str, Any],
    recorder: _Recorder,
    device: torch.device,
    progress: bool,
    *,
    bias: bool,
    dropout: float,
    cell_options: Mapping[str, Any] | None,
) -> None:
    pop = Population.create(
        arch,
        task_data.input_size,
        size,
        task_data.output_size,
        seeds,
        ps,
        bias=bias,
        dropout=dropout,
        cell_options=dict(cell_options or {}),
        device=device,
    )
    objective = make_objective(task_data, task, seeds, int(cfg["batch_size"]))
    optimizer = torch.optim.Adam(pop.parameters(), lr=float(cfg["lr"]))
    dropout_gens = [generator(s, "dropout") for s in seeds]
    k = len(seeds)
    alive = torch.ones(k, dtype=torch.bool)
    frozen: dict[str, Tensor] = {}

    def save(epoch: int) -> None:
        recorder.checkpoint(
            epoch,
            kind=arch,
            input_size=task_data.input_size,
            hidden_size=size,
            output_size=task_data.output_size,
            cell_params={n: v.detach() for n, v in pop.cell_params.items()},
            cell_options=dict(pop.cell_options),
            readout={"weight": pop.readout_weight.detach(), "bias": pop.readout_bias.detach()},
        )

    named = dict(pop.named_parameters())

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
        val, acc = objective.evaluate(pop)
        freeze(torch.isfinite(val))
        recorder.record(epoch, train, val, acc, alive)
        save(epoch)

    evaluate(0, objective.evaluate(pop, "train")[0])
    epochs = int(cfg["epochs"])
    batches = sum(1 for _ in range(0, _train_count(objective), objective.batch_size))
    with progress_bar(epochs * batches, f"{task}/{arch}/h{size} K={k}", progress) as bar:
        for epoch in range(1, epochs + 1):
            total = torch.zeros(k, dtype=torch.float64)
            for x, y in objective.epoch():
                x, y = x.to(device), y.to(device)
                masks = None
                if dropout > 0:
                    masks = pop.dropout_masks(objective.mask_shape(x, size), dropout_gens)
                losses = objective.loss(pop, x, y, masks)
                freeze(torch.isfinite(losses.detach()).cpu())
                live = alive.to(device)
                optimizer.zero_grad(set_to_none=False)
                torch.where(live, losses, torch.zeros_like(losses)).sum().backward()
                optimizer.step()
                if not alive.all():
                    with torch.no_grad():
                        for name, param in named.items():
                            param[~live] = frozen[name][~live]
                total += torch.where(alive, losses.detach().double().cpu(), 0.0)
                bar.update(1)
            train = torch.where(alive, total / batches, float("nan"))
            evaluate(epoch, train)


def _train_count(objective: SmnistObjective | CharObjective) -> int:
    """Training examples per network per epoch."""
    if isinstance(objective, SmnistObjective):
        return len(objective.y)
    return objective.subsets.shape[1]


def _train_force(
    task_data: TaskData,
    arch: str,
    size: int,
    seeds: Sequence[int],
    ps: Sequence[float],
    cfg: Mapping[str, Any],
    recorder: _Recorder,
    device: torch.device,
    progress: bool,
) -> None:
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
        recorder.record(epoch, train.cpu(), generated.cpu(), nan, alive)
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
