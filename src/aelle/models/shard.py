"""What one shard trains: its networks' identities and the shape of their model.

A :class:`ShardSpec` is derived from the configuration once (seeds and init scales from the
global seed, see :mod:`aelle.models.seeds`) and then passed whole to
:func:`aelle.models.training.train_shard`, its helpers and the checkpoint writer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from aelle.models.seeds import draw_p, network_id, network_seed


@dataclass(frozen=True)
class ShardSpec:
    """Networks ``indices`` of population (task, arch, size) and their model options.

    ``seeds[k]`` and ``ps[k]`` (init scale p; FORCE: gain g) belong to network
    ``indices[k]``. ``bias``: recurrent biases (the paper has none); ``dropout``: the
    probability of dropping a recurrent output before the readout (training only);
    ``cell_options``: overrides of the cell's options (asrnn ``eps``/``gamma``, cornn
    ``dt``/``gamma``/``eps``; see :mod:`aelle.cells`).
    """

    task: str
    arch: str
    size: int
    indices: tuple[int, ...]
    seeds: tuple[int, ...]
    ps: tuple[float, ...]
    bias: bool = False
    dropout: float = 0.1
    cell_options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not self.indices:
            raise ValueError("shard spec: no network indices given")
        if not len(self.indices) == len(self.seeds) == len(self.ps):
            raise ValueError(
                f"shard spec: {len(self.indices)} indices, {len(self.seeds)} seeds and "
                f"{len(self.ps)} p values must have the same length"
            )
        if self.size < 1:
            raise ValueError(f"shard spec: size must be a positive hidden size, got {self.size}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"shard spec: dropout must lie in [0, 1), got {self.dropout}")
        object.__setattr__(self, "cell_options", MappingProxyType(dict(self.cell_options)))

    @classmethod
    def create(
        cls,
        task: str,
        arch: str,
        size: int,
        indices: Sequence[int],
        global_seed: int,
        p_range: Sequence[float],
        **model: Any,
    ) -> ShardSpec:
        """The spec of networks ``indices``: seeds from ``global_seed``, p ~ U(``p_range``).

        ``model``: ``bias``, ``dropout``, ``cell_options`` (see the class).
        """
        indices = tuple(int(i) for i in indices)
        seeds = tuple(network_seed(global_seed, task, arch, size, i) for i in indices)
        ps = tuple(draw_p(s, tuple(p_range)) for s in seeds)
        return cls(task, arch, int(size), indices, seeds, ps, **model)

    @property
    def num_networks(self) -> int:
        """K, the networks in the shard."""
        return len(self.indices)

    @property
    def network_ids(self) -> list[str]:
        """The networks' ids (see :func:`aelle.models.seeds.network_id`)."""
        return [network_id(self.task, self.arch, self.size, i) for i in self.indices]

    def network(self, k: int) -> ShardSpec:
        """The spec of the shard's ``k``-th network alone."""
        part = slice(k, k + 1)
        return replace(self, indices=self.indices[part], seeds=self.seeds[part], ps=self.ps[part])
