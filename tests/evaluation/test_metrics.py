from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import quantstats as qs
from numpy.testing import assert_allclose
from scipy import stats

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import (
    annualized_return,
    annualized_turnover,
    annualized_volatility,
    cost_drag,
    excess_kurtosis,
    expected_shortfall,
    hit_rate,
    information_ratio,
    sharpe_ratio,
    skewness,
    sortino_ratio,
    tracking_error,
    turnover_from_weights,
)

# quantstats 0.0.86 emits no warning on these inputs; were a later version to, pyproject's
# filterwarnings=error would surface it here, on purpose.

R = np.array([0.10, -0.05, 0.02, 0.03])


def test_hand_example() -> None:
    # wealth 1.1 * 0.95 * 1.02 * 1.03 = 1.097877 over 4 months = 1/3 year
    assert_allclose(annualized_return(R), 1.097877**3 - 1, rtol=1e-12)
    assert_allclose(annualized_return(R), 0.32330837395706435, rtol=1e-12)
    assert_allclose(annualized_return(R, geometric=False), 0.30, rtol=1e-12)
    # std(ddof=1) = 0.0613731754650732; mean 0.025
    assert_allclose(annualized_volatility(R), 0.0613731754650732 * np.sqrt(12), rtol=1e-12)
    assert_allclose(sharpe_ratio(R), 0.025 / 0.0613731754650732 * np.sqrt(12), rtol=1e-12)
    assert_allclose(sharpe_ratio(R), 1.4110813025753957, rtol=1e-12)
    # downside deviation sqrt(0.05^2 / 4) = 0.025 = the mean, so Sortino = sqrt(12)
    assert_allclose(sortino_ratio(R), np.sqrt(12), rtol=1e-12)
    assert_allclose(sharpe_ratio(R, rf=0.01), 0.8466487815452374, rtol=1e-12)
    assert_allclose(sharpe_ratio(R, rf=np.full(4, 0.01)), 0.8466487815452374, rtol=1e-12)
    assert hit_rate(R) == 0.75
    assert hit_rate(R, rf=0.025) == 0.5  # 0.10 and 0.03 beat 2.5% a month
    assert hit_rate(np.array([0.0, 0.01, -0.01, 0.0])) == 0.25  # zero months are misses
    # quarterly data: periods_per_year reaches every annualisation
    assert_allclose(annualized_return(R, periods_per_year=4), 1.097877 - 1, rtol=1e-12)
    assert_allclose(sharpe_ratio(R, periods_per_year=4), 0.025 / 0.0613731754650732 * 2)


def test_shapes_follow_the_input(strategies: pd.DataFrame) -> None:
    x = strategies.to_numpy()
    out = sharpe_ratio(strategies)
    assert isinstance(out, pd.Series) and list(out.index) == ["A", "B", "C"]
    arr = sharpe_ratio(x)
    assert isinstance(arr, np.ndarray) and arr.shape == (3,)
    one = sharpe_ratio(strategies["A"])
    assert isinstance(one, float)
    assert_allclose(arr, out.to_numpy(), rtol=0)
    assert one == arr[0]


def test_against_quantstats(strategies: pd.DataFrame, benchmark: pd.Series) -> None:
    for col in strategies:
        r = strategies[col]
        # Sharpe: same definition (ddof=1, sqrt(periods)); rf is 0 here
        assert_allclose(sharpe_ratio(r), qs.stats.sharpe(r, periods=12), rtol=1e-12)
        assert_allclose(annualized_volatility(r), qs.stats.volatility(r, periods=12), rtol=1e-12)
        # CAGR: quantstats 0.0.86 counts years as n / periods, like us
        assert_allclose(annualized_return(r), qs.stats.cagr(r, periods=12), rtol=1e-12)
        assert_allclose(sortino_ratio(r), qs.stats.sortino(r, periods=12), rtol=1e-12)
        assert_allclose(skewness(r), qs.stats.skew(r), rtol=1e-12)
        assert_allclose(excess_kurtosis(r), qs.stats.kurtosis(r), rtol=1e-12)
        # quantstats' information ratio is not annualised
        assert_allclose(
            information_ratio(r, benchmark),
            qs.stats.information_ratio(r, benchmark) * np.sqrt(12),
            rtol=1e-12,
        )
        # no zero months here, so win_rate's denominator (non-zero months) is all months
        assert_allclose(hit_rate(r), qs.stats.win_rate(r), rtol=1e-12)
        # 180 * 0.05 = 9 months exactly: the historical tails agree
        assert_allclose(
            expected_shortfall(r, level=0.05),
            qs.stats.cvar(r, confidence=0.95, method="historical"),
            rtol=1e-12,
        )


def test_quantstats_differences_are_the_documented_ones() -> None:
    idx = pd.period_range("2000-01", periods=8, freq="M").to_timestamp(how="end").normalize()
    r = pd.Series([0.02, 0.0, -0.01, 0.0, 0.03, -0.02, 0.01, 0.0], index=idx)
    # hit rate counts zero months as misses; quantstats drops them from the denominator
    assert hit_rate(r) == 3 / 8
    assert qs.stats.win_rate(r) == 3 / 5
    # quantstats de-annualises an annual rf geometrically; ours is the per-period rate
    rf_month = 1.05 ** (1 / 12) - 1
    assert_allclose(sharpe_ratio(r, rf=rf_month), qs.stats.sharpe(r, rf=0.05, periods=12))
    # the default quantstats CVaR is Gaussian, not historical
    assert abs(expected_shortfall(r, level=0.25) - qs.stats.cvar(r, confidence=0.75)) > 1e-3


