"""Summary statistics against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from factorgym.errors import ConfigError
from factorgym.experiments import summarize
from factorgym.experiments.summary import series_statistics
from factorgym.experiments.units import annualised_sharpe


def test_series_statistics_by_hand():
    frame = pd.DataFrame(
        {
            "net_return": [0.02, -0.01, 0.03, -0.02],
            "rf": [0.0, 0.0, 0.01, 0.0],
            "turnover": [0.5, 0.1, 0.1, 0.2],
            "cost_total": [0.001, 0.0, 0.0, 0.001],
        }
    )
    s = series_statistics(frame, periods_per_year=12)
    excess = np.array([0.02, -0.01, 0.02, -0.02])
    assert s["ann_excess"] == pytest.approx(0.0025 * 12)
    sd = math.sqrt(((excess - 0.0025) ** 2).sum() / 3)
    assert s["ann_vol"] == pytest.approx(sd * math.sqrt(12))
    assert s["sharpe"] == pytest.approx(0.0025 / sd * math.sqrt(12))
    # wealth 1.02, 1.0098, 1.040094, 1.01929212: worst fall 1 - 1.0098/1.02
    assert s["max_drawdown"] == pytest.approx(1 - 1.01929212 / 1.040094)
    assert s["turnover"] == pytest.approx(0.225) and s["cost_drag"] == pytest.approx(0.006)
    assert annualised_sharpe(excess) == pytest.approx(s["sharpe"])
    assert math.isnan(annualised_sharpe(np.array([0.01])))
    assert math.isnan(annualised_sharpe(np.zeros(5)))


def test_summarize_averages_seeds():
    rows = []
    for seed, shift in ((0, 0.0), (1, 0.01)):
        for i, r in enumerate([0.01, -0.02, 0.03]):
            rows.append(
                {
                    "agent": "a",
                    "seed": seed,
                    "path": 0,
                    "month": f"2000-0{i + 1}",
                    "net_return": r + shift,
                    "rf": 0.0,
                    "turnover": 0.1,
                    "cost_total": 0.0,
                }
            )
    table = summarize(pd.DataFrame(rows))
    assert table.loc["a", "series"] == 2 and table.loc["a", "months"] == 3
    s0 = annualised_sharpe(np.array([0.01, -0.02, 0.03]))
    s1 = annualised_sharpe(np.array([0.02, -0.01, 0.04]))
    assert table.loc["a", "sharpe"] == pytest.approx((s0 + s1) / 2)
    assert table.loc["a", "sharpe_sd"] == pytest.approx(abs(s0 - s1) / 2)
    with pytest.raises(ConfigError, match=r"`periods_per_year` must be an int >= 1, got 0"):
        summarize(pd.DataFrame(rows), periods_per_year=0)
