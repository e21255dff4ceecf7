"""Tests of equal Sharpe ratios of two strategies observed over the same months.

``H0: SR_a = SR_b`` for a strategy ``a`` and a benchmark ``b`` (1/N, buy-and-hold, ...). Both
tests use the joint distribution of the two return series, so a strategy that is highly
correlated with its benchmark can be told apart from it with far fewer months than two
independent Sharpe standard errors would suggest.

- :func:`jobson_korkie_test`: i.i.d. normal returns, Jobson and Korkie's (1981) statistic with
  Memmel's (2003) corrected variance.
- :func:`ledoit_wolf_test`: Ledoit and Wolf's (2008) delta-method test with a HAC
  (Newey-West) covariance, valid under fat tails, heteroskedasticity and serial correlation.
  For a bootstrap interval of the difference see
  :func:`~factorgym.evaluation.bootstrap.bootstrap_sharpe_difference_ci`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from factorgym._typing import FloatArray
from factorgym.errors import DataError
from factorgym.evaluation._validation import (
    as_returns,
    as_vector,
    check_lags,
    check_periods,
)
from factorgym.evaluation.newey_west import long_run_covariance, newey_west_lags

__all__ = ["SharpeDifferenceResult", "jobson_korkie_test", "ledoit_wolf_test"]


@dataclass(frozen=True)
class SharpeDifferenceResult:
    """A test of ``H0: SR_a = SR_b``.

    Attributes
    ----------
    sharpe_a, sharpe_b : float
        Annualised Sharpe ratios as the test computes them (``std`` with ``ddof=1`` for
        Jobson-Korkie-Memmel, ``ddof=0`` moments for Ledoit-Wolf).
    difference : float
        ``sharpe_a - sharpe_b`` (annualised).
    std_error : float
        Standard error of ``difference`` (annualised).
    statistic : float
        ``difference / std_error`` (the same for per-period and annualised ratios).
    pvalue : float
        Two-sided, standard normal.
    method : str
        ``"jobson_korkie_memmel"`` or ``"ledoit_wolf_hac"``.
    lags : int or None
        Newey-West lags (Ledoit-Wolf only).
    n_obs : int
        Number of periods.
    """

    sharpe_a: float
    sharpe_b: float
    difference: float
    std_error: float
    statistic: float
    pvalue: float
    method: str
    lags: int | None
    n_obs: int


def _pair(returns: object, benchmark: object, rf: object) -> tuple[FloatArray, FloatArray]:
    ret = as_returns(returns, min_obs=4)
    if ret.values.shape[1] != 1:
        raise DataError(
            f"`returns` must be one series (n_months,), got shape {ret.values.shape}; "
            "test each strategy against the benchmark in turn"
        )
    n = ret.n_obs
    a = ret.values[:, 0]
    b = as_vector(benchmark, n, name="benchmark")
    if rf is not None:
        r = as_vector(rf, n, name="rf")
        a, b = a - r, b - r
    if np.std(a) == 0 or np.std(b) == 0:
        raise DataError("`returns` and `benchmark` must both vary; got a constant series")
    return a, b


def _result(
    sr_a: float, sr_b: float, var: float, n: int, ppy: int, method: str, lags: int | None
) -> SharpeDifferenceResult:
    scale = np.sqrt(ppy)
    se = float(np.sqrt(var)) if var > 0 else np.nan
    diff = sr_a - sr_b
    stat = diff / se if se > 0 else np.nan
    p = float(2.0 * stats.norm.sf(abs(stat))) if np.isfinite(stat) else np.nan
    return SharpeDifferenceResult(
        sharpe_a=float(sr_a * scale),
        sharpe_b=float(sr_b * scale),
        difference=float(diff * scale),
        std_error=float(se * scale),
        statistic=float(stat),
        pvalue=p,
        method=method,
        lags=lags,
        n_obs=n,
    )


def jobson_korkie_test(
    returns: object, benchmark: object, *, rf: object = None, periods_per_year: int = 12
) -> SharpeDifferenceResult:
    """Jobson-Korkie test of equal Sharpe ratios with Memmel's correction.

    With per-period Sharpe ratios ``SR_a``, ``SR_b`` and return correlation ``rho``,
    ``z = (SR_a - SR_b) / sqrt(theta)``,
    ``theta = (2 - 2 rho + (SR_a^2 + SR_b^2) / 2 - SR_a SR_b rho^2) / T``
    (Jobson and Korkie 1981, "Performance hypothesis testing with the Sharpe and Treynor
    measures", J. Finance 36(4); variance as corrected by Memmel 2003, "Performance hypothesis
    testing with the Sharpe ratio", Finance Letters 1(1)). It is the delta-method
    variance under i.i.d. *normal* returns: fat tails or serial correlation make it too small;
    use :func:`ledoit_wolf_test` then.

    Parameters
    ----------
    returns, benchmark : array-like of shape (n_months,)
        The two return series, aligned month by month.
    rf : float or array of shape (n_months,), optional
        Per-period risk-free rate subtracted from both (None: excess returns already).
    periods_per_year : int, default 12
        Annualises the reported Sharpe ratios and standard error.

    Raises
    ------
    DataError
        If the series differ in length, are not finite, are constant, or ``returns`` has
        more than one column.
    """
    ppy = check_periods(periods_per_year)
    a, b = _pair(returns, benchmark, rf)
    n = a.size
    sr_a = a.mean() / a.std(ddof=1)
    sr_b = b.mean() / b.std(ddof=1)
    rho = float(np.corrcoef(a, b)[0, 1])
    theta = (2.0 - 2.0 * rho + 0.5 * (sr_a**2 + sr_b**2) - sr_a * sr_b * rho**2) / n
    return _result(float(sr_a), float(sr_b), float(theta), n, ppy, "jobson_korkie_memmel", None)


def ledoit_wolf_test(
    returns: object,
    benchmark: object,
    *,
    rf: object = None,
    lags: int | None = None,
    periods_per_year: int = 12,
) -> SharpeDifferenceResult:
    """Ledoit-Wolf HAC test of equal Sharpe ratios.

    With ``v = (mu_a, mu_b, g_a, g_b)`` the means of ``r`` and ``r^2`` and
    ``f(v) = mu_a / sqrt(g_a - mu_a^2) - mu_b / sqrt(g_b - mu_b^2)`` the Sharpe difference,
    ``se = sqrt(grad f' Psi grad f / T)`` where
    ``grad f = (g_a / c_a, -g_b / c_b, -mu_a / (2 c_a), mu_b / (2 c_b))``,
    ``c = (g - mu^2)^1.5`` and ``Psi`` is the long-run covariance of
    ``(r_a - mu_a, r_b - mu_b, r_a^2 - g_a, r_b^2 - g_b)`` (Ledoit and Wolf 2008, "Robust
    performance hypothesis testing with the Sharpe ratio", J. Empirical Finance 15(5),
    section 3.1). ``Psi`` here is Newey-West (Bartlett) with ``lags`` lags and no
    prewhitening, where Ledoit and Wolf prefer Andrews and Monahan's prewhitened
    quadratic-spectral kernel; their studentized block bootstrap is not implemented (see
    :func:`~factorgym.evaluation.bootstrap.bootstrap_sharpe_difference_ci` for a percentile
    interval).

    Parameters
    ----------
    returns, benchmark : array-like of shape (n_months,)
    rf : float or array of shape (n_months,), optional
    lags : int, optional
        Default :func:`~factorgym.evaluation.newey_west.newey_west_lags`.
    periods_per_year : int, default 12

    Raises
    ------
    ConfigError
        For a bad ``lags`` or ``periods_per_year``.
    DataError
        As :func:`jobson_korkie_test`.
    """
    ppy = check_periods(periods_per_year)
    a, b = _pair(returns, benchmark, rf)
    n = a.size
    lags = newey_west_lags(n) if lags is None else check_lags("lags", lags, n)
    mu_a, mu_b = a.mean(), b.mean()
    g_a, g_b = np.mean(a**2), np.mean(b**2)
    c_a, c_b = (g_a - mu_a**2) ** 1.5, (g_b - mu_b**2) ** 1.5
    grad = np.array([g_a / c_a, -g_b / c_b, -mu_a / (2.0 * c_a), mu_b / (2.0 * c_b)])
    y = np.column_stack([a - mu_a, b - mu_b, a**2 - g_a, b**2 - g_b])
    psi = long_run_covariance(y, lags, demean=False)
    var = float(grad @ psi @ grad) / n
    sr_a = mu_a / np.sqrt(g_a - mu_a**2)
    sr_b = mu_b / np.sqrt(g_b - mu_b**2)
    return _result(float(sr_a), float(sr_b), var, n, ppy, "ledoit_wolf_hac", lags)
