from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import (
    autocorrelation_adjusted_sharpe,
    sharpe_ratio,
    sharpe_standard_error,
)


def _ar1(n_obs: int, n_series: int, phi: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = rng.normal(size=(n_obs, n_series))
    x = np.empty_like(e)
    x[0] = e[0] / np.sqrt(1 - phi**2)  # stationary start
    for t in range(1, n_obs):
        x[t] = phi * x[t - 1] + e[t]
    return x


def test_formulas_by_hand() -> None:
    x = np.random.default_rng(0).standard_t(5, size=120) * 0.04 + 0.01
    mu, sd = x.mean(), x.std()  # moment estimators
    sr = mu / sd
    g3 = stats.skew(x, bias=True)
    g4 = stats.kurtosis(x, fisher=False, bias=True)
    assert_allclose(sharpe_standard_error(x), np.sqrt((1 + sr**2 / 2) / 120 * 12), rtol=1e-12)
    assert_allclose(
        sharpe_standard_error(x, method="nonnormal"),
        np.sqrt((1 - g3 * sr + (g4 - 1) / 4 * sr**2) / 120 * 12),
        rtol=1e-12,
    )
    # the GMM estimator with no lags is the non-normal i.i.d. formula
    assert_allclose(
        sharpe_standard_error(x, method="hac", lags=0),
        sharpe_standard_error(x, method="nonnormal"),
        rtol=1e-12,
    )
    assert_allclose(
        sharpe_standard_error(x, periods_per_year=1), sharpe_standard_error(x) / np.sqrt(12)
    )


def test_iid_standard_error_matches_monte_carlo() -> None:
    # 4000 normal samples of 120 months with a monthly Sharpe ratio of 0.2
    x = np.random.default_rng(1).normal(0.2, 1.0, size=(120, 4000))
    sr = sharpe_ratio(x)
    se = sharpe_standard_error(x)
    mc = sr.std(ddof=1)
    assert abs(se.mean() / mc - 1) < 0.05, (se.mean(), mc)  # seen: 0.3200 vs 0.3184


def test_hac_standard_error_under_autocorrelation() -> None:
    # AR(1) returns with phi = 0.4: the i.i.d. formula understates the sampling error by
    # about sqrt((1 + phi) / (1 - phi)) = 1.53; Lo's GMM/Newey-West version does not
    x = 0.3 + _ar1(600, 1000, 0.4, 2)
    mc = sharpe_ratio(x).std(ddof=1)
    iid = sharpe_standard_error(x).mean()
    hac = sharpe_standard_error(x, method="hac", lags=12).mean()
    assert iid / mc < 0.75, (iid, mc)
    assert abs(hac / mc - 1) < 0.15, (hac, mc)  # seen: MC 0.2222, iid 0.1443, hac 0.2070


def test_standard_error_frame_output(strategies: pd.DataFrame) -> None:
    out = sharpe_standard_error(strategies, method="hac")
    assert isinstance(out, pd.Series) and list(out.index) == ["A", "B", "C"]
    default = sharpe_standard_error(strategies, method="hac", lags=4)  # rule: 180 months -> 4
    assert_allclose(out, default, rtol=0)
    assert np.isnan(sharpe_standard_error(np.ones(10)))


def test_autocorrelation_adjusted_sharpe_by_hand() -> None:
    x = 0.01 + 0.04 * _ar1(240, 1, 0.3, 3)[:, 0]
    d = x - x.mean()
    rho = [np.sum(d[k:] * d[:-k]) / np.sum(d**2) for k in range(1, 12)]
    bracket = 12 + 2 * sum((12 - k) * rho[k - 1] for k in range(1, 12))
    eta = 12 / np.sqrt(bracket)
    sr_month = x.mean() / x.std(ddof=1)
    assert_allclose(autocorrelation_adjusted_sharpe(x), eta * sr_month, rtol=1e-12)
    # positive autocorrelation: the sqrt(12) rule overstates the annual Sharpe ratio
    assert autocorrelation_adjusted_sharpe(x) < sharpe_ratio(x)
    # no autocorrelation at all (a zig-zag has rho_1 = -1-ish): eta > sqrt(12)
    zigzag = 0.01 + 0.02 * np.tile([1.0, -1.0], 60)
    assert autocorrelation_adjusted_sharpe(zigzag) > sharpe_ratio(zigzag)


def test_adjusted_sharpe_equals_usual_rule_for_white_noise() -> None:
    x = np.random.default_rng(4).normal(0.01, 0.04, size=(20_000, 1))
    assert_allclose(autocorrelation_adjusted_sharpe(x), sharpe_ratio(x), rtol=0.05)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: sharpe_standard_error(np.arange(9.0), method="lo"),
            ConfigError,
            r"`method` must be one of \('iid', 'nonnormal', 'hac'\), got 'lo'",
        ),
        (
            lambda: sharpe_standard_error(np.arange(9.0), method="hac", lags=9),
            ConfigError,
            r"`lags` must be an int >= 0 and <= 8, got 9",
        ),
        (
            lambda: sharpe_standard_error(np.arange(3.0)),
            DataError,
            r"`returns` must have >= 4 rows",
        ),
        (
            lambda: autocorrelation_adjusted_sharpe(np.arange(12.0)),
            DataError,
            r"`returns` must have >= 13 rows",
        ),
        (
            lambda: autocorrelation_adjusted_sharpe(np.arange(20.0), periods_per_year=0),
            ConfigError,
            r"`periods_per_year` must be an int >= 1, got 0",
        ),
    ],
)
def test_bad_inputs(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()
