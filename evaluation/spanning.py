"""Spanning regressions of strategy returns on benchmark factors, and the GRS test.

A timing strategy adds something only if its return is not spanned by the factors it
trades: regress its excess return on the factors' returns,
``r_t = alpha + beta' f_t + e_t``, and ask whether ``alpha`` (the return left after holding
the factors statically with weights ``beta``) is positive. Huberman and Kandel (1987) frame
spanning as a test; here the intercept is what matters (a static factor mix is a free
alternative to the agent).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from factorgym._typing import FloatArray
from factorgym.errors import DataError
from factorgym.evaluation._validation import (
    Returns,
    as_returns,
    as_vector,
    check_choice,
    check_lags,
    check_periods,
)
from factorgym.evaluation.newey_west import long_run_covariance, newey_west_lags

__all__ = ["GRSResult", "grs_test", "spanning_regression"]


def _inputs(returns: object, factors: object, rf: object) -> tuple[Returns, FloatArray, FloatArray]:
    ret = as_returns(returns, min_obs=3)
    fac = as_returns(factors, name="factors", min_obs=3)
    if fac.n_obs != ret.n_obs:
        raise DataError(
            f"`factors` must have one row per month of `returns` ({ret.n_obs}), got {fac.n_obs}"
        )
    y = ret.values if rf is None else ret.values - as_vector(rf, ret.n_obs, name="rf")[:, None]
    return ret, y, fac.values


def _factor_names(factors: object, k: int) -> list[str]:
    if isinstance(factors, pd.DataFrame):
        return [str(c) for c in factors.columns]
    if isinstance(factors, pd.Series) and factors.name is not None:
        return [str(factors.name)]
    return [f"f{i}" for i in range(k)]


def spanning_regression(
    returns: object,
    factors: object,
    *,
    rf: object = None,
    se: str = "hac",
    lags: int | None = None,
    periods_per_year: int = 12,
) -> pd.DataFrame:
    """OLS of each strategy's excess return on the factor returns.

    ``r_t - rf_t = alpha + beta' f_t + e_t`` by OLS. Standard errors:

    - ``"iid"``: ``s^2 (X'X)^-1`` with ``s^2 = SSR / (T - p)``; p-values from Student's t
      with ``T - p`` degrees of freedom (statsmodels ``OLS(...).fit()``).
    - ``"hac"``: Newey-West sandwich ``(X'X)^-1 (T S) (X'X)^-1``, ``S`` the Bartlett
      long-run covariance of the scores ``x_t e_t`` (Newey and West 1987), no small-sample
      correction, normal p-values (statsmodels
      ``fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": False})``).

    Parameters
    ----------
    returns : array-like of shape (n_months,) or (n_months, n_strategies)
        Strategy returns (excess returns if ``rf`` is None).
    factors : array-like of shape (n_months,) or (n_months, n_factors)
        Factor returns, already excess returns (long-short factors or ``MktRF``). A
        DataFrame's column names label the betas.
    rf : float or array of shape (n_months,), optional
        Per-period risk-free rate subtracted from ``returns`` only.
    se : {"hac", "iid"}, default "hac"
    lags : int, optional
        Newey-West lags; default :func:`~factorgym.evaluation.newey_west.newey_west_lags`.
    periods_per_year : int, default 12
        For ``alpha_annualized = alpha x periods_per_year``.

    Returns
    -------
    DataFrame indexed by strategy
        ``alpha`` (per period), ``alpha_annualized``, ``alpha_se``, ``alpha_t``,
        ``alpha_pvalue`` (two-sided), ``beta_<factor>`` per factor, ``r2``, ``n_obs``,
        ``se`` and ``lags`` (None for iid).

    Raises
    ------
    ConfigError
        For a bad ``se``, ``lags`` or ``periods_per_year``.
    DataError
        For misaligned or non-finite inputs, too few months (``T <= n_factors + 1``) or
        collinear factors.
    """
    ppy = check_periods(periods_per_year)
    se = check_choice("se", se, ("hac", "iid"))
    ret, y, f = _inputs(returns, factors, rf)
    n, k = f.shape
    p = k + 1
    if n <= p:
        raise DataError(f"`returns` must have more than {p} months for {k} factors, got {n}")
    x = np.column_stack([np.ones(n), f])
    xtx = x.T @ x
    if np.linalg.matrix_rank(xtx) < p:
        raise DataError("`factors` are collinear (or one is constant); drop the redundant ones")
    xtx_inv = np.linalg.inv(xtx)
    coef = xtx_inv @ x.T @ y  # (p, n_strategies)
    resid = y - x @ coef
    if se == "hac":
        lags = newey_west_lags(n) if lags is None else check_lags("lags", lags, n)
    else:
        lags = None
    alpha_se = np.empty(y.shape[1])
    for i in range(y.shape[1]):
        if lags is None:
            cov = float(resid[:, i] @ resid[:, i]) / (n - p) * xtx_inv
        else:
            meat = n * long_run_covariance(x * resid[:, i : i + 1], lags, demean=False)
            cov = xtx_inv @ meat @ xtx_inv
        alpha_se[i] = np.sqrt(cov[0, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = coef[0] / alpha_se
        sst = np.sum((y - y.mean(axis=0)) ** 2, axis=0)
        r2 = 1.0 - np.sum(resid**2, axis=0) / sst
    pval = 2.0 * (stats.norm.sf(np.abs(t)) if lags is not None else stats.t.sf(np.abs(t), n - p))
    out = pd.DataFrame(
        {
            "alpha": coef[0],
            "alpha_annualized": coef[0] * ppy,
            "alpha_se": alpha_se,
            "alpha_t": t,
            "alpha_pvalue": pval,
        },
        index=pd.Index(ret.labels, name="strategy"),
    )
    for j, name in enumerate(_factor_names(factors, k)):
        out[f"beta_{name}"] = coef[j + 1]
    out["r2"] = r2
    out["n_obs"] = n
    out["se"] = se
    out["lags"] = lags
    return out


@dataclass(frozen=True)
class GRSResult:
    """Gibbons-Ross-Shanken test that all strategies' alphas are zero.

    Attributes
    ----------
    statistic : float
        The F statistic.
    pvalue : float
        ``P(F(df_num, df_den) > statistic)``.
    df_num, df_den : int
        ``N`` and ``T - N - L``.
    alphas : ndarray of shape (N,)
        Per-period OLS intercepts.
    n_obs : int
        ``T``.
    """

    statistic: float
    pvalue: float
    df_num: int
    df_den: int
    alphas: FloatArray
    n_obs: int


def grs_test(returns: object, factors: object, *, rf: object = None) -> GRSResult:
    """Gibbons-Ross-Shanken F-test of ``H0: alpha_1 = ... = alpha_N = 0``.

    ``F = ((T - N - L) / N) alpha' Sigma^-1 alpha / (1 + mu' Omega^-1 mu)``, distributed
    ``F(N, T - N - L)`` under i.i.d. normal residuals, where ``alpha`` are the OLS intercepts
    of the ``N`` strategies on the ``L`` factors, ``Sigma = E'E / T`` the residual covariance
    and ``mu``, ``Omega = (1/T) sum_t (f_t - mu)(f_t - mu)'`` the factors' mean and covariance,
    both maximum-likelihood (divisor ``T``) (Gibbons, Ross and Shanken 1989, "A test of the
    efficiency of a given portfolio", Econometrica 57(5), single factor; the ``L``-factor
    statistic ``J_1`` of Campbell, Lo and MacKinlay 1997, *The Econometrics of Financial
    Markets*, section 6.2). For ``N = 1`` it is the square of the intercept's ordinary OLS
    t-statistic.

    Parameters
    ----------
    returns : array-like of shape (n_months, N)
    factors : array-like of shape (n_months, L)
    rf : float or array of shape (n_months,), optional
        Subtracted from ``returns``.

    Raises
    ------
    DataError
        For misaligned or non-finite inputs, ``T <= N + L``, collinear factors or a singular
        residual covariance (e.g. one strategy a combination of others and the factors).
    """
    _, y, f = _inputs(returns, factors, rf)
    t, n_strat = y.shape
    n_fac = f.shape[1]
    if t <= n_strat + n_fac:
        raise DataError(
            f"GRS needs more months than strategies + factors ({n_strat} + {n_fac}), got {t}"
        )
    x = np.column_stack([np.ones(t), f])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    sigma = resid.T @ resid / t
    mu = f.mean(axis=0)
    dev = f - mu
    omega = dev.T @ dev / t
    if np.linalg.matrix_rank(sigma) < n_strat or np.linalg.matrix_rank(omega) < n_fac:
        raise DataError(
            "the residual covariance or the factor covariance is singular; drop redundant "
            "strategies or factors"
        )
    a_quad = float(coef[0] @ np.linalg.solve(sigma, coef[0]))
    f_quad = float(mu @ np.linalg.solve(omega, mu))
    df_den = t - n_strat - n_fac
    stat = df_den / n_strat * a_quad / (1.0 + f_quad)
    return GRSResult(
        statistic=float(stat),
        pvalue=float(stats.f.sf(stat, n_strat, df_den)),
        df_num=n_strat,
        df_den=df_den,
        alphas=coef[0].copy(),
        n_obs=t,
    )
