"""The DAG without running it: paper scale dry-run (its text hashes pinned, see
config/paper.yaml), config validation at parse time, lint."""

import pytest
import yaml
from project import REPO, copy_worktree, run


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    path = tmp_path_factory.mktemp("dag")
    copy_worktree(path)
    return path


def test_paper_config_prints_the_whole_dag_once_its_hashes_are_pinned(checkout, tmp_path):
    config = yaml.safe_load((checkout / "config/paper.yaml").read_text())
    for entry in config["tasks"]["charrnn"]["data"]["files"].values():
        entry["sha256"] = "ab" * 32
    pinned = tmp_path / "paper.yaml"
    pinned.write_text(yaml.safe_dump(config))
    proc = run(
        ["snakemake", "-n", "--quiet", "rules", "--configfile", str(pinned)],
        checkout,
        timeout=120,
    )
    out = proc.stdout + proc.stderr
    for rule in ("download", "train_shard", "spectrum_shard", "fit_aelle", "summary"):
        assert rule in out


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("seed: 2022", "seed: -1", "seed: -1 is less than the minimum"),
        ("device: cpu", "device: gpu", "device: 'gpu' is not one of"),
        (
            "      qr_every: 1",
            "      qr_every: 1\n      qr_evry: 2",
            "tasks.smnist.spectrum.qr_evry: unknown key",
        ),
    ],
    ids=["range", "enum", "unknown-key"],
)
def test_bad_config_fails_before_any_job_naming_the_key(checkout, tmp_path, old, new, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text((checkout / "config/config.yaml").read_text().replace(old, new, 1))
    proc = run(["snakemake", "--cores", "1", "--configfile", str(bad)], checkout, check=False)
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr[-2000:]
    assert not (checkout / "data/offline/prepared").exists()
    assert not (checkout / "results/offline/train").exists()


def _dry_run(checkout, config):
    """`snakemake -n` (job list and reasons) with ``config`` (a dict) as its only config."""
    path = checkout / "passed.yaml"
    path.write_text(yaml.safe_dump(config))
    return run(["snakemake", "-n", "--configfile", str(path)], checkout, check=False, timeout=120)


def test_a_one_task_config_runs_only_that_task(checkout):
    config = yaml.safe_load((checkout / "config/config.yaml").read_text())
    config["tasks"] = {"smnist": config["tasks"]["smnist"]}
    proc = _dry_run(checkout, config)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "results/offline/train/smnist/" in proc.stdout
    for other in ("charrnn", "signal"):
        assert f"/{other}" not in proc.stdout, other


def test_a_config_without_aelle_fails_naming_it(checkout):
    config = yaml.safe_load((checkout / "config/config.yaml").read_text())
    del config["aelle"]
    proc = _dry_run(checkout, config)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "aelle: required key is missing" in out, out[-2000:]
    assert "Job stats" not in out


def test_lint_and_format_are_clean():
    run(["snakemake", "--lint"], REPO, timeout=120)
    run(["snakefmt", "--check", "Snakefile", "workflow/rules"], REPO)
    run(["ruff", "check", "."], REPO)
    run(["ruff", "format", "--check", "."], REPO)
