"""The reproducer's path through the default (folder) remote: a fresh clone runs the README's
commands and gets the producer's figures, metrics and summary of each named run without
training anything, both runs side by side; with nothing published it stops with one line."""

import os
import random
import re
import shlex
import time
from pathlib import Path

import pytest
from dvc_checkout import (
    MICRO,
    NANO,
    README_CONFIG,
    RUNS,
    Published,
    Run,
    executed_rules,
    outputs,
    readme_commands,
    run,
    upstream_rules,
)

pytestmark = pytest.mark.integration
MAKE_ERROR = re.compile(r"make(\[\d+\])?: \*\*\*")


def assert_reproduced(published: Published, checkout: Path, named: Run) -> None:
    """Same bytes as the producer, figures rebuilt here, no upstream job run."""
    assert outputs(checkout, named) == outputs(published.producer, named)
    assert (checkout / f"results/{named.name}/report.html").is_file()
    ran = executed_rules(checkout)
    assert ran, "no Snakemake job ran: the figures were not rebuilt"
    upstream = ran & upstream_rules(checkout)
    assert not upstream, f"upstream jobs ran: {upstream}"


def test_reproduce_both_runs_from_one_fresh_clone(published: Published) -> None:
    checkout = published.clone("fresh")
    for named in RUNS:
        assert not any((checkout / rel).exists() for rel in named.rebuilt)
        run(named.reproduce(), checkout)
        assert_reproduced(published, checkout, named)
    # The second run left the first one's files as they were.
    assert outputs(checkout, MICRO) == outputs(published.producer, MICRO)
    for named in RUNS:
        dry = run(["snakemake", "--dry-run", "--configfile", named.config], checkout)
        assert "Nothing to be done" in dry.stdout + dry.stderr


def test_reproduce_after_shuffling_pulled_file_times(published: Published) -> None:
    """Pulled files dated at random within a day either side of now (future dates happen
    with clock skew between machines)."""
    checkout = published.clone("shuffled")
    run(["dvc", "pull", *NANO.stages], checkout)
    rng = random.Random(20221)
    now = time.time()
    for top in NANO.pulled:
        for path in (checkout / top).rglob("*"):
            stamp = now + rng.uniform(-86400, 86400)
            os.utime(path, (stamp, stamp))
    run(NANO.reproduce(), checkout)
    assert_reproduced(published, checkout, NANO)


def test_missing_artifact_is_refused_not_recomputed(published: Published) -> None:
    partial = published.base / "partial-remote"
    run(["cp", "-r", str(published.remote), str(partial)], published.base)
    spectra = sorted((published.producer / "results/micro/spectra").rglob("*.parquet"))[0]
    md5 = run(["md5sum", str(spectra)], published.base).stdout.split()[0]
    (partial / "files/md5" / md5[:2] / md5[2:]).unlink()
    checkout = published.clone("missing")
    run(["tools/dvc/remote.sh", "local", str(partial)], checkout)
    proc = run(MICRO.reproduce(), checkout, check=False)
    assert proc.returncode != 0
    assert "'dvc pull' failed" in proc.stderr
    assert not executed_rules(checkout)
    assert not (checkout / "results/micro/figures").exists()


def test_nothing_published_is_one_line_and_a_non_zero_exit(published: Published) -> None:
    checkout = published.clone("unpublished")
    proc = run(["make", "reproduce"], checkout, check=False)
    assert proc.returncode != 0
    # make's own failure line ("make: ***", or "make[1]: ***" when the tests run under make)
    lines = [line for line in proc.stderr.splitlines() if not MAKE_ERROR.match(line)]
    assert lines == [
        "reproduce: nothing of run 'offline' is published here (dvc.lock has no data@offline, "
        "train@offline, spectra@offline, aelle@offline): run 'make publish "
        "CONFIG=config/config.yaml' on the machine that ran it, commit and push dvc.lock, "
        "then pull it here"
    ]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (checkout / "results/offline").exists()


def test_readme_lists_the_commands_these_tests_run() -> None:
    listed = readme_commands()
    for step in (*MICRO.publish(), MICRO.reproduce()):
        assert shlex.join(step).replace(MICRO.config, README_CONFIG) in listed
    assert any(line.startswith("git clone ") for line in listed)
    for kind in ("local", "ssh", "s3"):
        assert any(f"tools/dvc/remote.sh {kind} " in line for line in listed), kind
