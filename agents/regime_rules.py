"""Regime rules fed by filtered HMM probabilities given to the env as a feature block.

The feature block is the output of :class:`factorgym.regimes.RegimeFeatures` (columns
``regime_p{k}`` = P(s_t = k | x_1..x_t), the *filtered* probability -- forward algorithm, never
smoothed -- plus ``regime_next_p{k}`` and ``regime_state``), passed to the env as
``features={"regime": frame}``; the rules read row ``t`` of it through ``info["history"]``.
:class:`~factorgym.regimes.RegimeFeatures` orders the first fit's states by ascending variance,
so the last state is the high-volatility one.

- :class:`RegimeSwitch`: hold the assets (1/N by default) when the filtered probability of the
  high-volatility state is below 0.5, else cash (Ang & Bekaert 2002's regime-switching
  allocation in its simplest, risk-off form; cf. Nystrup et al. 2018).
- :class:`RegimeStateAllocation`: one long-only allocation per state, learned on the training
  months, mixed by the filtered probabilities at ``t``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.agents._history import (
    feature_columns,
    feature_values,
    history_of,
    resolve_block,
    training_data,
)
from factorgym.agents.base import BaseAllocator, WeightBounds, check_fit_args
from factorgym.envs.env_spec import EnvSpec
from factorgym.errors import ConfigError, DataError, NotFittedError
from factorgym.validation import check_real, check_real_sequence

__all__ = ["RegimeStateAllocation", "RegimeSwitch", "state_allocations"]


def _check_columns(columns: Sequence[str] | None) -> tuple[str, ...] | None:
    if columns is None:
        return None
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns) or not columns:
        raise ConfigError(f"`columns` must be None or a non-empty sequence of str, got {columns!r}")
    return tuple(columns)


def _check_block(block: object) -> None:
    if block is not None and (not isinstance(block, str) or not block):
        raise ConfigError(f"`block` must be None or a non-empty str, got {block!r}")


def state_allocations(probs: FloatArray, next_returns: FloatArray) -> FloatArray:
    """One long-only allocation per state from probability-weighted next-month moments.

    For state ``s`` with weights ``p_{t,s}`` (the probabilities at the decision months ``t``):
    ``mu_{s,k} = sum_t p_{t,s} x_{t+1,k} / sum_t p_{t,s}`` and
    ``v_{s,k} = sum_t p_{t,s} (x_{t+1,k} - mu_{s,k})^2 / sum_t p_{t,s}``; the allocation is
    ``a_{s,k} ∝ max(mu_{s,k}, 0) / v_{s,k}`` scaled to ``sum_k a_{s,k} = 1`` (all cash when no
    mean is positive): the long-only mean-variance direction of uncorrelated assets.

    Parameters
    ----------
    probs : ndarray of shape (n_months, n_states)
    next_returns : ndarray of shape (n_months, n_assets)

    Returns
    -------
    ndarray of shape (n_states, n_assets)

    Raises
    ------
    DataError
        If a state has no probability mass on the training months.
    """
    mass = probs.sum(axis=0)
    if np.any(mass <= 0.0):
        raise DataError(f"every state needs probability mass on the training months, got {mass}")
    mu = (probs.T @ next_returns) / mass[:, None]
    var = np.stack(
        [
            (probs[:, s, None] * (next_returns - mu[s]) ** 2).sum(axis=0) / mass[s]
            for s in range(len(mass))
        ]
    )
    raw = np.maximum(mu, 0.0) / np.maximum(var, 1e-300)
    total = raw.sum(axis=1, keepdims=True)
    return np.where(total > 0.0, raw / np.where(total > 0.0, total, 1.0), 0.0)


class RegimeSwitch(BaseAllocator):
    """Hold the assets when P(high-volatility state at t) < ``threshold``, else cash.

    ``w_t = risky_weights`` if ``p_t < threshold`` else ``0`` (all cash), with ``p_t`` the
    filtered probability in column ``column`` of feature block ``block`` at decision month ``t``.
    Long-only with cash: needs ``allow_cash=True`` (``long_only``) or ``long_short``.

    Parameters
    ----------
    block : str, optional
        Feature block holding :class:`~factorgym.regimes.RegimeFeatures` output; default: the
        env's one block with a ``regime_p0`` column (the experiments runner calls it
        ``"regimes"``).
    column : str, optional
        The high-volatility state's filtered probability (default: the last ``regime_p{k}``).
    threshold : float
        In ``(0, 1]``; default 0.5.
    risky_weights : sequence of float, optional
        Long-only weights held in the calm state (default 1/N), summing to <= 1.
    """

    name = "regime_switch"

    def __init__(
        self,
        block: str | None = None,
        *,
        column: str | None = None,
        threshold: float = 0.5,
        risky_weights: Sequence[float] | None = None,
    ) -> None:
        _check_block(block)
        if column is not None and not isinstance(column, str):
            raise ConfigError(f"`column` must be None or a str, got {column!r}")
        self.block = block
        self.column = column
        self.threshold = check_real("threshold", threshold, low=0.0, high=1.0, low_open=True)
        self.risky_weights = (
            None
            if risky_weights is None
            else check_real_sequence("risky_weights", risky_weights, low=0.0)
        )
        if self.risky_weights is not None and sum(self.risky_weights) > 1.0 + 1e-12:
            raise ConfigError(f"`risky_weights` must sum to <= 1, got {self.risky_weights}")

    def _risky(self, n_assets: int) -> FloatArray:
        if self.risky_weights is None:
            return np.full(n_assets, 1.0 / n_assets)
        if len(self.risky_weights) != n_assets:
            raise ConfigError(
                f"`risky_weights` must have one weight per asset ({n_assets}), "
                f"got {len(self.risky_weights)}"
            )
        return np.asarray(self.risky_weights, dtype=np.float64)

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-only with cash."""
        w = self._risky(n_assets)
        return WeightBounds(nonnegative=True, max_weight=float(w.max()), max_gross=1.0)

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """The risky weights, or cash when the high-volatility probability is >= threshold."""
        hist = history_of(info, self.name)
        block = resolve_block(hist, self.block, self.name, has_column="regime_p0")
        if self.column is None:
            col = feature_columns(hist, block, None, "regime_p", self.name)[-1:]
        else:
            col = feature_columns(hist, block, (self.column,), "", self.name)
        p = float(feature_values(hist, block, col, -1, self.name)[0])
        w = self._risky(len(hist.assets))
        return w if p < self.threshold else np.zeros_like(w)


