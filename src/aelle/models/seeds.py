"""Per-network identity: id, seed and init scale, from (global seed, task, arch, size, index).

Seeds come from SHA-256 of a text key (never Python's salted ``hash()``), so a network's
seed, p, initial weights, data order and dropout masks are the same whichever shard or
job it is trained in.
"""

from __future__ import annotations

import hashlib

import torch

SEED_MASK = (1 << 63) - 1


def network_id(task: str, arch: str, size: int, index: int) -> str:
    """The network's id, ``"{task}/{arch}/h{size}/n{index:04d}"``."""
    return f"{task}/{arch}/h{size}/n{index:04d}"


def stable_seed(*parts: object) -> int:
    """A non-negative 63-bit integer from SHA-256 of the ``/``-joined parts."""
    key = "/".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") & SEED_MASK


def network_seed(global_seed: int, task: str, arch: str, size: int, index: int) -> int:
    """Seed of network ``index`` of the population (task, arch, size)."""
    return stable_seed(global_seed, task, arch, size, index)


def generator(seed: int, purpose: str) -> torch.Generator:
    """A CPU generator for one ``purpose`` of a network (``"init"``, ``"data"``, ``"dropout"``)."""
    return torch.Generator().manual_seed(stable_seed(seed, purpose))


def draw_p(seed: int, p_range: tuple[float, float] | list[float]) -> float:
    """The network's init scale p ~ Uniform(p_range) (FORCE: the gain g), from its seed."""
    low, high = (float(v) for v in p_range)
    if not 0 < low <= high:
        raise ValueError(f"p_range must satisfy 0 < low <= high, got {p_range}")
    u = torch.rand((), generator=generator(seed, "p"), dtype=torch.float64).item()
    return low + (high - low) * u
