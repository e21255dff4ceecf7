"""One row of performance statistics per strategy, for reports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorgym.errors import DataError
from factorgym.evaluation._validation import as_returns, check_lags, check_level, check_periods
from factorgym.evaluation.drawdown import calmar_ratio, max_drawdown, max_drawdown_duration
from factorgym.evaluation.metrics import (
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
)
from factorgym.evaluation.newey_west import newey_west_lags
from factorgym.evaluation.sharpe_inference import sharpe_standard_error

__all__ = ["performance_table"]


def performance_table(
    returns: object,
    *,
    benchmark: object = None,
    rf: object = None,
    turnover: object = None,
    gross_returns: object = None,
    periods_per_year: int = 12,
    es_level: float = 0.05,
    hac_lags: int | None = None,
) -> pd.DataFrame:
    """Performance statistics of each strategy, one row per strategy.

    Parameters
    ----------
    returns : array-like of shape (n_months, n_strategies)
        Net per-period returns (a DataFrame's columns name the rows of the table). With
        ``rf`` given these are total returns (cash included, as the env reports them).
    benchmark : array-like of shape (n_months,), optional
        Benchmark returns (e.g. 1/N) for tracking error and information ratio.
    rf : float or array of shape (n_months,), optional
        Per-period risk-free rate; Sharpe, Sortino, hit rate and the Sharpe standard errors
        use ``returns - rf``. None: ``returns`` are excess returns.
    turnover : array-like of shape (n_months, n_strategies), optional
        Per-period turnover (env ``info["turnover"]``), for ``ann_turnover``.
    gross_returns : array-like of shape (n_months, n_strategies), optional
        Returns before costs, for ``cost_drag``.
    periods_per_year : int, default 12
    es_level : float in (0, 1), default 0.05
        Tail level of the expected shortfall.
    hac_lags : int, optional
        Newey-West lags of ``sharpe_se_hac``; default
        :func:`~factorgym.evaluation.newey_west.newey_west_lags`.

    Returns
    -------
    DataFrame indexed by strategy
        ``ann_return`` (geometric, CAGR), ``ann_return_arith`` (mean x periods_per_year),
        ``ann_vol``, ``sharpe`` (annualised, of excess returns), ``sharpe_se_iid`` (Lo 2002,
        i.i.d. normal), ``sharpe_se_hac`` (Lo 2002 GMM/Newey-West), ``sortino``,
        ``max_drawdown`` (positive fraction), ``max_dd_months`` (longest time under water,
        in periods), ``calmar``, ``hit_rate`` (share of periods with excess return > 0),
        ``skew`` (G1), ``excess_kurtosis`` (G2, 0 for a normal), ``expected_shortfall``
        (mean of the worst ``es_level`` share of periods, a return), ``n_months``; with a
        benchmark ``tracking_error`` and ``information_ratio``; with turnover
        ``ann_turnover``; with gross returns ``cost_drag`` (geometric). Definitions are
        those of :mod:`~factorgym.evaluation.metrics` and
        :mod:`~factorgym.evaluation.drawdown`.

    Raises
    ------
    ConfigError
        For a bad ``periods_per_year``, ``es_level`` or ``hac_lags``.
    DataError
        For non-finite, misaligned or too short inputs (>= 4 months).
    """
    ppy = check_periods(periods_per_year)
    es_level = check_level("es_level", es_level)
    ret = as_returns(returns, min_obs=4)
    x = ret.values
    lags = (
        newey_west_lags(ret.n_obs)
        if hac_lags is None
        else check_lags("hac_lags", hac_lags, ret.n_obs)
    )
    cols: dict[str, object] = {
        "ann_return": annualized_return(x, periods_per_year=ppy),
        "ann_return_arith": annualized_return(x, geometric=False, periods_per_year=ppy),
        "ann_vol": annualized_volatility(x, periods_per_year=ppy),
        "sharpe": sharpe_ratio(x, rf=rf, periods_per_year=ppy),
        "sharpe_se_iid": sharpe_standard_error(x, rf=rf, method="iid", periods_per_year=ppy),
        "sharpe_se_hac": sharpe_standard_error(
            x, rf=rf, method="hac", lags=lags, periods_per_year=ppy
        ),
        "sortino": sortino_ratio(x, rf=rf, periods_per_year=ppy),
        "max_drawdown": max_drawdown(x),
        "max_dd_months": max_drawdown_duration(x),
        "calmar": calmar_ratio(x, periods_per_year=ppy),
        "hit_rate": hit_rate(x, rf=rf),
        "skew": skewness(x),
        "excess_kurtosis": excess_kurtosis(x),
        "expected_shortfall": expected_shortfall(x, level=es_level),
    }
    if benchmark is not None:
        cols["tracking_error"] = tracking_error(x, benchmark, periods_per_year=ppy)
        cols["information_ratio"] = information_ratio(x, benchmark, periods_per_year=ppy)
    if turnover is not None:
        to = as_returns(turnover, name="turnover", min_obs=1).values
        if to.shape != x.shape:
            raise DataError(
                f"`turnover` must have the shape of `returns` {x.shape}, got {to.shape}"
            )
        cols["ann_turnover"] = annualized_turnover(to, periods_per_year=ppy)
    if gross_returns is not None:
        gross = as_returns(gross_returns, name="gross_returns").values
        if gross.shape != x.shape:
            raise DataError(
                f"`gross_returns` must have the shape of `returns` {x.shape}, got {gross.shape}"
            )
        cols["cost_drag"] = cost_drag(gross, x, periods_per_year=ppy)
    table = pd.DataFrame(
        {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()},
        index=pd.Index(ret.labels, name="strategy"),
    )
    table["n_months"] = ret.n_obs
    return table
