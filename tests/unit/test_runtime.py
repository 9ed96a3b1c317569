import gc
import logging
import subprocess
import sys
import warnings

import pytest
import torch

from aelle.noise import silence_known_noise
from aelle.runtime import job_logging, resolve_device


def test_auto_device_matches_cuda_availability():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected


def fake_torch(monkeypatch, cuda_build: str | None, visible: bool) -> None:
    """Make torch look like a build for ``cuda_build`` (None: CPU-only) with or without a GPU."""
    monkeypatch.setattr(torch.version, "cuda", cuda_build)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: visible)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index=0: "NVIDIA Fake GPU")


@pytest.mark.parametrize(
    ("cuda_build", "visible", "expected"),
    [
        ("12.9", True, "device auto -> cuda (NVIDIA Fake GPU)"),
        ("12.9", False, "device auto -> cpu (no CUDA device visible to torch"),
        (None, False, "device auto -> cpu (torch " + torch.__version__ + " is a CPU-only build)"),
    ],
)
def test_auto_device_logs_its_choice_and_reason(monkeypatch, caplog, cuda_build, visible, expected):
    fake_torch(monkeypatch, cuda_build, visible)
    with caplog.at_level(logging.INFO, logger="aelle.runtime"):
        device = resolve_device("auto")
    assert device.type == ("cuda" if visible else "cpu")
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert caplog.records[0].getMessage().startswith(expected)


@pytest.mark.parametrize("cuda_build", ["12.9", None])
def test_cuda_without_a_gpu_is_an_error_naming_the_config_key(monkeypatch, cuda_build):
    fake_torch(monkeypatch, cuda_build, visible=False)
    with pytest.raises(RuntimeError, match=r"config key `device` is cuda but no CUDA device"):
        resolve_device("cuda")


def test_explicit_devices_log_nothing(monkeypatch, caplog):
    fake_torch(monkeypatch, "12.9", visible=True)
    with caplog.at_level(logging.INFO, logger="aelle.runtime"):
        assert resolve_device("cpu").type == "cpu"
        assert resolve_device("cuda").type == "cuda"
    assert caplog.records == []


def test_unknown_device_is_named():
    with pytest.raises(ValueError, match=r"config key `device`.*'tpu'"):
        resolve_device("tpu")


def test_job_logging_writes_prints_logs_and_tracebacks(tmp_path):
    log = tmp_path / "sub" / "job.log"
    handlers_before = list(logging.getLogger().handlers)
    with pytest.raises(KeyError), job_logging(log, threads=1) as logger:
        print("printed line")
        logger.info("logged line")
        raise KeyError("missing thing")
    text = log.read_text()
    assert "printed line" in text
    assert "logged line" in text
    assert "missing thing" in text and "Traceback" in text
    assert logging.getLogger().handlers == handlers_before


class InputFiles:
    """Stands in for Snakemake's class: the coroutine's qualified name is what warns."""

    def _predicated_size_files(self):
        async def sizes():
            return 0

        return sizes()


def abandon(coroutine) -> None:
    """Drop a never-awaited coroutine, as Snakemake does, so Python warns when collecting it."""
    del coroutine
    gc.collect()


def test_known_third_party_noise_is_silenced_and_other_warnings_are_not():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        abandon(InputFiles()._predicated_size_files())
        assert [str(w.message) for w in caught] == [
            "coroutine 'InputFiles._predicated_size_files.<locals>.sizes' was never awaited"
        ]
        caught.clear()
        silence_known_noise()
        abandon(InputFiles()._predicated_size_files())
        warnings.warn("our own warning", RuntimeWarning, stacklevel=1)
        assert [str(w.message) for w in caught] == ["our own warning"]


JOB = """
import gc, sys, warnings
from aelle.runtime import job_logging

class InputFiles:
    def _predicated_size_files(self):
        async def sizes():
            return 0
        return sizes()

with job_logging(sys.argv[1]):
    coroutine = InputFiles()._predicated_size_files()
    del coroutine
    gc.collect()
    warnings.warn("a warning the user can act on", UserWarning, stacklevel=1)
"""


def test_a_job_prints_nothing_and_logs_only_warnings_a_user_can_act_on(tmp_path):
    log = tmp_path / "job.log"
    proc = subprocess.run(
        [sys.executable, "-c", JOB, str(log)], capture_output=True, text=True, check=True
    )
    assert proc.stdout == "" and proc.stderr == ""
    text = log.read_text()
    assert "UserWarning: a warning the user can act on" in text
    assert "never awaited" not in text