class RegimeStateAllocation(BaseAllocator):
    """Per-state allocations learned on training months, mixed by the probabilities at ``t``.

    :meth:`fit` estimates one long-only allocation per state (:func:`state_allocations`) from
    the probabilities ``p_t`` at the training decisions and the returns ``x_{t+1}`` they earn;
    :meth:`act` holds ``w_t = sum_s p_{t,s} a_s`` (``p_t`` renormalised to sum to 1), a convex
    mix of long-only allocations, so long-only with cash (needs ``allow_cash=True`` or
    ``long_short``).

    Parameters
    ----------
    block : str, optional
        Feature block of state probabilities (default: the env's one block with a
        ``regime_p0`` column).
    columns : sequence of str, optional
        One probability column per state (default: ``regime_p0, regime_p1, ...``; pass the
        ``regime_next_p{k}`` columns to mix by the one-month-ahead probabilities instead).

    Attributes
    ----------
    allocations_ : ndarray of shape (n_states, n_assets)
        ``a_s`` after :meth:`fit`.
    """

    name = "regime_state_allocation"
    requires_fit = True

    def __init__(self, block: str | None = None, *, columns: Sequence[str] | None = None) -> None:
        _check_block(block)
        self.block = block
        self.columns = _check_columns(columns)

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-only with cash."""
        return WeightBounds(nonnegative=True, max_weight=1.0, max_gross=1.0)

    def fit(
        self,
        train_env_factory: EnvSpec,
        *,
        validation_env_factory: EnvSpec | None = None,
        seed: int | None = None,
    ) -> RegimeStateAllocation:
        """Learn ``a_s`` from the training decisions (probabilities at t, returns of t + 1)."""
        spec, _, _ = check_fit_args(train_env_factory, validation_env_factory, seed)
        data = training_data(spec)
        hist = data.history
        block = resolve_block(hist, self.block, self.name, has_column="regime_p0")
        cols = feature_columns(hist, block, self.columns, "regime_p", self.name)
        probs = feature_values(hist, block, cols, data.decision_rows, self.name)
        x1 = np.asarray(hist.excess, dtype=np.float64)[data.decision_rows + 1]
        self.allocations_ = state_allocations(probs, x1)
        self.train_window_ = data.window
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "allocations_"):
            raise NotFittedError(f"{self.name!r} is not fitted yet; call fit(train_spec) first")

    def _fitted_state(self) -> dict[str, Any]:
        self._check_fitted()
        return {"allocations_": self.allocations_, "train_window_": self.train_window_}

    def _restore_state(self, state: Mapping[str, Any]) -> None:
        self.allocations_ = np.asarray(state["allocations_"], dtype=np.float64)
        self.train_window_ = tuple(state["train_window_"])

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """``sum_s p_{t,s} a_s``."""
        self._check_fitted()
        hist = history_of(info, self.name)
        block = resolve_block(hist, self.block, self.name, has_column="regime_p0")
        cols = feature_columns(hist, block, self.columns, "regime_p", self.name)
        if len(cols) != self.allocations_.shape[0]:
            raise ConfigError(
                f"{self.name!r} was fitted on {self.allocations_.shape[0]} states, the env's "
                f"block {block!r} has {len(cols)}"
            )
        p = np.clip(feature_values(hist, block, cols, -1, self.name), 0.0, None)
        total = p.sum()
        if not total > 0.0:
            raise DataError(f"{self.name!r}: the state probabilities at {hist.month} sum to 0")
        w = (p / total) @ self.allocations_
        return np.clip(w, 0.0, None)
