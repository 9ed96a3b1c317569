"""The HTML report as a reader sees it: built quietly, rendered in headless Chromium without
script errors, with the summary, run-times and figure items, and a quiet `make run`."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from project import run

pytestmark = pytest.mark.workflow

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=10000",
    "--window-size=1400,1000",
]
# Chromium logs every console message of the page as `...:INFO:CONSOLE:<line>] "<text>"`.
CONSOLE = re.compile(r":CONSOLE(?::\d+|\(\d+\))\] \"(.*)\", source: (.*)$", re.MULTILINE)
WARNING = re.compile(r"^.*\b\w*Warning: .*$", re.MULTILINE)


def chromium(page: Path, profile: Path, *outputs: str) -> subprocess.CompletedProcess:
    """Open ``page`` in headless Chromium with a throwaway profile; ``outputs`` are flags such
    as ``--dump-dom`` or ``--screenshot=PATH``."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium is not installed: run `make test-deps` (Debian package chromium)")
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *outputs, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def script_errors(chromium_log: str) -> list[str]:
    """Console messages of the page that report an error (uncaught exceptions included)."""
    return [
        f"{text} ({source})"
        for text, source in CONSOLE.findall(chromium_log)
        if re.search(r"error|uncaught|failed", text, re.IGNORECASE)
    ]


def test_script_errors_are_found_in_a_broken_page(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>undefinedFunction();</script></body></html>")
    errors = script_errors(chromium(page, tmp_path / "profile", "--dump-dom").stderr)
    assert len(errors) == 1 and "Uncaught ReferenceError" in errors[0]


@pytest.fixture(scope="module")
def report(tiny_run: Path) -> tuple[Path, str]:
    """The tiny run's report (`make report`) and what the command printed."""
    proc = run(["make", "report"], tiny_run)
    return tiny_run / "results/tiny/report.html", proc.stdout + proc.stderr


def test_report_builds_without_python_warnings(report):
    _, printed = report
    assert "Report created" in printed
    assert not WARNING.findall(printed), WARNING.findall(printed)[:5]


def test_make_run_printed_no_python_warnings(tiny_run):
    printed = (tiny_run / "logs/make-run.out").read_text()
    assert "steps (100%) done" in printed
    assert not WARNING.findall(printed), WARNING.findall(printed)[:5]


def test_report_renders_in_chromium_without_script_errors(report, tmp_path):
    path, _ = report
    shot = tmp_path / "report.png"
    proc = chromium(path, tmp_path / "profile", "--dump-dom")
    assert not script_errors(proc.stderr), script_errors(proc.stderr)
    # The menu exists only once the page's scripts have run (the file holds it as data).
    assert ">Statistics<" not in path.read_text() and ">Statistics<" in proc.stdout
    for category in ("Overview", "smnist", "charrnn", "signal"):
        assert f"<span>{category}</span>" in proc.stdout, f"no menu entry {category}"
    chromium(path, tmp_path / "profile", f"--screenshot={shot}")
    assert shot.stat().st_size > 10_000


def test_report_holds_the_summary_run_times_and_a_caption_per_figure(report):
    html = report[0].read_text()
    for page in ("summary", "run-times"):
        assert f"results/tiny/report/{page}.html" in html
    for caption in (
        "Autoencoder training curves of task",
        "Predicted against actual final loss of the test networks",
        "What good, middling and bad networks of task",
        "Sample Lyapunov spectra of good and bad networks",
    ):
        assert caption in html, caption
