"""Sampling error of an estimated Sharpe ratio, and Lo's autocorrelation-aware annualisation.

Notation: ``r_t`` are per-period excess returns, ``mu`` and ``sigma`` their mean and standard
deviation, ``SR = mu / sigma`` the *per-period* Sharpe ratio, ``T`` the number of periods.
The annualised Sharpe of :func:`~factorgym.evaluation.metrics.sharpe_ratio` is
``SR x sqrt(periods_per_year)``, so its standard error is the per-period one times
``sqrt(periods_per_year)``; that is what :func:`sharpe_standard_error` returns.

The moments inside the variance formulas are the moment estimators (divisor ``T``), as in the
asymptotic theory; the difference from ``ddof=1`` is of order ``1/T`` and immaterial.
"""

from __future__ import annotations

import numpy as np

from factorgym._typing import FloatArray
from factorgym.evaluation._validation import (
    ColumnStat,
    as_returns,
    check_choice,
    check_lags,
    check_periods,
    excess_of,
)
from factorgym.evaluation.newey_west import long_run_covariance, newey_west_lags

__all__ = ["autocorrelation_adjusted_sharpe", "sharpe_standard_error"]

SE_METHODS = ("iid", "nonnormal", "hac")


def _moments(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Mean, std (ddof=0), skewness and Pearson kurtosis (moment estimators) per column."""
    mu = x.mean(axis=0)
    d = x - mu
    m2 = np.mean(d**2, axis=0)
    sd = np.sqrt(m2)
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = np.mean(d**3, axis=0) / m2**1.5
        kurt = np.mean(d**4, axis=0) / m2**2
    return mu, sd, skew, kurt


def _hac_variance(x: FloatArray, lags: int) -> float:
    """Lo's (2002) GMM asymptotic variance of the per-period Sharpe ratio of one series."""
    mu = float(x.mean())
    d = x - mu
    var = float(np.mean(d**2))
    sd = np.sqrt(var)
    # moment conditions of theta = (mu, sigma^2): r - mu, (r - mu)^2 - sigma^2 (mean zero)
    u = np.column_stack([d, d**2 - var])
    s = long_run_covariance(u, lags, demean=False)
    grad = np.array([1.0 / sd, -mu / (2.0 * sd**3)])
    return float(grad @ s @ grad)


def sharpe_standard_error(
    returns: object,
    *,
    rf: object = None,
    method: str = "iid",
    lags: int | None = None,
    periods_per_year: int = 12,
) -> ColumnStat:
    """Asymptotic standard error of the annualised Sharpe ratio.

    With ``SR`` the per-period Sharpe ratio, ``SE = sqrt(V / T) x sqrt(periods_per_year)``:

    - ``"iid"``: ``V = 1 + SR^2 / 2`` for i.i.d. normal returns (Lo 2002, "The statistics of
      Sharpe ratios", FAJ 58(4), section "IID returns").
    - ``"nonnormal"``: ``V = 1 - skew SR + (kurt - 1) / 4 SR^2`` for i.i.d. returns of any
      distribution, with sample skewness and Pearson kurtosis (Mertens 2002, "Comments on
      variance of the IID estimator in Lo (2002)"; Opdyke 2007, "Comparing Sharpe ratios: so
      where are the p-values?", J. Asset Management 8(5)). The variance Bailey and López de
      Prado's PSR uses.
    - ``"hac"``: Lo's (2002, section "Non-IID returns") GMM estimator
      ``V = g' S g`` with ``g = (1 / sigma, -mu / (2 sigma^3))`` the gradient of
      ``mu / sqrt(sigma^2)`` and ``S`` the Newey-West long-run covariance of the moment
      conditions ``(r_t - mu, (r_t - mu)^2 - sigma^2)`` with ``lags`` Bartlett lags. Robust to
      serial correlation and heteroskedasticity; with ``lags=0`` it equals ``"nonnormal"``.

    Parameters
    ----------
    returns : array-like of shape (n_months,) or (n_months, n_strategies)
    rf : float or array of shape (n_months,), optional
        Per-period risk-free rate (None: ``returns`` are excess returns).
    method : {"iid", "nonnormal", "hac"}, default "iid"
    lags : int, optional
        Bartlett lags for ``"hac"``; default
        :func:`~factorgym.evaluation.newey_west.newey_west_lags`. Ignored otherwise.
    periods_per_year : int, default 12

    Raises
    ------
    ConfigError
        For a bad ``method``, ``lags`` or ``periods_per_year``.
    DataError
        For non-finite returns or fewer than 4 periods.
    """
    ppy = check_periods(periods_per_year)
    method = check_choice("method", method, SE_METHODS)
    ret = as_returns(returns, min_obs=4)
    ex = excess_of(ret, rf)
    n = ret.n_obs
    mu, sd, skew, kurt = _moments(ex)
    with np.errstate(divide="ignore", invalid="ignore"):
        sr = np.where(sd > 0, mu / np.where(sd > 0, sd, 1.0), np.nan)
    if method == "iid":
        v = 1.0 + 0.5 * sr**2
    elif method == "nonnormal":
        v = 1.0 - skew * sr + (kurt - 1.0) / 4.0 * sr**2
    else:
        lags = newey_west_lags(n) if lags is None else check_lags("lags", lags, n)
        v = np.array(
            [_hac_variance(ex[:, i], lags) if sd[i] > 0 else np.nan for i in range(ex.shape[1])]
        )
    return ret.wrap(np.sqrt(v / n) * np.sqrt(ppy))


def autocorrelation_adjusted_sharpe(
    returns: object, *, rf: object = None, periods_per_year: int = 12
) -> ColumnStat:
    """Annualised Sharpe ratio corrected for serial correlation (Lo 2002).

    Aggregating ``q = periods_per_year`` periods, the annual Sharpe ratio is
    ``eta(q) SR`` with ``eta(q) = q / sqrt(q + 2 sum_{k=1}^{q-1} (q - k) rho_k)`` and
    ``rho_k`` the lag-``k`` autocorrelation of the excess returns (Lo 2002, FAJ 58(4),
    section "Time aggregation", the general stationary case). For uncorrelated returns
    ``eta(q) = sqrt(q)``, the usual rule; positive autocorrelation (smoothed or illiquid
    returns) makes the usual rule overstate the annual Sharpe. NaN if the bracket is <= 0.

    ``SR`` here is the per-period ``mean / std(ddof=1)`` of
    :func:`~factorgym.evaluation.metrics.sharpe_ratio`, and ``rho_k`` the usual sample
    autocorrelation ``sum_t d_t d_{t-k} / sum_t d_t^2`` of the demeaned series.

    Raises
    ------
    DataError
        If there are not more periods than ``periods_per_year``.
    """
    q = check_periods(periods_per_year)
    ret = as_returns(returns, min_obs=max(q + 1, 2))
    ex = excess_of(ret, rf)
    d = ex - ex.mean(axis=0)
    denom = np.sum(d**2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sr = ex.mean(axis=0) / ex.std(axis=0, ddof=1)
        bracket = np.full(ex.shape[1], float(q))
        for k in range(1, q):
            rho = np.sum(d[k:] * d[:-k], axis=0) / denom
            bracket = bracket + 2.0 * (q - k) * rho
        eta = np.where(bracket > 0, q / np.sqrt(np.where(bracket > 0, bracket, 1.0)), np.nan)
    return ret.wrap(eta * sr)
