"""Oracles: upper bounds that see what no investor sees. Never contenders.

- :class:`HindsightOracle` sees month ``t + 1``'s returns at the end of month ``t`` and puts
  everything in the asset with the highest next-month excess return (cash if none is positive):
  the best long-only portfolio with cash for that month, before costs. It bounds what any
  allocator could earn; it is not a strategy.
- :class:`RegimeOracle` knows the true state ``s_t`` of a simulated regime market (a one-hot
  feature block) and holds a fixed allocation per state -- with
  :meth:`RegimeOracle.from_synthetic`, the asset with the highest conditional mean
  ``E[x_{t+1} | s_t] = P[s_t] @ means`` (:meth:`~factorgym.data.SyntheticMarket.oracle_mean`).
  It is the ceiling for a learner that is given the same state block.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from factorgym._typing import FloatArray, IntArray
from factorgym.agents._history import feature_columns, feature_values, history_of, resolve_block
from factorgym.agents.base import BaseAllocator, Scalar, WeightBounds, check_fit_args
from factorgym.data.synthetic import SyntheticMarket
from factorgym.envs.env_spec import EnvSpec
from factorgym.errors import ConfigError, DataError, NotFittedError
from factorgym.panel import FactorPanel

__all__ = ["HindsightOracle", "RegimeOracle", "state_indicator_frame"]


def state_indicator_frame(states: IntArray, months: pd.PeriodIndex, n_states: int) -> pd.DataFrame:
    """One-hot state frame with columns ``regime_p0 .. regime_p{K-1}`` (a "true-state" block).

    Row ``t`` is the indicator of ``s_t``, the state of month ``t`` itself: known at the end of
    month ``t`` in a simulation where the state is revealed, never later.
    """
    states = np.asarray(states, dtype=np.int64)
    if states.shape != (len(months),):
        raise DataError(
            f"`states` must have one state per month ({len(months)}), got {states.shape}"
        )
    onehot = np.zeros((len(months), n_states))
    onehot[np.arange(len(months)), states] = 1.0
    return pd.DataFrame(
        onehot, index=months.rename("month"), columns=[f"regime_p{k}" for k in range(n_states)]
    )


class HindsightOracle(BaseAllocator):
    """All in the asset with the best month-``t + 1`` excess return (cash if none is positive).

    An upper bound, never a contender. It reads month ``t + 1`` from ``panel`` (or, if None,
    from the panel of the spec given to :meth:`fit`), never from the env. Long-only with cash.

    Parameters
    ----------
    panel : FactorPanel, optional
        The data whose future the oracle sees.
    """

    name = "hindsight_oracle"
    contender = False

    def __init__(self, panel: FactorPanel | None = None) -> None:
        if panel is not None and not isinstance(panel, FactorPanel):
            raise ConfigError(f"`panel` must be a FactorPanel or None, got {type(panel).__name__}")
        self.panel = panel

    @property
    def params(self) -> dict[str, Scalar]:
        """No parameters beyond the panel's content hash."""
        return {"panel": None if self.panel is None else self.panel.content_hash}

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-only with cash (one asset at a time)."""
        return WeightBounds(nonnegative=True, max_weight=1.0, max_gross=1.0)

    def fit(
        self,
        train_env_factory: EnvSpec,
        *,
        validation_env_factory: EnvSpec | None = None,
        seed: int | None = None,
    ) -> HindsightOracle:
        """Take the spec's panel if none was given."""
        spec, _, _ = check_fit_args(train_env_factory, validation_env_factory, seed)
        if self.panel is None:
            self.panel = spec.panel
        return self

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """One-hot on ``argmax_k x_{t+1,k}`` if positive, else zeros."""
        if self.panel is None:
            raise NotFittedError("HindsightOracle needs a panel: pass one or call fit(spec)")
        hist = history_of(info, self.name)
        pos = self.panel.months.get_loc(hist.month) if hist.month in self.panel.months else -1
        if pos < 0 or pos + 1 >= self.panel.n_months:
            raise DataError(f"HindsightOracle's panel has no month after {hist.month}")
        returns = np.asarray(self.panel.returns[pos + 1], dtype=np.float64)
        excess = returns - self.panel.rf[pos + 1] if self.panel.kind == "total" else returns
        w = np.zeros(len(excess))
        k = int(np.argmax(excess))
        if excess[k] > 0.0:
            w[k] = 1.0
        return w

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Not saved: the oracle holds data, not fitted state.

        Raises
        ------
        ConfigError
            Always.
        """
        raise ConfigError("HindsightOracle holds the future returns, not a model; rebuild it")


class RegimeOracle(BaseAllocator):
    """Fixed allocation per true state, the state read from a one-hot feature block.

    Not a contender: the true state is not observable. At decision month ``t`` it reads row
    ``t`` of ``block`` (built with :func:`state_indicator_frame`), takes ``s = argmax`` and holds
    ``state_weights[s]``.

    Parameters
    ----------
    state_weights : sequence of sequences of float
        ``(n_states, n_assets)`` long-only allocations (each summing to <= 1).
    block : str, optional
        Feature block with the state indicator columns ``regime_p{k}`` (default: the env's one
        block with a ``regime_p0`` column).
    """

    name = "regime_oracle"
    contender = False

    def __init__(
        self, state_weights: Sequence[Sequence[float]], *, block: str | None = None
    ) -> None:
        w = np.asarray(state_weights, dtype=np.float64)
        if (
            w.ndim != 2
            or not np.all(np.isfinite(w))
            or np.any(w < 0)
            or np.any(w.sum(1) > 1 + 1e-12)
        ):
            raise ConfigError(
                "`state_weights` must be an (n_states, n_assets) array of long-only weights "
                f"summing to <= 1 per state, got {state_weights!r}"
            )
        if block is not None and (not isinstance(block, str) or not block):
            raise ConfigError(f"`block` must be None or a non-empty str, got {block!r}")
        self.state_weights = tuple(tuple(float(v) for v in row) for row in w)
        self.block = block

    @classmethod
    def from_synthetic(cls, market: SyntheticMarket, *, block: str | None = None) -> RegimeOracle:
        """Per state ``s``: all in ``argmax_k (P[s] @ means)_k`` if positive, else cash."""
        cond = np.asarray(market.transmat @ market.means, dtype=np.float64)
        weights = np.zeros_like(cond)
        for s, row in enumerate(cond):
            k = int(np.argmax(row))
            if row[k] > 0.0:
                weights[s, k] = 1.0
        return cls(weights.tolist(), block=block)

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-only with cash."""
        return WeightBounds(nonnegative=True, max_weight=1.0, max_gross=1.0)

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """``state_weights[argmax of the state block at t]``."""
        hist = history_of(info, self.name)
        block = resolve_block(hist, self.block, self.name, has_column="regime_p0")
        cols = feature_columns(hist, block, None, "regime_p", self.name)
        w = np.asarray(self.state_weights, dtype=np.float64)
        if len(cols) != w.shape[0] or w.shape[1] != len(hist.assets):
            raise ConfigError(
                f"`state_weights` has shape {w.shape}; the env has {len(cols)} states and "
                f"{len(hist.assets)} assets"
            )
        p: FloatArray = feature_values(hist, block, cols, -1, self.name)
        return w[int(np.argmax(p))].copy()
