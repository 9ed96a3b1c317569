"""Process-level set-up shared by every workflow job and command: threads, device, logs."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import torch

from aelle.noise import silence_known_noise


def resolve_device(name: str) -> torch.device:
    """Map a config device name to a torch device.

    ``"auto"`` picks CUDA when a GPU is visible and the CPU otherwise; ``"cuda"`` on a
    machine without a GPU is an error rather than a silent fall-back.
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device: cuda was requested but no CUDA device is visible")
    if name not in {"cpu", "cuda"}:
        raise ValueError(f"device: expected cpu, cuda or auto, got {name!r}")
    return torch.device(name)


def synchronize(device: torch.device) -> None:
    """Wait for the queued work of ``device``, so a timer read next includes it (CPU: no-op)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@contextlib.contextmanager
def job_logging(log_path: str | Path, threads: int = 1) -> Iterator[logging.Logger]:
    """Send everything a job prints (logging, warnings, progress bars) to ``log_path``.

    Also caps torch at ``threads`` intra-op threads, the number the scheduler granted, and
    hides the third-party warnings of :data:`aelle.noise.KNOWN_NOISE`.
    An exception raised inside the block is logged with its traceback, then re-raised.
    """
    path = Path(log_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(max(1, int(threads)))
    silence_known_noise()
    with path.open("w", encoding="utf-8") as stream:
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = stream
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        logger = logging.getLogger("aelle.job")
        try:
            yield logger
        except BaseException:
            logger.exception("job failed")
            raise
        finally:
            root.removeHandler(handler)
            sys.stdout, sys.stderr = saved
