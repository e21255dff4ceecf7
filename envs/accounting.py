"""Portfolio accounting: returns, weight drift, wealth and drawdown (pure functions).

Both panel kinds use one formula. With ``x`` the excess returns (``R - rf`` for a
``kind="total"`` panel, the factor returns themselves for ``kind="excess"``), a portfolio with
weights ``w`` earns ``r_p = rf + sum_k w_k x_k``: for total returns this is
``sum_k w_k R_k + (1 - sum_k w_k) rf`` (uncommitted weight earns ``rf``); for long-short factors it
is ``rf + sum_k w_k x_k`` (the collateral earns ``rf``). Between rebalances each position grows
with ``1 + rf + x_k`` (a factor position is marked like an asset with total return
``rf + x_k``), so the drifted weights are ``w~_k = w_k (1 + rf + x_k) / (1 + r_p)``.
Costs are taken pro rata from all holdings, so they do not change the drifted weights.

The formulas are the env's own: each function runs the compiled row function of
:mod:`~factorgym.envs.kernel` that :class:`~factorgym.envs.FactorTimingEnv` runs, so its result
equals the env's ``info`` bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.envs import kernel
from factorgym.envs._rows import as_rows, floats, per_row, rows_like, unbatch

__all__ = ["drawdown", "drift_weights", "grow_wealth", "portfolio_return"]


def portfolio_return(weights: FloatArray, excess_returns: FloatArray, rf: Any) -> Any:
    """Gross return ``rf + sum_k w_k x_k`` of one month.

    Parameters
    ----------
    weights : ndarray of shape (n,) or (n_envs, n)
        Weights held over the month.
    excess_returns : ndarray of shape (n,) or (n_envs, n)
        The month's excess returns ``x`` (a row is broadcast to every portfolio).
    rf : float or ndarray of shape (n_envs,)
        The month's risk-free return.

    Returns
    -------
    float or ndarray of shape (n_envs,)
    """
    w, one = as_rows(weights, "weights")
    x = rows_like(excess_returns, w.shape, "excess_returns")
    out = np.empty(len(w))
    kernel.portfolio_return_rows(w, x, per_row(rf, len(w), "rf"), out)
    return unbatch(out, one)


def drift_weights(
    weights: FloatArray, asset_growth: FloatArray, portfolio_growth: Any
) -> FloatArray:
    """Weights after one month: ``w_k (1 + rf + x_k) / (1 + r_p)``.

    Parameters
    ----------
    weights : ndarray of shape (n,) or (n_envs, n)
        Weights at the start of the month.
    asset_growth : ndarray of shape (n,) or (n_envs, n)
        ``1 + rf + x_k`` of the month.
    portfolio_growth : float or ndarray of shape (n_envs,)
        ``1 + r_p`` (gross). A portfolio with ``1 + r_p <= 0`` is ruined and drifts to all-zero
        weights.

    Returns
    -------
    ndarray, the shape of ``weights``
    """
    w, one = as_rows(weights, "weights")
    g = rows_like(asset_growth, w.shape, "asset_growth")
    out = np.empty(w.shape)
    kernel.drift_rows(w, g, per_row(portfolio_growth, len(w), "portfolio_growth"), out)
    return unbatch(out, one)


def grow_wealth(wealth: Any, net_return: Any) -> Any:
    """``wealth * max(1 + r_net, 0)``: wealth cannot fall below zero (elementwise)."""
    return kernel.grow_wealth_ufunc(floats(wealth), floats(net_return))


def drawdown(wealth: Any, peak: Any) -> Any:
    """``1 - wealth / peak`` (0 at a new high); ``peak`` is the running maximum including now."""
    return kernel.drawdown_ufunc(floats(wealth), floats(peak))
