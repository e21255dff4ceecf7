"""Factor momentum: time-series and cross-sectional, on compounded trailing returns.

The signal of factor ``k`` at the end of month ``t`` is its compounded excess return over the
``lookback`` (12) months ``t - 11 .. t``, with no skipped month:
``m_{t,k} = prod_{j=0..11} (1 + x_{t-j,k}) - 1``.

- Time-series factor momentum (Gupta & Kelly 2019, "Factor Momentum Everywhere", JPM 45(3);
  Ehsani & Linnainmaa 2022, "Factor Momentum and the Momentum Factor", JF 77(3)): the sign of
  ``m_{t,k}`` sets factor k's position in month ``t + 1``. Long-short: ``w_k = sign(m_k) / N``
  (gross 1); long-only: ``w_k = 1/N`` if ``m_k > 0`` else 0 (the rest in cash).
- Cross-sectional factor momentum (Ehsani & Linnainmaa 2022, section II): long the factors whose
  ``m_{t,k}`` is above the cross-sectional median, short those below, equal weights
  ``+-1/N`` (gross 1 when no factor sits exactly at the median); long-only: the winners equally
  weighted, ``w_k = 1 / #winners``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.agents._history import history_of, last_rows
from factorgym.agents.base import BaseAllocator, WeightBounds
from factorgym.validation import check_bool, check_int

__all__ = [
    "CrossSectionalMomentum",
    "TimeSeriesMomentum",
    "compounded_return",
    "cross_sectional_momentum_weights",
    "time_series_momentum_weights",
]


def compounded_return(returns: FloatArray) -> FloatArray:
    """``prod_j (1 + x_j) - 1`` per column of ``returns`` (shape ``(months, n_assets)``)."""
    return np.prod(1.0 + returns, axis=0) - 1.0


def time_series_momentum_weights(signal: FloatArray, *, long_only: bool) -> FloatArray:
    """``sign(m_k) / N`` (long-short) or ``1[m_k > 0] / N`` (long-only)."""
    n = len(signal)
    if long_only:
        return np.where(signal > 0.0, 1.0 / n, 0.0)
    return np.sign(signal) / n


def cross_sectional_momentum_weights(signal: FloatArray, *, long_only: bool) -> FloatArray:
    """``+1/N`` above the median, ``-1/N`` below (long-short); ``1/#winners`` (long-only)."""
    n = len(signal)
    med = float(np.median(signal))
    winners = signal > med
    if long_only:
        k = int(winners.sum())
        return np.where(winners, 1.0 / k, 0.0) if k else np.zeros(n)
    return (winners.astype(np.float64) - (signal < med).astype(np.float64)) / n


class _MomentumRule(BaseAllocator):
    base_name = "factor_momentum"

    def __init__(self, lookback: int = 12, *, long_only: bool = False) -> None:
        self.lookback = check_int("lookback", lookback, minimum=1)
        self.long_only = check_bool("long_only", long_only)
        self.name = self.base_name + ("_long_only" if self.long_only else "")

    def _signal(self, info: Mapping[str, Any]) -> FloatArray:
        return compounded_return(last_rows(history_of(info, self.name), self.lookback, self.name))


class TimeSeriesMomentum(_MomentumRule):
    """Time-series factor momentum: the sign of the compounded 12-month return sets the position.

    Parameters
    ----------
    lookback : int
        Months compounded (default 12: months ``t - 11 .. t``, no skipped month).
    long_only : bool
        False (default): ``sign(m_k) / N``, needs ``action_mode="long_short"``; True: ``1/N`` in
        the factors with ``m_k > 0``, cash otherwise.
    """

    base_name = "ts_factor_momentum"

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """``|w_k| <= 1/N``, gross <= 1; non-negative if long-only."""
        return WeightBounds(nonnegative=self.long_only, max_weight=1.0 / n_assets, max_gross=1.0)

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """Weights from the signs of the compounded returns."""
        return time_series_momentum_weights(self._signal(info), long_only=self.long_only)


class CrossSectionalMomentum(_MomentumRule):
    """Cross-sectional factor momentum: winners (above-median compounded return) against losers.

    Parameters
    ----------
    lookback : int
        Months compounded (default 12).
    long_only : bool
        False (default): ``+-1/N``, needs ``action_mode="long_short"``; True: the winners
        equally weighted, fully invested in them.
    """

    base_name = "xs_factor_momentum"

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-short ``+-1/N``; long-only up to 1 in one winner (N = 2 or 3)."""
        if self.long_only:
            return WeightBounds(nonnegative=True, max_weight=1.0, max_gross=1.0)
        return WeightBounds(nonnegative=False, max_weight=1.0 / n_assets, max_gross=1.0)

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """Weights from the cross-sectional ranks of the compounded returns."""
        return cross_sectional_momentum_weights(self._signal(info), long_only=self.long_only)
