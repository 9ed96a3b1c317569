"""``aelle spectrum`` on a checkpoint written by the test."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from aelle.cells import make_cell
from aelle.cli import build_parser, main
from aelle.lyapunov import rnn_spectrum
from aelle.lyapunov.population import COLUMNS

K, IN, H, OUT = 3, 2, 4, 5


def _checkpoint(path: Path, scale: float = 1.0) -> dict:
    g = torch.Generator().manual_seed(0)
    params = {
        "weight_ih": torch.rand(K, 3 * H, IN, generator=g) - 0.5,
        "weight_hh": (torch.rand(K, 3 * H, H, generator=g) - 0.5) * scale,
    }
    ckpt = {
        "format": "aelle-population/1", "task": "smnist", "arch": "gru", "kind": "gru",
        "epoch": 2, "input_size": IN, "hidden_size": H, "output_size": OUT,
        "network_ids": [f"smnist/gru/h{H}/n{i:04d}" for i in (0, 1, 7)],
        "indices": torch.tensor([0, 1, 7]), "seeds": torch.tensor([11, 12, 13]),
        "p": torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64),
        "cell_params": params, "cell_options": {},
        "readout": {"weight": torch.zeros(K, OUT, H), "bias": torch.zeros(K, OUT)},
    }  # fmt: skip
    torch.save(ckpt, path)
    return ckpt


def test_spectrum_command_writes_table(tmp_path: Path) -> None:
    ckpt = _checkpoint(tmp_path / "epoch2.pt")
    g = torch.Generator().manual_seed(1)
    inputs = torch.randn(4, 20, IN, generator=g)
    warm = torch.randn(4, 30, IN, generator=g, dtype=torch.float64)
    np.save(tmp_path / "val.npy", inputs.numpy())
    torch.save(warm, tmp_path / "warm.pt")
    args = ["spectrum", str(tmp_path / "epoch2.pt"), "--inputs", str(tmp_path / "val.npy"),
            "--warmup-inputs", str(tmp_path / "warm.pt"), "--input-set", "novel"]  # fmt: skip
    assert main([*args, "--output", str(tmp_path / "s.parquet")]) == 0
    table = pd.read_parquet(tmp_path / "s.parquet")
    assert list(table.columns) == list(COLUMNS)
    assert table["network_id"].tolist() == ckpt["network_ids"]
    assert table["index"].tolist() == [0, 1, 7]
    assert (table["status"] == "ok").all() and (table["input_set"] == "novel").all()
    assert (table["epoch"] == 2).all() and (table["size"] == H).all()
    for j in range(K):
        cell = make_cell("gru", {k: v[j : j + 1] for k, v in ckpt["cell_params"].items()})
        exps = rnn_spectrum(cell, inputs.double(), warmup_inputs=warm)
        np.testing.assert_allclose(table["exponents"][j], exps.mean(0).numpy(), atol=1e-12)
        np.testing.assert_allclose(
            table["exponents_std"][j], exps.std(0, correction=0).numpy(), atol=1e-12
        )
    assert main([*args, "--output", str(tmp_path / "s.csv"), "--chunk", "2"]) == 0
    csv = pd.read_csv(tmp_path / "s.csv")
    for j in range(K):
        np.testing.assert_allclose(json.loads(csv["exponents"][j]), table["exponents"][j])


def test_log_base_e_2_and_10_give_the_same_spectrum_in_their_units(tmp_path: Path) -> None:
    _checkpoint(tmp_path / "c.pt")
    inputs = torch.randn(2, 10, IN, generator=torch.Generator().manual_seed(2))
    np.save(tmp_path / "in.npy", inputs.numpy())
    tables = {}
    for base in ("e", "2", "10"):
        out = tmp_path / f"s{base}.parquet"
        argv = ["spectrum", str(tmp_path / "c.pt"), "--inputs", str(tmp_path / "in.npy")]
        assert main([*argv, "--output", str(out), "--log-base", base]) == 0
        tables[base] = pd.read_parquet(out)
    assert tables["e"]["log_base"].tolist() == [math.e] * K
    assert tables["10"]["log_base"].tolist() == [10.0] * K
    bits, nats, digits = (np.stack(tables[b]["exponents"]) for b in ("2", "e", "10"))
    np.testing.assert_allclose(nats, bits * math.log(2), rtol=1e-12, atol=0)
    np.testing.assert_allclose(digits, bits * math.log10(2), rtol=1e-12, atol=0)


def _spectrum_parser() -> argparse.ArgumentParser:
    (subparsers,) = (a for a in build_parser()._actions if a.choices and "spectrum" in a.choices)
    return subparsers.choices["spectrum"]


def test_every_option_has_help_with_its_default_and_no_rst() -> None:
    parser = _spectrum_parser()
    for action in parser._actions:
        if action.dest == "help":
            continue
        assert action.help, action.dest
        assert "`" not in action.help, action.dest
        if action.option_strings and not action.required:
            assert "(default: " in action.help, action.dest
    text = parser.format_help()
    assert "`" not in text and "`" not in build_parser().format_help()
    shown = {
        flag: action.help % {"default": action.default}
        for flag, action in parser._option_string_actions.items()
    }
    for flag, default in [("--state", "full"), ("--qr-every", "1"), ("--dtype", "float64")]:
        assert f"(default: {default})" in shown[flag], flag
    assert "(default: 2)" in shown["--log-base"] and "e nats" in shown["--log-base"]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A checkpoint and input files, good and bad, for the error tests."""
    _checkpoint(tmp_path / "c.pt")
    np.save(tmp_path / "in.npy", np.zeros((2, 3, IN)))
    np.save(tmp_path / "ints.npy", np.zeros((2, 3, IN), dtype=np.int64))
    np.save(tmp_path / "wide.npy", np.zeros((2, 3, IN + 1)))
    np.save(tmp_path / "batch3.npy", np.zeros((3, 3, IN)))
    (tmp_path / "garbage.npy").write_bytes(b"not an array")
    (tmp_path / "in.txt").write_text("0 1")
    torch.save(torch.zeros(2), tmp_path / "tensor.pt")
    (tmp_path / "folder.pt").mkdir()
    return tmp_path


