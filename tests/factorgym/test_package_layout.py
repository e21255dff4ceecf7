"""Every design-card folder imports as a factorgym subpackage, wherever Python starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SUBPACKAGES = ("envs", "agents", "regimes", "forecasts", "experiments", "evaluation", "data")


@pytest.mark.parametrize("cwd", ["repo_root", "elsewhere"])
def test_subpackages_import_from_any_working_directory(cwd, tmp_path):
    code = (
        "import importlib, factorgym; "
        f"mods = [importlib.import_module('factorgym.' + s) for s in {SUBPACKAGES!r}]; "
        "print(mods[0].FactorTimingEnv.__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT if cwd == "repo_root" else tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "FactorTimingEnv"
