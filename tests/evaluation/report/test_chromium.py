"""The report opens in headless Chromium without console errors or failed loads.

Chromium (Debian's ``chromium`` package) must be installed: the test fails, with the command
that installs it, when it is not -- it is never skipped. A page with a deliberate console
error is checked first, so a checker that sees nothing cannot pass.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from factorgym.evaluation.report import write_report

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)
# what a page can cause: console messages (errors, uncaught exceptions), failed loads
PAGE_PROBLEMS = re.compile(
    r":CONSOLE[(:]|Failed to load resource|net::ERR_|Uncaught|Refused to|Mixed Content"
)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "headless Chromium is required to check that report.html opens without errors, and "
        "none was found on PATH (install it: `apt-get install -y chromium`)"
    )


def open_in_chromium(page: Path, screenshot: Path, profile: Path, height: int = 2000) -> list[str]:
    """Open ``page``, save a screenshot, return the log lines that report a page problem."""
    proc = subprocess.run(
        [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={screenshot}",
            f"--window-size=1280,{height}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert screenshot.exists(), proc.stderr[-2000:]
    return [line for line in proc.stderr.splitlines() if PAGE_PROBLEMS.search(line)]


def test_the_checker_sees_a_console_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>bad</title></head><body>'
        "<p>x</p><script>console.error('planted-error'); undefinedFunction();</script>"
        "</body></html>"
    )
    problems = open_in_chromium(bad, tmp_path / "bad.png", tmp_path / "profile")
    assert any("planted-error" in p for p in problems), problems
    assert any("Uncaught ReferenceError" in p for p in problems), problems


def test_report_opens_without_console_errors(regime_run: Path, tmp_path: Path) -> None:
    files = write_report(regime_run, tmp_path / "report", reps=100)
    shot = tmp_path / "report.png"
    problems = open_in_chromium(files.html, shot, tmp_path / "profile", height=9000)
    assert problems == []
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 9000)
    assert len(image.getcolors(maxcolors=1_000_000) or []) > 100  # text and figures rendered
