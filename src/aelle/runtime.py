"""Process-level set-up shared by every workflow job and command: threads, device, logs,
progress bars."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import torch
from tqdm import tqdm

from aelle.noise import silence_known_noise

log = logging.getLogger(__name__)


def cuda_status() -> tuple[bool, str]:
    """(whether torch can use a CUDA device, why in words): the first GPU's name, or the
    reason there is none (a CPU-only torch build, or no device visible)."""
    if torch.version.cuda is None:
        return False, f"torch {torch.__version__} is a CPU-only build"
    if not torch.cuda.is_available():
        return False, f"no CUDA device visible to torch {torch.__version__}"
    return True, torch.cuda.get_device_name(0)


def resolve_device(name: str) -> torch.device:
    """Map a config device name (config key ``device``) to a torch device.

    ``"auto"`` picks CUDA when a GPU is visible and the CPU otherwise, and logs the choice
    with its reason at INFO; ``"cuda"`` on a machine without a GPU is an error rather than
    a silent fall-back.
    """
    if name not in {"cpu", "cuda", "auto"}:
        raise ValueError(f"config key `device`: expected cpu, cuda or auto, got {name!r}")
    if name == "cpu":
        return torch.device("cpu")
    usable, reason = cuda_status()
    if name == "cuda" and not usable:
        raise RuntimeError(
            f"config key `device` is cuda but no CUDA device is usable ({reason}); "
            "set device: auto to fall back to the CPU, or device: cpu"
        )
    chosen = "cuda" if usable else "cpu"
    if name == "auto":
        log.info("device auto -> %s (%s)", chosen, reason)
    return torch.device(chosen)


def synchronize(device: torch.device) -> None:
    """Wait for the queued work of ``device``, so a timer read next includes it (CPU: no-op)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def progress_bar(total: int, desc: str, enabled: bool = True) -> tqdm:
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
