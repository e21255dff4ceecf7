"""Return, risk and trading metrics of periodic (monthly) strategy returns.

Every function takes ``returns`` as a 1-D array, a 2-D array of shape
(n_months, n_strategies), a Series or a DataFrame, and answers in the same shape: a float for
one series, an ndarray of shape (n_strategies,) for a 2-D array, a Series indexed by the
columns for a DataFrame. Rates are per period (a monthly ``rf`` of 0.002 is 0.2% a month) and
annualisation uses ``periods_per_year`` (12 for monthly data) and nothing else.

Definitions, and where they differ from quantstats 0.0.86 (each difference is checked in
``tests/evaluation/test_metrics.py``):

- ``sharpe_ratio``: mean / std(ddof=1) of excess returns x sqrt(periods_per_year), as
  quantstats. quantstats takes an *annual* ``rf`` and de-annualises it geometrically; here
  ``rf`` is the per-period rate, subtracted month by month.
- ``annualized_return``: geometric (compound) by default, ``(prod(1 + r))^(ppy / T) - 1``
  with years counted as ``T / periods_per_year``, which is what quantstats' ``cagr`` does in
  0.0.86 (older releases counted calendar years from the index). ``geometric=False`` gives the
  arithmetic ``mean x periods_per_year``.
- ``sortino_ratio``: downside deviation with target 0 over *all* periods, as quantstats.
- ``information_ratio``: annualised (x sqrt(periods_per_year)); quantstats' is not.
- ``hit_rate``: share of *all* periods with a return > 0 (a zero month is a miss);
  quantstats' ``win_rate`` leaves zero months out of the denominator.
- ``skewness`` / ``excess_kurtosis``: the bias-adjusted G1 / G2 by default, as pandas and
  quantstats; ``excess_kurtosis`` is 0 for a normal distribution.
- ``expected_shortfall``: historical (empirical) tail mean; quantstats' ``cvar`` defaults to a
  Gaussian (parametric) estimate, and its ``method="historical"`` agrees with this one when
  ``level x n_months`` is an integer.
"""

from __future__ import annotations

import numpy as np

from factorgym._typing import FloatArray
from factorgym.errors import DataError
from factorgym.evaluation._validation import (
    ColumnStat,
    as_returns,
    as_vector,
    check_bool,
    check_level,
    check_periods,
    excess_of,
)

__all__ = [
    "annualized_return",
    "annualized_turnover",
    "annualized_volatility",
    "cost_drag",
    "excess_kurtosis",
    "expected_shortfall",
    "hit_rate",
    "information_ratio",
    "sharpe_ratio",
    "skewness",
    "sortino_ratio",
    "tracking_error",
    "turnover_from_weights",
]


