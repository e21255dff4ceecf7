"""Square-root market impact and capacity (participation) limits.

Following ``COSTS.md`` section 1, the impact of trading ``|dw_k|`` of a portfolio of ``N``
dollars costs, per dollar traded, ``rate_k = Y_k sigma_k sqrt(q_k / (V_k D))`` with
``q_k = N |dw_k|`` the dollar notional per leg, ``sigma_k`` the daily volatility of the stocks
traded, ``V_k`` the daily dollar volume per leg and ``D`` the days the trade is spread over
(square-root law: Toth et al. 2011; Bucci et al. 2019 find it for larger orders, linear for small
ones). The charge in return units is ``legs_k |dw_k| rate_k``. The participation
``q_k / (V_k D)`` is capped at ``p_max``; :func:`capacity_fill` gives the fraction of a trade
that can be executed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.envs._rowops import row_dot, row_max

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
    trade_days: float,
) -> Any:
    """Per-dollar impact ``Y sigma sqrt(q / (V D))`` of a dollar trade ``q`` per leg."""
    return impact_coef * sigma_daily * np.sqrt(trade_notional / (capacity_usd * trade_days))


def impact_cost(abs_trade: FloatArray, aum: Any, impact_scale: FloatArray) -> Any:
    """Impact charge ``sum_k legs_k |dw_k| Y_k sigma_k sqrt(N |dw_k| / (V_k D))``.

    Written as ``sqrt(N) sum_k scale_k |dw_k|^{3/2}`` with
    ``scale_k = legs_k Y_k sigma_k / sqrt(V_k D)`` (:attr:`CostModel.impact_scale`).
    ``|dw|^{3/2}`` is one ``power`` call for one portfolio (fewest calls) and
    ``|dw| sqrt(|dw|)`` for a batch (``power`` is slow per element); the two agree to rounding.

    Parameters
    ----------
    abs_trade : ndarray of shape (n,) or (n_envs, n)
        Executed ``|dw_k|``.
    aum : float or ndarray of shape (n_envs,)
        Portfolio AUM ``N`` in dollars at the trade.
    impact_scale : ndarray of shape (n,)
        Per-asset scale.
    """
    if abs_trade.ndim == 1:
        return math.sqrt(aum) * row_dot(abs_trade**1.5, impact_scale)
    root_aum = np.sqrt(aum) if isinstance(aum, np.ndarray) else math.sqrt(aum)
    return root_aum * row_dot(abs_trade * np.sqrt(abs_trade), impact_scale)


def participation(abs_trade: Any, aum: Any, capacity_usd: Any, trade_days: float) -> Any:
    """Participation ``N |dw_k| / (V_k D)`` of each trade in the available volume (elementwise)."""
    return aum * abs_trade / (capacity_usd * trade_days)


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
    load = row_max(abs_trade * inv_max_trade_usd)
    if isinstance(load, np.ndarray):
        load = load * aum
        return np.where(load > 1.0, 1.0 / np.maximum(load, 1.0), 1.0)
    load = load * aum
    return 1.0 / load if load > 1.0 else 1.0


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
    sqrt(N tau / (V D))`` a month; setting this equal to ``premium`` gives
    ``N = (V D / tau) ((premium - h) / (legs tau Y sigma))**2`` (0 if ``h >= premium``,
    ``inf`` without impact). Compare Ratcliffe, Miranda & Ang (2017) and Korajczyk & Sadka (2004).

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
    per_sqrt_n = (
        legs
        * turnover
        * impact_coef
        * sigma_daily
        * math.sqrt(turnover / (capacity_usd * trade_days))
    )
    if per_sqrt_n == 0:
        return math.inf
    return (budget / per_sqrt_n) ** 2
