"""Fixtures of the env tests: tiny hand-made panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorgym import FactorPanel


@pytest.fixture()
def tiny_panel() -> FactorPanel:
    """Five months of HML and Mom excess returns with rf = 0.1 % (the hand-computed example)."""
    x = np.array(
        [
            [0.01, 0.02],
            [-0.01, 0.03],
            [0.02, -0.01],
            [0.03, 0.04],
            [-0.02, 0.01],
        ]
    )
    months = pd.period_range("2000-01", periods=5, freq="M")
    return FactorPanel(x, 0.001, months, ["HML", "Mom"], kind="excess")


@pytest.fixture()
def total_panel() -> FactorPanel:
    """60 months of 3 investable assets (total returns) with unknown names, rf = 0.2 %."""
    rng = np.random.default_rng(1)
    months = pd.period_range("2005-01", periods=60, freq="M")
    r = rng.normal(0.008, 0.05, size=(60, 3))
    return FactorPanel(r, 0.002, months, ["AAA", "BBB", "CCC"], kind="total")
