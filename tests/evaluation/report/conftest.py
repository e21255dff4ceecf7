"""Fixtures of the report tests: small runs through the real runner with small allocators.

Runs use the experiments tests' stand-in allocators (``tests/experiments/helpers``: fast,
deterministic, through the real ``factorgym.agents.run_allocator``) and the allocator of
``report_support.py`` next to this file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
HELPERS = HERE.parents[1] / "experiments" / "helpers"
for folder in (HELPERS, HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
# worker and CLI processes import the allocators' kinds from these folders too
_paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
for folder in (HELPERS, HERE):
    if str(folder) not in _paths:
        _paths.insert(0, str(folder))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, _paths))

import report_support  # noqa: E402


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished 4-fold run: fixed (not a contender), random (2 seeds), trend (2 seeds)."""
    return report_support.make_run(tmp_path_factory.mktemp("runs") / "tiny")


@pytest.fixture(scope="session")
def regime_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run with HMM regime features and the replay tables in its manifest."""
    root = report_support.make_run(
        tmp_path_factory.mktemp("runs") / "regime", regimes=True, n_months=300
    )
    report_support.add_replay_tables(root)
    return root
