"""Fixed-weight baselines: 1/N, static weights rebalanced monthly, buy-and-hold.

DeMiguel, Garlappi & Uppal (2009, RFS 22(5)) show that 1/N, rebalanced every month, is hard to
beat out of sample; it is the first benchmark of every comparison here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.agents._history import history_of
from factorgym.agents.base import BaseAllocator, WeightBounds
from factorgym.errors import ConfigError
from factorgym.validation import check_real_sequence

__all__ = ["BuyAndHold", "EqualWeight", "StaticWeights", "equal_weights"]


def equal_weights(n_assets: int) -> FloatArray:
    """``w_k = 1 / N`` for each of the ``N`` assets."""
    return np.full(n_assets, 1.0 / n_assets)


def _bounds_of(w: FloatArray) -> WeightBounds:
    return WeightBounds(
        nonnegative=bool(np.all(w >= 0.0)),
        max_weight=float(np.max(np.abs(w))),
        max_gross=float(np.abs(w).sum()),
        fully_invested=bool(abs(w.sum() - 1.0) <= 1e-12),
    )


class EqualWeight(BaseAllocator):
    """1/N over the panel's assets, rebalanced to 1/N at the end of every month.

    ``w_{t,k} = 1 / N`` for every decision month ``t`` (DeMiguel, Garlappi & Uppal 2009, the
    "naive" rule ``ew``). Fully invested and long-only: fits every action mode except tilt.
    """

    name = "equal_weight"

    def __init__(self) -> None:
        pass

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-only, fully invested, ``|w_k| = 1/N``."""
        return _bounds_of(equal_weights(n_assets))

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """``1/N`` for every asset."""
        return equal_weights(len(history_of(info, self.name).assets))


class StaticWeights(BaseAllocator):
    """Fixed target weights ``w``, rebalanced back to ``w`` at the end of every month.

    Parameters
    ----------
    weights : sequence of float
        One weight per asset; ``sum(w) < 1`` leaves cash (long-only) and negative weights need
        ``action_mode="long_short"``.
    name : str
        Label (default ``"static"``).
    """

    def __init__(self, weights: Sequence[float], *, name: str = "static") -> None:
        self.weights = check_real_sequence("weights", weights)
        if not isinstance(name, str) or not name:
            raise ConfigError(f"`name` must be a non-empty str, got {name!r}")
        self.name = name

    def _w(self, n_assets: int) -> FloatArray:
        if len(self.weights) != n_assets:
            raise ConfigError(
                f"`weights` must have one weight per asset ({n_assets}), got {len(self.weights)}"
            )
        return np.asarray(self.weights, dtype=np.float64)

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """The weights' own sign, largest weight, gross and budget."""
        return _bounds_of(self._w(n_assets))

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """The fixed weights."""
        return self._w(len(history_of(info, self.name).assets))


class BuyAndHold(BaseAllocator):
    """Buy ``w`` at the first decision month, then never trade: the weights drift with returns.

    At the first decision of an episode the target is ``w`` (default 1/N); afterwards the target
    is the env's drifted weights ``w~_t`` (``info["drifted_weights"]``), so the trade is zero and
    only the internal cost of holding long-short factors is charged. Long-only weights drift
    within the simplex (a position grows by ``1 + rf + x_k``, the portfolio by ``1 + r_p``).
    Needs ``action_mode="long_only"`` (``allow_cash=False`` only if ``w`` sums to 1) or
    ``"long_short"``.

    Parameters
    ----------
    weights : sequence of float, optional
        Initial weights, long-only (default 1/N).
    """

    name = "buy_and_hold"

    def __init__(self, weights: Sequence[float] | None = None) -> None:
        self.weights = None if weights is None else check_real_sequence("weights", weights, low=0)
        self._started = False

    def _w0(self, n_assets: int) -> FloatArray:
        if self.weights is None:
            return equal_weights(n_assets)
        if len(self.weights) != n_assets:
            raise ConfigError(
                f"`weights` must have one weight per asset ({n_assets}), got {len(self.weights)}"
            )
        if sum(self.weights) > 1.0 + 1e-12:
            raise ConfigError(f"`weights` must sum to <= 1 (long-only), got {self.weights}")
        return np.asarray(self.weights, dtype=np.float64)

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-only; the drifted weights keep the initial budget."""
        w = self._w0(n_assets)
        return WeightBounds(
            nonnegative=True,
            max_weight=1.0,
            max_gross=1.0,
            fully_invested=bool(abs(w.sum() - 1.0) <= 1e-12),
        )

    def begin_episode(self) -> None:
        """The next decision buys the initial weights."""
        self._started = False

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """``w`` at the first decision, the drifted weights afterwards."""
        n = len(history_of(info, self.name).assets)
        if not self._started:
            self._started = True
            return self._w0(n)
        drifted = np.asarray(info["drifted_weights"], dtype=np.float64)
        # drift keeps w >= 0 and the budget; clip rounding (1e-16) so the check passes exactly
        return np.clip(drifted, 0.0, None)
