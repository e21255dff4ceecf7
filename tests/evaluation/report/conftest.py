"""Fixtures of the report tests: small runs through the real runner with stand-in allocators.

Until the real allocators land in agents/, runs use the experiments tests' stand-ins
(``tests/experiments/shim``: a stand-in ``factorgym.agents.rollout`` is installed only when the
real one is missing) and the allocators of ``report_standins.py`` next to this file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SHIM = HERE.parents[1] / "experiments" / "shim"
for folder in (SHIM, HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import factorgym_standins  # noqa: E402
import report_support  # noqa: E402

factorgym_standins.install_rollout_finder()


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