def _safe_div(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def annualized_return(
    returns: object, *, periods_per_year: int = 12, geometric: bool = True
) -> ColumnStat:
    """Annualised return.

    Geometric (default): the compound annual growth rate
    ``(prod_t (1 + r_t))^(periods_per_year / T) - 1``; a strategy whose wealth reaches 0 or
    below scores -1 (-100%). Arithmetic: ``mean(r) x periods_per_year``.

    Parameters
    ----------
    returns : array-like of shape (n_months,) or (n_months, n_strategies)
        Simple (not log) periodic returns.
    periods_per_year : int, default 12
    geometric : bool, default True

    Raises
    ------
    ConfigError
        If ``periods_per_year`` is not an int >= 1 or ``geometric`` not a bool.
    DataError
        If ``returns`` is not a finite 1-D/2-D numeric array with >= 2 rows.
    """
    ppy = check_periods(periods_per_year)
    geometric = check_bool("geometric", geometric)
    ret = as_returns(returns)
    x = ret.values
    if not geometric:
        return ret.wrap(x.mean(axis=0) * ppy)
    wealth = np.prod(1.0 + x, axis=0)
    with np.errstate(invalid="ignore"):
        cagr = np.where(wealth > 0, np.abs(wealth) ** (ppy / ret.n_obs) - 1.0, -1.0)
    return ret.wrap(cagr)


def annualized_volatility(returns: object, *, periods_per_year: int = 12) -> ColumnStat:
    """Sample standard deviation (``ddof=1``) x ``sqrt(periods_per_year)``.

    The square-root-of-time rule assumes serially uncorrelated returns (Lo 2002, FAJ 58(4),
    section "Time aggregation").
    """
    ppy = check_periods(periods_per_year)
    ret = as_returns(returns)
    return ret.wrap(ret.values.std(axis=0, ddof=1) * np.sqrt(ppy))


def sharpe_ratio(returns: object, *, rf: object = None, periods_per_year: int = 12) -> ColumnStat:
    """Annualised Sharpe ratio of excess returns.

    ``SR = mean(r - rf) / std(r - rf, ddof=1) x sqrt(periods_per_year)`` (Sharpe 1994, "The
    Sharpe ratio", JPM 21(1), ex-post ratio; annualised by the i.i.d. square-root rule, see
    Lo 2002). NaN when the excess returns are constant.

    Parameters
    ----------
    returns : array-like of shape (n_months,) or (n_months, n_strategies)
    rf : float or array of shape (n_months,), optional
        Per-period risk-free rate to subtract (None: ``returns`` are already excess returns).
    periods_per_year : int, default 12
    """
    ppy = check_periods(periods_per_year)
    ret = as_returns(returns)
    ex = excess_of(ret, rf)
    return ret.wrap(_safe_div(ex.mean(axis=0), ex.std(axis=0, ddof=1)) * np.sqrt(ppy))


def sortino_ratio(returns: object, *, rf: object = None, periods_per_year: int = 12) -> ColumnStat:
    """Annualised Sortino ratio with a target (minimum acceptable return) of 0 excess return.

    ``mean(e) / sqrt(mean(min(e, 0)^2)) x sqrt(periods_per_year)`` with ``e = r - rf``; the
    downside deviation averages over *all* periods (Sortino and Price 1994, "Performance
    measurement in a downside risk framework", J. Investing 3(3); the form quantstats uses).
    NaN when no period is below the target.
    """
    ppy = check_periods(periods_per_year)
    ret = as_returns(returns)
    ex = excess_of(ret, rf)
    downside = np.sqrt(np.mean(np.minimum(ex, 0.0) ** 2, axis=0))
    return ret.wrap(_safe_div(ex.mean(axis=0), downside) * np.sqrt(ppy))


def tracking_error(returns: object, benchmark: object, *, periods_per_year: int = 12) -> ColumnStat:
    """Annualised tracking error: ``std(r - b, ddof=1) x sqrt(periods_per_year)``.

    Parameters
    ----------
    returns : array-like of shape (n_months,) or (n_months, n_strategies)
    benchmark : array-like of shape (n_months,)
        The benchmark's per-period returns, aligned with ``returns`` row by row.
    """
    ppy = check_periods(periods_per_year)
    ret = as_returns(returns)
    active = ret.values - as_vector(benchmark, ret.n_obs, name="benchmark")[:, None]
    return ret.wrap(active.std(axis=0, ddof=1) * np.sqrt(ppy))


def information_ratio(
    returns: object, benchmark: object, *, periods_per_year: int = 12
) -> ColumnStat:
    """Annualised information ratio: active return over tracking error.

    ``IR = mean(r - b) / std(r - b, ddof=1) x sqrt(periods_per_year)`` (Grinold and Kahn
    2000, *Active Portfolio Management*, 2nd ed., ch. 5, ex-post IR). quantstats'
    ``information_ratio`` is the same ratio *not* annualised. NaN for zero tracking error.
    """
    ppy = check_periods(periods_per_year)
    ret = as_returns(returns)
    active = ret.values - as_vector(benchmark, ret.n_obs, name="benchmark")[:, None]
    ratio = _safe_div(active.mean(axis=0), active.std(axis=0, ddof=1))
    return ret.wrap(ratio * np.sqrt(ppy))


def hit_rate(returns: object, *, rf: object = None) -> ColumnStat:
    """Share of periods whose (excess) return is > 0; a zero return counts as a miss."""
    ret = as_returns(returns)
    return ret.wrap(np.mean(excess_of(ret, rf) > 0.0, axis=0))


def _central_moments(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    d = x - x.mean(axis=0)
    return np.mean(d**2, axis=0), np.mean(d**3, axis=0), np.mean(d**4, axis=0)


def skewness(returns: object, *, adjusted: bool = True) -> ColumnStat:
    """Sample skewness.

    ``g1 = m3 / m2^1.5`` from the central sample moments ``m_k = mean((x - mean)^k)``;
    ``adjusted=True`` (default) gives ``G1 = g1 sqrt(n (n - 1)) / (n - 2)``, the estimator of
    pandas, Excel and quantstats (Joanes and Gill 1998, "Comparing measures of sample skewness
    and kurtosis", The Statistician 47(1), eqs. for g1 and G1). Needs >= 3 periods.
    """
    adjusted = check_bool("adjusted", adjusted)
    ret = as_returns(returns, min_obs=3)
    m2, m3, _ = _central_moments(ret.values)
    g1 = _safe_div(m3, m2**1.5)
    n = ret.n_obs
    return ret.wrap(g1 * np.sqrt(n * (n - 1.0)) / (n - 2.0) if adjusted else g1)


def excess_kurtosis(returns: object, *, adjusted: bool = True) -> ColumnStat:
    """Sample *excess* kurtosis (0 for a normal distribution).

    ``g2 = m4 / m2^2 - 3``; ``adjusted=True`` (default) gives
    ``G2 = ((n + 1) g2 + 6) (n - 1) / ((n - 2) (n - 3))``, the estimator of pandas, Excel and
    quantstats (Joanes and Gill 1998). The Pearson kurtosis used by the probabilistic Sharpe
    ratio is ``g2 + 3``. Needs >= 4 periods.
    """
    adjusted = check_bool("adjusted", adjusted)
    ret = as_returns(returns, min_obs=4)
    m2, _, m4 = _central_moments(ret.values)
    g2 = _safe_div(m4, m2**2) - 3.0
    n = ret.n_obs
    if adjusted:
        g2 = ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
    return ret.wrap(g2)


def expected_shortfall(returns: object, *, level: float = 0.05) -> ColumnStat:
    """Historical expected shortfall (CVaR): mean return of the worst ``level`` of periods.

    With the returns sorted, ``x_(1) <= ... <= x_(n)``, ``w = n * level`` and ``k = floor(w)``,
    ``ES = (sum_{i <= k} x_(i) + (w - k) x_(k+1)) / w``: the tail mean of the empirical
    distribution, the boundary period weighted fractionally (Acerbi and Tasche 2002, "On the
    coherence of expected shortfall", J. Banking & Finance 26(7), ES of a discrete
    distribution). Reported as a *return* (negative for losses), the sign quantstats uses.

    Parameters
    ----------
    returns : array-like of shape (n_months,) or (n_months, n_strategies)
    level : float in (0, 1), default 0.05
        Tail probability (0.05 = the worst 5% of months).
    """
    level = check_level("level", level)
    ret = as_returns(returns, min_obs=1)
    x = np.sort(ret.values, axis=0)
    w = ret.n_obs * level
    k = int(np.floor(w + 1e-12))  # guard n * level = 6 - 1e-16
    k = min(k, ret.n_obs)
    tail = x[:k].sum(axis=0)
    if k < ret.n_obs:
        tail = tail + (w - k) * x[k]
    return ret.wrap(tail / w)


def annualized_turnover(turnover: object, *, periods_per_year: int = 12) -> ColumnStat:
    """Average per-period turnover x ``periods_per_year``.

    Parameters
    ----------
    turnover : array-like of shape (n_months,) or (n_months, n_strategies)
        Per-period turnover, e.g. the env's executed ``info["turnover"]``
        (``sum_k |w_k - w~_k|`` from the drifted to the target weights), or
        :func:`turnover_from_weights`. Must be >= 0.

    Raises
    ------
    DataError
        If a turnover value is negative.
    """
    ppy = check_periods(periods_per_year)
    ret = as_returns(turnover, name="turnover", min_obs=1)
    if (ret.values < 0).any():
        raise DataError(f"`turnover` must be >= 0, got minimum {float(ret.values.min())!r}")
    return ret.wrap(ret.values.mean(axis=0) * ppy)


def turnover_from_weights(weights: object) -> FloatArray:
    """Per-period turnover ``sum_k |w_{t,k} - w_{t-1,k}|`` of one strategy's weights.

    Drift is ignored: the trade is measured from last period's *target* weights, not from the
    weights after last period's returns moved them. Prefer the env's executed turnover when
    it is available; this is for allocators evaluated outside the env.

    Parameters
    ----------
    weights : array-like of shape (n_months, n_assets)
        Target weights chosen at the end of each month.

    Returns
    -------
    ndarray of shape (n_months - 1,)
    """
    w = as_returns(weights, name="weights").values
    return np.abs(np.diff(w, axis=0)).sum(axis=1)


def cost_drag(
    gross: object, net: object, *, periods_per_year: int = 12, geometric: bool = True
) -> ColumnStat:
    """Annualised return lost to costs: ``annualized_return(gross) - annualized_return(net)``.

    Parameters
    ----------
    gross, net : array-like of the same shape (n_months,) or (n_months, n_strategies)
        Returns before and after transaction costs and impact (env ``info`` fields
        ``gross_return`` and ``net_return``).
    geometric : bool, default True
        Compare compound annual growth rates (default) or arithmetic annualised means.

    Raises
    ------
    DataError
        If ``gross`` and ``net`` differ in shape.
    """
    g = as_returns(gross, name="gross")
    n = as_returns(net, name="net")
    if g.values.shape != n.values.shape:
        raise DataError(
            f"`gross` and `net` must have the same shape, got {g.values.shape} and {n.values.shape}"
        )
    gross_ann = annualized_return(g.values, periods_per_year=periods_per_year, geometric=geometric)
    net_ann = annualized_return(n.values, periods_per_year=periods_per_year, geometric=geometric)
    drag = np.asarray(gross_ann) - np.asarray(net_ann)
    return n.wrap(drag)
