"""Fixtures of the evaluation tests: monthly strategy returns with a datetime index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def month_ends(n: int, start: str = "2000-01") -> pd.DatetimeIndex:
    """Month-end timestamps (quantstats needs a DatetimeIndex, not a PeriodIndex)."""
    return pd.period_range(start, periods=n, freq="M").to_timestamp(how="end").normalize()


@pytest.fixture()
def strategies() -> pd.DataFrame:
    """180 months of 3 fat-tailed, mildly autocorrelated strategies (``default_rng(0)``)."""
    rng = np.random.default_rng(0)
    n = 180
    shocks = rng.standard_t(5, size=(n, 3)) * np.array([0.03, 0.045, 0.02])
    x = np.empty_like(shocks)
    x[0] = shocks[0]
    for t in range(1, n):
        x[t] = 0.15 * x[t - 1] + shocks[t]
    x += np.array([0.008, 0.004, 0.002])
    return pd.DataFrame(x, index=month_ends(n), columns=["A", "B", "C"])


@pytest.fixture()
def benchmark(strategies: pd.DataFrame) -> pd.Series:
    """An equal-weight mix of the strategies plus noise, on the same months."""
    rng = np.random.default_rng(1)
    noise = rng.normal(0.0, 0.01, len(strategies))
    return pd.Series(strategies.mean(axis=1).to_numpy() + noise, index=strategies.index, name="EW")
