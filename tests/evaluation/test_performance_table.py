from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import quantstats as qs
from numpy.testing import assert_allclose

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import (
    annualized_turnover,
    cost_drag,
    performance_table,
    sharpe_ratio,
    sharpe_standard_error,
)

# quantstats 0.0.86 emits no warning on these inputs; pyproject's filterwarnings=error would
# surface one from a later release here, on purpose.
BASE = [
    "ann_return",
    "ann_return_arith",
    "ann_vol",
    "sharpe",
    "sharpe_se_iid",
    "sharpe_se_hac",
    "sortino",
    "max_drawdown",
    "max_dd_months",
    "calmar",
    "hit_rate",
    "skew",
    "excess_kurtosis",
    "expected_shortfall",
]


def test_columns_and_rows(strategies: pd.DataFrame, benchmark: pd.Series) -> None:
    table = performance_table(strategies)
    assert list(table.columns) == [*BASE, "n_months"]
    assert list(table.index) == ["A", "B", "C"] and table.index.name == "strategy"
    assert (table["n_months"] == 180).all()
    full = performance_table(
        strategies,
        benchmark=benchmark,
        rf=0.002,
        turnover=np.full(strategies.shape, 0.1),
        gross_returns=strategies + 0.001,
    )
    assert list(full.columns) == [
        *BASE,
        "tracking_error",
        "information_ratio",
        "ann_turnover",
        "cost_drag",
        "n_months",
    ]
    assert_allclose(full["ann_turnover"], 1.2)
    assert_allclose(full["cost_drag"], cost_drag(strategies + 0.001, strategies).to_numpy())
    assert_allclose(annualized_turnover(np.full(5, 0.1)), 1.2)


def test_matches_quantstats_column_by_column(
    strategies: pd.DataFrame, benchmark: pd.Series
) -> None:
    t = performance_table(strategies, benchmark=benchmark)
    for col in strategies:
        r = strategies[col]
        row = t.loc[col]
        assert_allclose(row["ann_return"], qs.stats.cagr(r, periods=12), rtol=1e-12)
        assert_allclose(row["ann_vol"], qs.stats.volatility(r, periods=12), rtol=1e-12)
        assert_allclose(row["sharpe"], qs.stats.sharpe(r, periods=12), rtol=1e-12)
        assert_allclose(row["sortino"], qs.stats.sortino(r, periods=12), rtol=1e-12)
        assert_allclose(row["max_drawdown"], -qs.stats.max_drawdown(r), rtol=1e-12)
        assert_allclose(row["calmar"], qs.stats.calmar(r, periods=12), rtol=1e-12)
        assert_allclose(row["skew"], qs.stats.skew(r), rtol=1e-12)
        assert_allclose(row["excess_kurtosis"], qs.stats.kurtosis(r), rtol=1e-12)
        assert_allclose(row["hit_rate"], qs.stats.win_rate(r), rtol=1e-12)
        assert_allclose(
            row["information_ratio"],
            qs.stats.information_ratio(r, benchmark) * np.sqrt(12),
            rtol=1e-12,
        )


def test_rf_reaches_the_excess_return_columns(strategies: pd.DataFrame) -> None:
    rf = np.linspace(0.001, 0.004, len(strategies))
    t0 = performance_table(strategies)
    t1 = performance_table(strategies, rf=rf)
    assert_allclose(t1["sharpe"], sharpe_ratio(strategies, rf=rf).to_numpy(), rtol=1e-12)
    assert_allclose(
        t1["sharpe_se_hac"],
        sharpe_standard_error(strategies, rf=rf, method="hac").to_numpy(),
        rtol=1e-12,
    )
    assert (t1["sharpe"] < t0["sharpe"]).all()
    # wealth-based columns use the total returns and do not move
    assert_allclose(t1["ann_return"], t0["ann_return"], rtol=0)
    assert_allclose(t1["max_drawdown"], t0["max_drawdown"], rtol=0)


def test_array_input_gets_numbered_rows() -> None:
    x = np.random.default_rng(0).normal(0.01, 0.04, size=(60, 2))
    t = performance_table(x, periods_per_year=4, hac_lags=2)
    assert list(t.index) == ["0", "1"]
    assert_allclose(t["sharpe"], sharpe_ratio(x, periods_per_year=4), rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"periods_per_year": 0}, ConfigError, r"`periods_per_year` must be an int >= 1, got 0"),
        ({"es_level": 0.0}, ConfigError, r"`es_level` must be a finite number > 0 and < 1"),
        ({"hac_lags": -1}, ConfigError, r"`hac_lags` must be an int >= 0 and <= 179, got -1"),
        (
            {"turnover": np.zeros((10, 3))},
            DataError,
            r"`turnover` must have the shape of `returns` \(180, 3\), got \(10, 3\)",
        ),
        (
            {"gross_returns": np.zeros((180, 2))},
            DataError,
            r"`gross_returns` must have the shape of `returns` \(180, 3\), got \(180, 2\)",
        ),
        ({"benchmark": np.zeros(179)}, DataError, r"`benchmark` must be a scalar or have shape"),
    ],
)
def test_bad_inputs(strategies: pd.DataFrame, kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        performance_table(strategies, **kwargs)