def test_moments_against_scipy() -> None:
    x = np.random.default_rng(3).standard_t(4, size=(50, 2))
    assert_allclose(skewness(x), stats.skew(x, bias=False), rtol=1e-12)
    assert_allclose(skewness(x, adjusted=False), stats.skew(x, bias=True), rtol=1e-12)
    assert_allclose(excess_kurtosis(x), stats.kurtosis(x, bias=False), rtol=1e-12)
    assert_allclose(excess_kurtosis(x, adjusted=False), stats.kurtosis(x, bias=True), rtol=1e-12)


def test_expected_shortfall_by_hand() -> None:
    x = np.array([-0.10, -0.04, 0.01, 0.02, 0.03, -0.02, 0.05, 0.00, 0.04, -0.06])
    # sorted: -0.10 -0.06 -0.04 -0.02 ...; level 0.2 -> the worst 2 months
    assert_allclose(expected_shortfall(x, level=0.2), (-0.10 - 0.06) / 2)
    # level 0.25 -> w = 2.5: two full months and half of the third
    assert_allclose(expected_shortfall(x, level=0.25), (-0.10 - 0.06 - 0.5 * 0.04) / 2.5)
    # below one month: the worst month
    assert_allclose(expected_shortfall(x, level=0.05), -0.10)


def test_tracking_error_and_ir_by_hand() -> None:
    b = np.array([0.05, -0.02, 0.01, 0.02])
    active = R - b  # 0.05 -0.03 0.01 0.01
    te = active.std(ddof=1) * np.sqrt(12)
    assert_allclose(tracking_error(R, b), te, rtol=1e-12)
    assert_allclose(information_ratio(R, b), 0.01 * 12 / te, rtol=1e-12)
    assert np.isnan(information_ratio(R, R))  # zero tracking error


def test_turnover_and_cost_drag() -> None:
    w = np.array([[0.5, 0.5], [0.6, 0.4], [0.6, 0.4], [0.0, 1.0]])
    assert_allclose(turnover_from_weights(w), [0.2, 0.0, 1.2])
    assert_allclose(annualized_turnover(np.array([0.2, 0.0, 1.2])), 1.4 / 3 * 12)
    assert_allclose(annualized_turnover(np.array([0.1, 0.3]), periods_per_year=4), 0.8)
    gross = np.full(24, 0.01)
    net = gross - 0.001
    assert_allclose(cost_drag(gross, net), 1.01**12 - 1.009**12, rtol=1e-12)
    assert_allclose(cost_drag(gross, net, geometric=False), 0.012, rtol=1e-12)


def test_ruin_and_constant_series() -> None:
    assert annualized_return(np.array([0.1, -1.0, 0.2])) == -1.0
    assert np.isnan(sharpe_ratio(np.full(5, 0.01)))
    assert np.isnan(sortino_ratio(np.array([0.01, 0.02, 0.03])))  # no downside


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: sharpe_ratio(R, periods_per_year=0),
            ConfigError,
            r"`periods_per_year` must be an int >= 1, got 0",
        ),
        (
            lambda: annualized_return(R, periods_per_year=12.0),
            ConfigError,
            r"`periods_per_year` must be an int >= 1, got 12.0",
        ),
        (
            lambda: annualized_return(R, geometric="yes"),
            ConfigError,
            r"`geometric` must be True or False, got 'yes'",
        ),
        (
            lambda: sharpe_ratio(np.array([0.1, np.nan, 0.2])),
            DataError,
            r"`returns` must be finite, got 1 NaN/inf values \(first at row 1\)",
        ),
        (
            lambda: sharpe_ratio(np.array([0.1])),
            DataError,
            r"`returns` must have >= 2 rows and >= 1 column, got shape \(1, 1\)",
        ),
        (
            lambda: sharpe_ratio(np.zeros((3, 2, 2))),
            DataError,
            r"`returns` must be 1-D \(n_months,\) or 2-D",
        ),
        (lambda: sharpe_ratio(["a", "b"]), DataError, r"`returns` must be numeric"),
        (
            lambda: sharpe_ratio(R, rf=np.zeros(3)),
            DataError,
            r"`rf` must be a scalar or have shape \(4,\) like the returns, got shape \(3,\)",
        ),
        (
            lambda: tracking_error(R, np.zeros(5)),
            DataError,
            r"`benchmark` must be a scalar or have shape \(4,\)",
        ),
        (
            lambda: tracking_error(R, pd.DataFrame(np.zeros((4, 2)))),
            DataError,
            r"`benchmark` must be one series, got a DataFrame of shape \(4, 2\)",
        ),
        (lambda: tracking_error(R, ["x"] * 4), DataError, r"`benchmark` must be numeric"),
        (
            lambda: expected_shortfall(R, level=1.0),
            ConfigError,
            r"`level` must be a finite number > 0 and < 1, got 1.0",
        ),
        (lambda: skewness(R[:2]), DataError, r"`returns` must have >= 3 rows"),
        (lambda: excess_kurtosis(R[:3]), DataError, r"`returns` must have >= 4 rows"),
        (lambda: skewness(R, adjusted=1), ConfigError, r"`adjusted` must be True or False"),
        (
            lambda: annualized_turnover(np.array([0.1, -0.1])),
            DataError,
            r"`turnover` must be >= 0, got minimum -0.1",
        ),
        (
            lambda: cost_drag(np.zeros(4), np.zeros(5)),
            DataError,
            r"`gross` and `net` must have the same shape, got \(4, 1\) and \(5, 1\)",
        ),
    ],
)
def test_bad_inputs(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()
