"""The reproducer's path through the default (folder) remote: a fresh clone runs the README's
commands and gets the producer's figures, metrics and summary without training anything."""

import os
import random
import shlex
import time
from pathlib import Path

import pytest
from dvc_checkout import (
    PHASES,
    PUBLISH,
    REBUILT,
    REPRODUCE,
    Published,
    digest,
    executed_rules,
    readme_commands,
    run,
    upstream_rules,
)

pytestmark = pytest.mark.integration


def assert_reproduced(published: Published, checkout: Path) -> None:
    """Same bytes as the producer, figures rebuilt here, no upstream job run."""
    assert digest(checkout) == digest(published.producer)
    assert (checkout / "results/report.html").is_file()
    ran = executed_rules(checkout)
    assert ran, "no Snakemake job ran: the figures were not rebuilt"
    upstream = ran & upstream_rules(checkout)
    assert not upstream, f"upstream jobs ran: {upstream}"


def test_reproduce_from_fresh_clone(published: Published) -> None:
    checkout = published.clone("fresh")
    assert not any((checkout / rel).exists() for rel in REBUILT)
    run(REPRODUCE, checkout)
    assert_reproduced(published, checkout)
    dry = run(["snakemake", "--dry-run", "--configfile", "config/config.yaml"], checkout)
    assert "Nothing to be done" in dry.stdout + dry.stderr


def test_reproduce_after_shuffling_pulled_file_times(published: Published) -> None:
    """Pulled files dated at random within a day either side of now (future dates happen
    with clock skew between machines)."""
    checkout = published.clone("shuffled")
    run(["dvc", "pull", *PHASES], checkout)
    rng = random.Random(20221)
    now = time.time()
    for top in ("data", "results"):
        for path in (checkout / top).rglob("*"):
            stamp = now + rng.uniform(-86400, 86400)
            os.utime(path, (stamp, stamp))
    run(REPRODUCE, checkout)
    assert_reproduced(published, checkout)


def test_missing_artifact_is_refused_not_recomputed(published: Published) -> None:
    partial = published.base / "partial-remote"
    run(["cp", "-r", str(published.remote), str(partial)], published.base)
    spectra = sorted((published.producer / "results/spectra").rglob("*.parquet"))[0]
    md5 = run(["md5sum", str(spectra)], published.base).stdout.split()[0]
    (partial / "files/md5" / md5[:2] / md5[2:]).unlink()
    checkout = published.clone("missing")
    run(["tools/dvc/remote.sh", "local", str(partial)], checkout)
    proc = run(REPRODUCE, checkout, check=False)
    assert proc.returncode != 0
    assert "'dvc pull' failed" in proc.stderr
    assert not executed_rules(checkout)
    assert not (checkout / "results/figures").exists()


def test_readme_lists_the_commands_these_tests_run() -> None:
    listed = readme_commands()
    for step in (*PUBLISH, REPRODUCE):
        assert shlex.join(step) in listed
    assert any(line.startswith("git clone ") for line in listed)
    for kind in ("local", "ssh", "s3"):
        assert any(f"tools/dvc/remote.sh {kind} " in line for line in listed), kind
