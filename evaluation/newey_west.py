"""Newey-West (Bartlett-kernel HAC) long-run covariance, lag rule, and HAC t-test of a mean.

This module is the one home of the HAC estimator: the autocorrelation-robust Sharpe standard
error (:mod:`~factorgym.evaluation.sharpe_inference`), the Ledoit-Wolf Sharpe-difference test
(:mod:`~factorgym.evaluation.sharpe_difference`) and the spanning regressions
(:mod:`~factorgym.evaluation.spanning`) all call :func:`long_run_covariance`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from factorgym._typing import FloatArray
from factorgym.errors import DataError
from factorgym.evaluation._validation import (
    as_returns,
    check_choice,
    check_int,
    check_lags,
    check_periods,
    excess_of,
)

__all__ = ["long_run_covariance", "mean_return_test", "newey_west_lags"]


def newey_west_lags(n_obs: int) -> int:
    """Rule-of-thumb Bartlett lag count ``floor(4 (n_obs / 100)^(2/9))``.

    The initial bandwidth of Newey and West (1994, "Automatic lag selection in covariance
    matrix estimation", Rev. Econ. Studies 61(4)) for the Bartlett kernel; 4 lags for 120
    months, 5 for 360, 6 for 800.

    Raises
    ------
    ConfigError
        If ``n_obs`` is not an int >= 2.
    """
    n = check_int("n_obs", n_obs, minimum=2)
    return min(int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))), n - 1)


def long_run_covariance(moments: object, lags: int, *, demean: bool = True) -> FloatArray:
    """Newey-West estimate of the long-run covariance of a vector series.

    ``S = G_0 + sum_{j=1}^{L} (1 - j / (L + 1)) (G_j + G_j')`` with
    ``G_j = (1/T) sum_{t=j+1}^{T} u_t u_{t-j}'`` (Newey and West 1987, "A simple, positive
    semi-definite, heteroskedasticity and autocorrelation consistent covariance matrix",
    Econometrica 55(3), Bartlett weights). No small-sample correction: this is statsmodels'
    ``cov_type="HAC"`` with ``use_correction=False``. ``L = 0`` is the White (1980)
    heteroskedasticity-robust (i.e. plain, for a mean) covariance with divisor ``T``.

    Parameters
    ----------
    moments : array-like of shape (T,) or (T, k)
        The series ``u_t`` (moment conditions, scores or returns).
    lags : int
        ``L``, 0 <= L < T.
    demean : bool, default True
        Subtract the column means first (set False for scores that are mean-zero by
        construction, such as OLS regressors times residuals).

    Returns
    -------
    ndarray of shape (k, k)
    """
    u = as_returns(moments, name="moments").values
    lags = check_lags("lags", lags, u.shape[0])
    if demean:
        u = u - u.mean(axis=0)
    n = u.shape[0]
    s = u.T @ u / n
    for j in range(1, lags + 1):
        g = u[j:].T @ u[:-j] / n
        s = s + (1.0 - j / (lags + 1.0)) * (g + g.T)
    return s


def mean_return_test(
    returns: object,
    *,
    rf: object = None,
    lags: int | None = None,
    alternative: str = "two-sided",
    periods_per_year: int = 12,
) -> pd.DataFrame:
    """t-test that the mean (excess) return is zero, with Newey-West standard errors.

    ``t = mean(e) / sqrt(S / T)``, ``S`` the Newey-West long-run variance of ``e = r - rf``
    (:func:`long_run_covariance`), compared with the standard normal (Newey and West 1987).
    This is the t-statistic of the intercept in statsmodels
    ``OLS(e, 1).fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": False})``.
    With ``lags=0`` it is the one-sample t-statistic times ``sqrt(T / (T - 1))`` (divisor
    ``T`` in the variance).

    Parameters
    ----------
    returns : array-like of shape (n_months,) or (n_months, n_strategies)
    rf : float or array of shape (n_months,), optional
        Per-period risk-free rate (None: ``returns`` are excess returns already).
    lags : int, optional
        Bartlett lags; default :func:`newey_west_lags` of the sample length.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: H1 is a positive mean.
    periods_per_year : int, default 12
        Only for the ``mean_annualized`` column (``mean x periods_per_year``).

    Returns
    -------
    DataFrame indexed by strategy
        Columns ``mean`` (per period), ``mean_annualized``, ``std_error`` (of the per-period
        mean), ``t_stat``, ``pvalue``, ``lags``, ``n_obs``.

    Raises
    ------
    ConfigError
        For a bad ``lags``, ``alternative`` or ``periods_per_year``.
    DataError
        For non-finite or too short returns, or returns with zero variance.
    """
    ppy = check_periods(periods_per_year)
    alternative = check_choice("alternative", alternative, ("two-sided", "greater", "less"))
    ret = as_returns(returns, min_obs=3)
    ex = excess_of(ret, rf)
    n = ret.n_obs
    lags = newey_west_lags(n) if lags is None else check_lags("lags", lags, n)
    mean = ex.mean(axis=0)
    lrv = np.array([long_run_covariance(ex[:, i], lags)[0, 0] for i in range(ex.shape[1])])
    if np.any(lrv <= 0):
        bad = ret.labels[int(np.flatnonzero(lrv <= 0)[0])]
        raise DataError(f"`returns` column {bad!r} has zero long-run variance (constant?)")
    se = np.sqrt(lrv / n)
    t = mean / se
    if alternative == "two-sided":
        p = 2.0 * stats.norm.sf(np.abs(t))
    elif alternative == "greater":
        p = stats.norm.sf(t)
    else:
        p = stats.norm.cdf(t)
    return pd.DataFrame(
        {
            "mean": mean,
            "mean_annualized": mean * ppy,
            "std_error": se,
            "t_stat": t,
            "pvalue": p,
            "lags": lags,
            "n_obs": n,
        },
        index=pd.Index(ret.labels, name="strategy"),
    )
