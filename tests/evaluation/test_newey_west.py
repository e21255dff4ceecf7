from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import long_run_covariance, mean_return_test, newey_west_lags


def _ar1(n: int, phi: float, seed: int, k: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = rng.normal(size=(n, k))
    x = np.empty_like(e)
    x[0] = e[0]
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    return x


def test_lag_rule() -> None:
    # floor(4 (T/100)^(2/9))
    assert [newey_west_lags(n) for n in (50, 100, 120, 360, 800)] == [3, 4, 4, 5, 6]
    assert newey_west_lags(2) == 1


def test_long_run_covariance_brute_force() -> None:
    u = _ar1(40, 0.5, 0, k=2)
    lags = 3
    d = u - u.mean(axis=0)
    want = np.zeros((2, 2))
    for s in range(40):  # double sum with Bartlett weights, term by term
        for t in range(40):
            j = abs(s - t)
            if j <= lags:
                want += (1 - j / (lags + 1)) * np.outer(d[s], d[t]) / 40
    assert_allclose(long_run_covariance(u, lags), want, rtol=1e-12)
    assert_allclose(long_run_covariance(u, 0), np.cov(u.T, ddof=0), rtol=1e-12)
    # demean=False keeps the mean in the products
    assert_allclose(long_run_covariance(u[:, 0], 0, demean=False), [[np.mean(u[:, 0] ** 2)]])


def test_mean_test_against_statsmodels() -> None:
    x = 0.004 + 0.03 * _ar1(200, 0.3, 1)[:, 0]
    for lags in (0, 3, 7):
        fit = sm.OLS(x, np.ones(200)).fit(
            cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False}
        )
        res = mean_return_test(x, lags=lags)
        assert_allclose(res["t_stat"].iloc[0], fit.tvalues[0], rtol=1e-10)
        assert_allclose(res["std_error"].iloc[0], fit.bse[0], rtol=1e-10)
        assert_allclose(res["pvalue"].iloc[0], fit.pvalues[0], rtol=1e-8)
        assert res["lags"].iloc[0] == lags
    # default lags: the rule, floor(4 * 2^(2/9)) = 4 for 200 months
    assert mean_return_test(x)["lags"].iloc[0] == 4


def test_zero_lags_is_the_t_test_up_to_ddof() -> None:
    x = np.random.default_rng(2).normal(0.003, 0.02, 60)
    t_scipy = stats.ttest_1samp(x, 0.0).statistic
    res = mean_return_test(x, lags=0)
    assert_allclose(res["t_stat"].iloc[0], t_scipy * np.sqrt(60 / 59), rtol=1e-12)


def test_alternatives_rf_and_frames() -> None:
    x = pd.DataFrame({"up": np.linspace(0.0, 0.02, 30), "down": -np.linspace(0.0, 0.02, 30)})
    two = mean_return_test(x, lags=2)
    greater = mean_return_test(x, lags=2, alternative="greater")
    less = mean_return_test(x, lags=2, alternative="less")
    assert list(two.index) == ["up", "down"]
    assert_allclose(greater["pvalue"] + less["pvalue"], 1.0)
    assert_allclose(two["pvalue"], 2 * np.minimum(greater["pvalue"], less["pvalue"]))
    assert greater.loc["up", "pvalue"] < 0.01 < greater.loc["down", "pvalue"]
    shifted = mean_return_test(x + 0.01, rf=0.01, lags=2)
    assert_allclose(shifted["t_stat"], two["t_stat"], rtol=1e-9)
    assert_allclose(two["mean_annualized"], two["mean"] * 12)


def test_hac_t_is_smaller_under_positive_autocorrelation() -> None:
    # an AR(1) with phi = 0.5 has long-run variance 3x the variance: t shrinks ~ sqrt(3)
    x = 0.05 + _ar1(2000, 0.5, 3)[:, 0]
    t0 = mean_return_test(x, lags=0)["t_stat"].iloc[0]
    t20 = mean_return_test(x, lags=20)["t_stat"].iloc[0]
    assert 1.4 < t0 / t20 < 2.0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: newey_west_lags(1), ConfigError, r"`n_obs` must be an int >= 2, got 1"),
        (
            lambda: long_run_covariance(np.ones(5), 5),
            ConfigError,
            r"`lags` must be an int >= 0 and <= 4, got 5",
        ),
        (
            lambda: mean_return_test(np.ones(5)),
            DataError,
            r"`returns` column 'returns' has zero long-run variance",
        ),
        (
            lambda: mean_return_test(np.arange(9.0), alternative="bigger"),
            ConfigError,
            r"`alternative` must be one of \('two-sided', 'greater', 'less'\), got 'bigger'",
        ),
        (
            lambda: mean_return_test(np.arange(9.0), lags=1.5),
            ConfigError,
            r"`lags` must be an int >= 0 and <= 8, got 1.5",
        ),
        (
            lambda: mean_return_test(np.arange(9.0), periods_per_year=True),
            ConfigError,
            r"`periods_per_year` must be an int >= 1, got True",
        ),
    ],
)
def test_bad_inputs(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()
