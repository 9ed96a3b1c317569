import logging

import pytest
import torch

from aelle.runtime import job_logging, resolve_device


def test_auto_device_matches_cuda_availability():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected


def test_unknown_device_is_named():
    with pytest.raises(ValueError, match="tpu"):
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
