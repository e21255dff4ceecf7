"""Trading costs in return units: proportional (one-way) and internal rebalancing costs.

Units follow ``COSTS.md`` section 1: costs are non-negative numbers in return units per month
(1 bp = 1e-4) subtracted from the month's gross portfolio return.

* proportional: ``sum_k c_k |dw_k|`` with ``dw = w - w~`` the move from the drifted to the new
  weights and ``c_k`` one-way (a round trip costs ``2 c_k``); for a long-short factor ``c_k``
  covers both legs;
* internal: ``sum_k h_k |w_k|`` per month held: Ken French factors are paper portfolios gross of
  the trading that keeps their sorts current (Fama & French 2015; Novy-Marx & Velikov 2016), so
  holding a factor costs its own turnover times its trading cost. Charging ``h`` per factor
  ignores the netting of opposite stock trades across factors and so overstates the internal
  cost of a combination (DeMiguel, Martin-Utrera, Nogales & Uppal 2020); we accept that bias.

The square-root market impact is in :mod:`factorgym.envs.impact`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.envs import kernel
from factorgym.envs._rows import as_rows, rows_like, unbatch
from factorgym.envs.impact import impact_rate

__all__ = [
    "BPS",
    "CostModel",
    "internal_cost",
    "proportional_cost",
    "rebalance_cost",
]

#: One basis point in return units.
BPS = 1e-4


def proportional_cost(abs_trade: FloatArray, cost_rate: FloatArray) -> Any:
    """``sum_k c_k |dw_k|`` (the env's :func:`factorgym.envs.kernel.proportional_cost_row`).

    Parameters
    ----------
    abs_trade : ndarray of shape (n,) or (n_envs, n)
        Executed ``|dw_k|`` (weight units).
    cost_rate : ndarray of shape (n,)
        One-way cost per unit of ``|dw|`` in return units (bp * 1e-4).

    Returns
    -------
    float or ndarray of shape (n_envs,)
    """
    a, one = as_rows(abs_trade, "abs_trade")
    out = np.empty(len(a))
    kernel.proportional_cost_rows(a, rows_like(cost_rate, a.shape[1:], "cost_rate"), out)
    return unbatch(out, one)


def internal_cost(abs_weights: FloatArray, internal_rate: FloatArray) -> Any:
    """``sum_k h_k |w_k|``: the month's internal rebalancing cost of the weights held.

    Parameters
    ----------
    abs_weights : ndarray of shape (n,) or (n_envs, n)
        ``|w_k|`` held over the month (signed weights give the same result).
    internal_rate : ndarray of shape (n,)
        Monthly cost per unit of ``|w|`` in return units (bp * 1e-4).

    Returns
    -------
    float or ndarray of shape (n_envs,)
    """
    w, one = as_rows(abs_weights, "abs_weights")
    out = np.empty(len(w))
    kernel.internal_cost_rows(w, rows_like(internal_rate, w.shape[1:], "internal_rate"), out)
    return unbatch(out, one)


def rebalance_cost(w_target: FloatArray, w_drifted: FloatArray, cost_bps: Any) -> float:
    """Proportional cost of moving ``w_drifted`` to ``w_target`` at ``cost_bps`` (bp).

    >>> rebalance_cost(np.array([1.0, 0.0]), np.array([0.0, 0.0]), 10.0)
    0.001
    """
    trade = np.abs(np.asarray(w_target, dtype=np.float64) - np.asarray(w_drifted, np.float64))
    rate = np.broadcast_to(np.asarray(cost_bps, dtype=np.float64) * BPS, trade.shape)
    return float(proportional_cost(trade, rate))


@dataclass(frozen=True, eq=False)
class CostModel:
    """Per-asset cost, impact and capacity parameters of one env (``COSTS.md`` units).

    Attributes
    ----------
    assets : tuple of str
        Asset names, in column order.
    cost_bps : ndarray of shape (n,)
        ``c_k``: one-way proportional cost, bp per unit of ``|dw|``.
    internal_bps : ndarray of shape (n,)
        ``h_k``: internal rebalancing cost, bp per month per unit of ``|w|``.
    impact_coef : ndarray of shape (n,)
        ``Y_k``: square-root impact prefactor.
    sigma_daily : ndarray of shape (n,)
        ``sigma_k``: daily volatility of the stocks traded (decimal), a fixed parameter.
    capacity_usd : ndarray of shape (n,)
        ``V_k``: daily dollar volume available per leg.
    legs : ndarray of shape (n,)
        2 for long-short factors, 1 for Mkt-RF and investable assets.
    trade_days : float
        ``D``: days a rebalance is spread over.
    participation_cap : float
        ``p_max``: cap on ``q_k / (V_k D)`` (``inf``: no cap).
    preset : str
        Name of the preset the parameters started from.
    sources : tuple of str
        For each asset, the preset row used (e.g. ``"Mom"``, ``"ETF"``, ``"generic factor"``)
        and any overrides.
    """

    assets: tuple[str, ...]
    cost_bps: FloatArray
    internal_bps: FloatArray
    impact_coef: FloatArray
    sigma_daily: FloatArray
    capacity_usd: FloatArray
    legs: FloatArray
    trade_days: float
    participation_cap: float
    preset: str = "custom"
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in (
            "cost_bps",
            "internal_bps",
            "impact_coef",
            "sigma_daily",
            "capacity_usd",
            "legs",
        ):
            arr = np.array(getattr(self, name), dtype=np.float64)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def cost_rate(self) -> FloatArray:
        """``c_k`` in return units."""
        return self.cost_bps * BPS

    @property
    def internal_rate(self) -> FloatArray:
        """``h_k`` in return units per month."""
        return self.internal_bps * BPS

    @property
    def impact_scale(self) -> FloatArray:
        """``legs_k`` times the impact rate of a $1 trade: ``legs_k Y_k sigma_k / sqrt(V_k D)``.

        The impact charge of ``|dw_k|`` at AUM ``N`` is then ``sqrt(N) scale_k |dw_k|^1.5``
        (:func:`~factorgym.envs.impact.impact_cost`); the law itself is
        :func:`~factorgym.envs.impact.impact_rate`.
        """
        rate_of_one_dollar = impact_rate(
            1.0,
            impact_coef=self.impact_coef,
            sigma_daily=self.sigma_daily,
            capacity_usd=self.capacity_usd,
            trade_days=self.trade_days,
        )
        return self.legs * rate_of_one_dollar

    @property
    def max_trade_usd(self) -> FloatArray:
        """Largest dollar trade per leg and month: ``p_max V_k D`` (``inf`` without a cap)."""
        return self.participation_cap * self.capacity_usd * self.trade_days

    @property
    def is_zero(self) -> bool:
        """True if no cost of any kind is charged."""
        return not (self.cost_bps.any() or self.internal_bps.any() or self.impact_coef.any())

    def table(self) -> list[dict[str, object]]:
        """One row per asset (for display and for saving next to results)."""
        return [
            {
                "asset": a,
                "c_bps": float(self.cost_bps[k]),
                "h_bps": float(self.internal_bps[k]),
                "Y": float(self.impact_coef[k]),
                "sigma_daily": float(self.sigma_daily[k]),
                "V_usd": float(self.capacity_usd[k]),
                "legs": int(self.legs[k]),
                "D": self.trade_days,
                "p_max": self.participation_cap,
                "source": self.sources[k] if self.sources else "",
            }
            for k, a in enumerate(self.assets)
        ]
