"""The run record copies exactly the summary, metrics and key figures."""

from pathlib import Path

import pytest

from aelle.plots.record import key_figures, write_record


def test_record_holds_summary_metrics_and_only_key_figures(tmp_path: Path) -> None:
    figures = tmp_path / "figures"
    files = {
        "smnist/main-rnn/aelle-pca-performance--main--rnn.png": True,
        "smnist/main-rnn/aelle-pca-performance--main--rnn.pdf": False,
        "smnist/main-rnn/ae-training--main--rnn.png": False,
        "smnist/early-rnn/early-epochs--early--rnn.png": True,
        "signal/population/loss-vs-hyperparameter--force.png": True,
        "signal/convergence/convergence--force.png": False,
    }
    for name in files:
        (figures / name).parent.mkdir(parents=True, exist_ok=True)
        (figures / name).write_bytes(name.encode())
    (tmp_path / "summary.md").write_text("# summary\n")
    (tmp_path / "metrics.json").write_text("{}\n")
    out = tmp_path / "record"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "stale.png").write_text("old")

    copied = write_record(tmp_path / "summary.md", tmp_path / "metrics.json", figures, out)

    expected = sorted(Path("figures") / name for name, key in files.items() if key)
    assert copied == expected
    assert (out / "summary.md").read_text() == "# summary\n"
    assert (out / "metrics.json").read_text() == "{}\n"
    for path in expected:
        assert (out / path).read_bytes() == str(path.relative_to("figures")).encode()
    assert not (out / "figures" / "stale.png").exists()
    listing = (out / "figures.md").read_text().splitlines()
    assert len([line for line in listing if line.startswith("- [")]) == 3


def test_unknown_family_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown figure families \\['mystery'\\]"):
        key_figures(tmp_path, ["mystery"])