def _argv(root: Path, *extra: str, checkpoint: str = "c.pt", inputs: str = "in.npy") -> list:
    return ["spectrum", str(root / checkpoint), "--inputs", str(root / inputs),
            "--output", str(root / "out.parquet"), *extra]  # fmt: skip


ERRORS = [
    ({"checkpoint": "nope.pt"}, (), r"checkpoint \S+nope\.pt: No such file or directory"),
    ({"checkpoint": "folder.pt"}, (), r"checkpoint \S+folder\.pt: Is a directory"),
    ({"checkpoint": "in.npy"}, (), r"checkpoint \S+in\.npy: not a population checkpoint"),
    ({"checkpoint": "tensor.pt"}, (), r"checkpoint \S+tensor\.pt: not a population checkpoint"),
    ({"inputs": "nope.npy"}, (), r"--inputs \S+nope\.npy: No such file or directory"),
    ({"inputs": "garbage.npy"}, (), r"--inputs \S+garbage\.npy: not readable as a NumPy array"),
    ({"inputs": "c.pt"}, (), r"--inputs \S+c\.pt: expected a tensor, found dict"),
    ({"inputs": "in.txt"}, (), r"--inputs \S+in\.txt: inputs must be a \.npy or \.pt file"),
    ({"inputs": "ints.npy"}, (), r"--inputs \S+ints\.npy: inputs must be a float array"),
    ({"inputs": "wide.npy"}, (), r"--inputs \S+wide\.npy: 3 features per step, but .* take 2"),
    ({}, ("--warmup-inputs", "WIDE"), r"--warmup-inputs \S+wide\.npy: 3 features per step"),
    ({}, ("--warmup-inputs", "BATCH3"), r"--warmup-inputs \S+: batch 3, but --inputs has batch 2"),
    ({}, ("--qr-every", "0"), r"--qr-every: must be a positive integer, got 0"),
    ({}, ("--qr-every", "two"), r"argument --qr-every: invalid int value: 'two'"),
    ({}, ("--num-exponents", "0"), r"--num-exponents: must be a positive integer"),
    ({}, ("--num-exponents", "9"), r"--num-exponents: 9 exceeds the 4 exponents"),
    ({}, ("--log-base", "3"), r"argument --log-base: invalid choice: '3'"),
    ({}, ("--state", "cell"), r"argument --state: invalid choice: 'cell'"),
    ({}, ("--dtype", "float16"), r"argument --dtype: invalid choice: 'float16'"),
    ({}, ("--device", "tpu"), r"argument --device: invalid choice: 'tpu'"),
    ({}, ("--chunk", "0"), r"argument --chunk: must be a positive integer, got '0'"),
    ({}, ("--threads", "-1"), r"argument --threads: must be a positive integer, got '-1'"),
    ({}, ("--output", "OUT_TXT"), r"--output \S+out\.txt: must end in \.parquet or \.csv"),
]


@pytest.mark.parametrize(("files_", "extra", "message"), ERRORS)
def test_user_errors_are_one_line_naming_the_argument_or_file(
    files: Path, capsys, files_: dict, extra: tuple, message: str
) -> None:
    names = {"WIDE": "wide.npy", "BATCH3": "batch3.npy", "OUT_TXT": "out.txt"}
    extra = tuple(str(files / names[e]) if e in names else e for e in extra)
    line = _one_line_error(capsys, _argv(files, *extra, **files_))
    assert re.search(message, line), line
    assert "weights_only" not in line and "allow_pickle" not in line


def test_missing_required_argument_is_one_line(files: Path, capsys) -> None:
    line = _one_line_error(capsys, ["spectrum", str(files / "c.pt")])
    assert "the following arguments are required: --inputs, --output" in line


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_without_a_gpu_is_one_line(files: Path, capsys) -> None:
    line = _one_line_error(capsys, _argv(files, "--device", "cuda"))
    assert (
        line == "aelle spectrum: error: --device cuda: no CUDA device is visible (use cpu or auto)"
    )


def _one_line_error(capsys, argv: list[str]) -> str:
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    err = capsys.readouterr().err
    assert status == 1
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("aelle spectrum: error: "), err
    return err.strip()


def test_installed_command_prints_no_traceback(files: Path) -> None:
    """The real process: a .npy given as checkpoint is one line on stderr, status 1."""
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    argv = _argv(files, checkpoint="in.npy")
    done = subprocess.run(
        [sys.executable, "-m", "aelle", *argv], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"aelle spectrum: error: checkpoint {files / 'in.npy'}: not a population checkpoint "
        "(a .pt file of format aelle-population/1)"
    ]
