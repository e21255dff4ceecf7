"""Square-root market impact and capacity (participation) limits.

Following ``COSTS.md`` section 1, the impact of trading ``|dw_k|`` of a portfolio of ``N``
dollars costs, per dollar traded, ``rate_k = Y_k sigma_k sqrt(q_k / (V_k D))`` with
``q_k = N |dw_k|`` the dollar notional per leg, ``sigma_k`` the daily volatility of the stocks
traded, ``V_k`` the daily dollar volume per leg and ``D`` the days the trade is spread over
(square-root law: Toth et al. 2011; Bucci et al. 2019 find it for larger orders, linear for small
ones). The charge in return units is ``legs_k |dw_k| rate_k``. The participation
``q_k / (V_k D)`` is capped at ``p_max``; :func:`capacity_fill` gives the fraction of a trade
that can be executed.

The law is written once, in :func:`factorgym.envs.kernel.impact_rate`: :func:`impact_rate`,
:func:`impact_cost` (through :attr:`CostModel.impact_scale`, the rate of a one-dollar trade),
:func:`break_even_aum` and the env all evaluate it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.envs import kernel
from factorgym.envs._rows import as_rows, floats, per_row, rows_like, unbatch

__all__ = [
    "break_even_aum",
    "capacity_fill",
    "impact_cost",
    "impact_rate",
    "participation",
]


def impact_rate(
    trade_notional: Any,
    *,
    impact_coef: Any,
    sigma_daily: Any,
    capacity_usd: Any,
    trade_days: Any,
) -> Any:
    """Per-dollar impact ``Y sigma sqrt(q / (V D))`` of a dollar trade ``q`` per leg (elementwise).

    Parameters
    ----------
    trade_notional : float or ndarray
        ``q``, dollars per leg.
    impact_coef, sigma_daily, capacity_usd, trade_days : float or ndarray
        ``Y``, ``sigma`` (daily, decimal), ``V`` (dollars per day per leg), ``D`` (days);
        broadcast against ``trade_notional``.
    """
    return kernel.impact_rate_ufunc(
        floats(trade_notional),
        floats(impact_coef),
        floats(sigma_daily),
        floats(capacity_usd),
        floats(trade_days),
    )


def impact_cost(abs_trade: FloatArray, aum: Any, impact_scale: FloatArray) -> Any:
    """Impact charge ``sum_k legs_k |dw_k| Y_k sigma_k sqrt(N |dw_k| / (V_k D))``.

    With ``scale_k = legs_k Y_k sigma_k / sqrt(V_k D)`` (:attr:`CostModel.impact_scale`, the
    rate of a one-dollar trade times the legs) this is ``sum_k |dw_k| scale_k sqrt(N |dw_k|)``.

    Parameters
    ----------
    abs_trade : ndarray of shape (n,) or (n_envs, n)
        Executed ``|dw_k|``.
    aum : float or ndarray of shape (n_envs,)
        Portfolio AUM ``N`` in dollars at the trade.
    impact_scale : ndarray of shape (n,)
        Per-asset scale.

    Returns
    -------
    float or ndarray of shape (n_envs,)
    """
    a, one = as_rows(abs_trade, "abs_trade")
    out = np.empty(len(a))
    scale = rows_like(impact_scale, a.shape[1:], "impact_scale")
    kernel.impact_cost_rows(a, per_row(aum, len(a), "aum"), scale, out)
    return unbatch(out, one)


def participation(abs_trade: Any, aum: Any, capacity_usd: Any, trade_days: Any) -> Any:
    """Participation ``N |dw_k| / (V_k D)`` of each trade in the available volume (elementwise)."""
    return kernel.participation_ufunc(
        floats(abs_trade), floats(aum), floats(capacity_usd), floats(trade_days)
    )


def capacity_fill(abs_trade: FloatArray, aum: Any, inv_max_trade_usd: FloatArray) -> Any:
    """Fraction of a rebalance that fits under the participation cap, in ``(0, 1]``.

    The rebalance is filled pro rata: every asset trades the same fraction ``phi`` of its
    desired ``dw_k``, the largest for which ``N phi |dw_k| <= p_max V_k D`` for all k. (Cutting
    each asset separately would break the budget: a cut sale with a full purchase levers up.)

    Parameters
    ----------
    abs_trade : ndarray of shape (n,) or (n_envs, n)
        Desired ``|dw_k|``.
    aum : float or ndarray of shape (n_envs,)
        AUM ``N``.
    inv_max_trade_usd : ndarray of shape (n,)
        ``1 / (p_max V_k D)`` (0 where there is no cap).

    Returns
    -------
    float or ndarray of shape (n_envs,)
    """
    a, one = as_rows(abs_trade, "abs_trade")
    out = np.empty(len(a))
    inv = rows_like(inv_max_trade_usd, a.shape[1:], "inv_max_trade_usd")
    kernel.capacity_fill_rows(a, per_row(aum, len(a), "aum"), inv, out)
    return unbatch(out, one)


def break_even_aum(
    *,
    premium: float,
    internal_bps: float,
    turnover: float,
    legs: float,
    impact_coef: float,
    sigma_daily: float,
    capacity_usd: float,
    trade_days: float,
) -> float:
    """AUM at which a factor's own trading costs eat its gross premium (``COSTS.md`` check 7).

    A factor with one-sided monthly turnover ``tau`` per leg pays ``h + legs tau Y sigma
    sqrt(N tau / (V D))`` a month, i.e. ``h + sqrt(N) legs tau rate(tau)`` with ``rate`` the
    :func:`impact_rate` of a ``tau``-dollar trade; setting this equal to ``premium`` gives
    ``N = ((premium - h) / (legs tau rate(tau)))**2`` (0 if ``h >= premium``, ``inf`` without
    impact). Compare Ratcliffe, Miranda & Ang (2017) and Korajczyk & Sadka (2004).

    Parameters
    ----------
    premium : float
        Gross monthly premium (decimal).
    internal_bps : float
        ``h`` in bp per month.
    turnover, legs, impact_coef, sigma_daily, capacity_usd, trade_days : float
        ``tau``, legs, ``Y``, ``sigma``, ``V``, ``D``.
    """
    budget = premium - internal_bps * 1e-4
    if budget <= 0:
        return 0.0
    rate = float(
        impact_rate(
            turnover,
            impact_coef=impact_coef,
            sigma_daily=sigma_daily,
            capacity_usd=capacity_usd,
            trade_days=trade_days,
        )
    )
    per_sqrt_n = legs * turnover * rate
    if per_sqrt_n == 0:
        return math.inf
    return (budget / per_sqrt_n) ** 2
