"""Shared fixtures: small synthetic panels and a slice of the embedded French data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from factorgym import FactorPanel
from factorgym.data import load, synthetic_market

ROOT = Path(__file__).resolve().parents[1]


def pytest_report_header(config: pytest.Config) -> str:
    """Say which copy of factorgym is under test (this checkout or an installed copy)."""
    import factorgym

    where = Path(factorgym.__file__).resolve().parent
    copy = "this checkout" if where == ROOT / "factorgym" else "an installed copy, not the checkout"
    return f"factorgym {factorgym.__version__} under test: {where} ({copy})"


@pytest.fixture(scope="session")
def french_panel() -> FactorPanel:
    """Embedded Ken French factors (MktRF, SMB, HML, Mom), 1949-01..2017-03."""
    return load("french")


@pytest.fixture(scope="session")
def french_small() -> FactorPanel:
    """A 10-year slice of the embedded factors, 1990-01..1999-12."""
    return load("french", start="1990-01", end="1999-12")


@pytest.fixture()
def random_panel() -> FactorPanel:
    """120 months of 3 Gaussian excess-return factors from ``default_rng(0)``."""
    rng = np.random.default_rng(0)
    months = pd.period_range("2000-01", periods=120, freq="M")
    return FactorPanel(
        rng.normal(0.005, 0.04, size=(120, 3)), 0.002, months, ["A", "B", "C"], kind="excess"
    )


@pytest.fixture(scope="session")
def regime_market():
    """A 600-month, 4-factor, 2-state synthetic market with its ground truth (seed 0)."""
    return synthetic_market(600, 4, seed=0)
