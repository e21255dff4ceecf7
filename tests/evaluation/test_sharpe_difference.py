from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import jobson_korkie_test, ledoit_wolf_test, sharpe_ratio


def _pairs(n_obs: int, n_sims: int, rho: float, sr: tuple[float, float], seed: int):
    """Bivariate normal returns with unit variances: arrays of shape (n_obs, n_sims)."""
    rng = np.random.default_rng(seed)
    z1 = rng.normal(size=(n_obs, n_sims))
    z2 = rho * z1 + np.sqrt(1 - rho**2) * rng.normal(size=(n_obs, n_sims))
    return sr[0] + z1, sr[1] + z2


def test_memmel_variance_matches_monte_carlo() -> None:
    a, b = _pairs(120, 4000, 0.6, (0.3, 0.1), 0)
    diff = sharpe_ratio(a) - sharpe_ratio(b)  # annualised
    mc = diff.std(ddof=1)
    se = np.mean([jobson_korkie_test(a[:, i], b[:, i]).std_error for i in range(400)])
    assert abs(se / mc - 1) < 0.06, (se, mc)  # seen: 0.2913 vs 0.2969


def test_memmel_by_hand() -> None:
    a, b = _pairs(60, 1, 0.5, (0.2, 0.0), 1)
    a, b = a[:, 0], b[:, 0]
    sa, sb = a.mean() / a.std(ddof=1), b.mean() / b.std(ddof=1)
    rho = np.corrcoef(a, b)[0, 1]
    theta = (2 - 2 * rho + (sa**2 + sb**2) / 2 - sa * sb * rho**2) / 60
    res = jobson_korkie_test(a, b)
    assert_allclose(res.statistic, (sa - sb) / np.sqrt(theta), rtol=1e-12)
    assert_allclose(res.std_error, np.sqrt(theta * 12), rtol=1e-12)
    assert_allclose(res.difference, (sa - sb) * np.sqrt(12), rtol=1e-12)
    assert res.method == "jobson_korkie_memmel" and res.lags is None and res.n_obs == 60


def _brute_ledoit_wolf_se(a: np.ndarray, b: np.ndarray, lags: int) -> float:
    """Numerical gradient and a term-by-term Bartlett double sum."""
    n = a.size
    v = np.array([a.mean(), b.mean(), np.mean(a**2), np.mean(b**2)])

    def f(w: np.ndarray) -> float:
        return w[0] / np.sqrt(w[2] - w[0] ** 2) - w[1] / np.sqrt(w[3] - w[1] ** 2)

    grad = np.empty(4)
    for i in range(4):
        h = np.zeros(4)
        h[i] = 1e-6 * max(abs(v[i]), 1e-3)
        grad[i] = (f(v + h) - f(v - h)) / (2 * h[i])
    y = np.column_stack([a, b, a**2, b**2]) - v
    psi = np.zeros((4, 4))
    for s in range(n):
        for t in range(n):
            j = abs(s - t)
            if j <= lags:
                psi += (1 - j / (lags + 1)) * np.outer(y[s], y[t]) / n
    return float(np.sqrt(grad @ psi @ grad / n))


def test_ledoit_wolf_brute_force() -> None:
    a, b = _pairs(60, 1, 0.4, (0.25, 0.05), 2)
    a, b = 0.01 * a[:, 0], 0.01 * b[:, 0]
    for lags in (0, 3):
        res = ledoit_wolf_test(a, b, lags=lags, periods_per_year=1)
        assert_allclose(res.std_error, _brute_ledoit_wolf_se(a, b, lags), rtol=1e-6)
        sa = a.mean() / a.std()
        sb = b.mean() / b.std()
        assert_allclose(res.difference, sa - sb, rtol=1e-12)
        assert res.lags == lags


def test_ledoit_wolf_close_to_memmel_for_normal_iid() -> None:
    a, b = _pairs(5000, 1, 0.7, (0.1, 0.05), 3)
    jk = jobson_korkie_test(a[:, 0], b[:, 0])
    lw = ledoit_wolf_test(a[:, 0], b[:, 0], lags=0)
    assert abs(lw.std_error / jk.std_error - 1) < 0.05, (lw.std_error, jk.std_error)


def test_power_and_rf(strategies: pd.DataFrame, benchmark: pd.Series) -> None:
    a, b = _pairs(600, 1, 0.8, (0.3, 0.1), 4)
    for test in (jobson_korkie_test, ledoit_wolf_test):
        res = test(a[:, 0], b[:, 0])
        assert res.pvalue < 0.001  # correlated series tell a 0.2 monthly gap apart
        same = test(a[:, 0], a[:, 0] * 1.5)  # same Sharpe ratio: nothing to test
        assert abs(same.difference) < 1e-12
    r = strategies["A"]
    with_rf = ledoit_wolf_test(r + 0.002, benchmark + 0.002, rf=0.002)
    assert_allclose(with_rf.statistic, ledoit_wolf_test(r, benchmark).statistic, rtol=1e-9)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: jobson_korkie_test(np.zeros((10, 2)), np.zeros(10)),
            DataError,
            r"`returns` must be one series \(n_months,\), got shape \(10, 2\)",
        ),
        (
            lambda: jobson_korkie_test(np.arange(10.0), np.arange(9.0)),
            DataError,
            r"`benchmark` must be a scalar or have shape \(10,\)",
        ),
        (
            lambda: ledoit_wolf_test(np.arange(10.0), np.ones(10)),
            DataError,
            r"`returns` and `benchmark` must both vary",
        ),
        (
            lambda: ledoit_wolf_test(np.arange(10.0), np.arange(10.0) ** 2, lags=-1),
            ConfigError,
            r"`lags` must be an int >= 0 and <= 9, got -1",
        ),
        (
            lambda: jobson_korkie_test(np.arange(10.0), np.arange(10.0) ** 2, periods_per_year=0),
            ConfigError,
            r"`periods_per_year` must be an int >= 1, got 0",
        ),
    ],
)
def test_bad_inputs(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()
