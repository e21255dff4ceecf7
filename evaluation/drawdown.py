"""Drawdowns of compounded wealth: the drawdown path, its maximum and duration, Calmar.

Wealth starts at 1 *before* the first period, ``W_0 = 1`` and ``W_t = prod_{s <= t} (1 + r_s)``,
so a loss in the first month is a drawdown (quantstats 0.0.86 adds the same "phantom" starting
point of 1 for returns; its earlier releases chose that baseline differently). The
drawdown at ``t`` is ``1 - W_t / max_{s <= t} W_s`` with ``s`` running from 0: a *positive*
fraction, as ``FactorPanel.describe`` reports it (quantstats reports it negative).
"""

from __future__ import annotations

import numpy as np

from factorgym._typing import FloatArray
from factorgym.evaluation._validation import ColumnStat, as_returns, check_periods
from factorgym.evaluation.metrics import annualized_return

__all__ = ["calmar_ratio", "drawdown_series", "max_drawdown", "max_drawdown_duration"]


def _drawdowns(x: FloatArray) -> FloatArray:
    """Drawdown path, shape (n, k), from simple returns of shape (n, k)."""
    wealth = np.cumprod(1.0 + x, axis=0)
    peak = np.maximum.accumulate(np.vstack([np.ones((1, x.shape[1])), wealth]), axis=0)[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(peak > 0, 1.0 - wealth / peak, 1.0)


def drawdown_series(returns: object) -> FloatArray:
    """Drawdown after each period, ``1 - W_t / max_{s <= t} W_s`` (``W_0 = 1``).

    Parameters
    ----------
    returns : array-like of shape (n_months,) or (n_months, n_strategies)
        Simple periodic returns.

    Returns
    -------
    ndarray of shape (n_months,) or (n_months, n_strategies)
        Values in [0, 1] (above 1 only if wealth turns negative); 0 at a new high.
    """
    ret = as_returns(returns, min_obs=1)
    dd = _drawdowns(ret.values)
    return dd[:, 0] if ret.kind == "scalar" else dd


def max_drawdown(returns: object) -> ColumnStat:
    """Largest peak-to-trough loss of compounded wealth, a positive fraction (0.25 = -25%).

    ``MDD = max_t (1 - W_t / max_{s <= t} W_s)`` with ``W_0 = 1`` (Magdon-Ismail and Atiya
    2004, "Maximum drawdown", Risk 17(10), definition of MDD over ``[0, T]``).
    """
    ret = as_returns(returns, min_obs=1)
    return ret.wrap(_drawdowns(ret.values).max(axis=0))


def max_drawdown_duration(returns: object) -> ColumnStat:
    """Longest time under water, in periods (months for monthly returns).

    The largest number of consecutive periods whose wealth is strictly below the previous
    peak (``W_0 = 1`` included). A spell that has not recovered by the last period counts up
    to it. This is the longest drawdown, which need not be the deepest one.

    Returns
    -------
    float, ndarray of shape (n_strategies,) or Series
        Integer-valued (0 for a strategy that never falls below a previous peak).
    """
    ret = as_returns(returns, min_obs=1)
    under = _drawdowns(ret.values) > 0
    best = np.zeros(under.shape[1])
    run = np.zeros(under.shape[1])
    for row in under:  # O(n k); n is a few hundred months
        run = np.where(row, run + 1.0, 0.0)
        best = np.maximum(best, run)
    return ret.wrap(best)


def calmar_ratio(returns: object, *, periods_per_year: int = 12) -> ColumnStat:
    """Compound annual growth rate over the maximum drawdown of the whole sample.

    ``Calmar = CAGR / MDD`` (Young 1991, "Calmar ratio: a smoother tool", Futures, October; Young
    used the last 36 months, here and in quantstats it is the full sample). NaN if there is no
    drawdown.
    """
    ppy = check_periods(periods_per_year)
    ret = as_returns(returns)
    cagr = np.atleast_1d(np.asarray(annualized_return(ret.values, periods_per_year=ppy)))
    mdd = _drawdowns(ret.values).max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return ret.wrap(np.where(mdd > 0, cagr / np.where(mdd > 0, mdd, 1.0), np.nan))
