"""Volatility-managed factors (Moreira & Muir 2017) and volatility targeting of 1/N.

Moreira & Muir (2017), "Volatility-Managed Portfolios", JF 72(4), 1611-1644, eq. (1): the
managed factor earns ``f^sigma_{t+1} = (c / sigma^2_t) f_{t+1}``, with ``sigma^2_t`` the
factor's realised variance in month ``t`` and ``c`` a constant that gives the managed factor the
same unconditional volatility as the factor. The paper measures ``sigma^2_t`` from the *daily*
returns of month ``t``; this package has monthly data, so the monthly-data version estimates it
as the mean of the last ``variance_months`` (6) squared monthly returns,
``sigma^2_t = (1/6) sum_{j=0..5} f_{t-j}^2`` (not demeaned). ``c`` is chosen on the training
months only: ``c_k = sd(f_{k,t+1}) / sd(f_{k,t+1} / sigma^2_{k,t})`` over the training
decisions ``t`` (``ddof=1``), so that the managed and the unmanaged factor have the same
volatility there (the paper picks ``c`` in sample, on the full sample).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.agents._history import history_of, last_rows, training_data
from factorgym.agents.base import BaseAllocator, WeightBounds, check_fit_args
from factorgym.agents.sample_based import cap_leverage
from factorgym.envs.env_spec import EnvSpec
from factorgym.errors import ConfigError, DataError, NotFittedError
from factorgym.validation import check_int, check_real, check_real_sequence

__all__ = [
    "VolatilityManaged",
    "VolatilityTarget",
    "managed_scale",
    "trailing_mean_square",
]


def trailing_mean_square(returns: FloatArray) -> FloatArray:
    """``(1/m) sum_j f_j^2`` per column of ``returns`` (shape ``(m, n_assets)``)."""
    return np.mean(np.square(returns), axis=0)


def managed_scale(next_returns: FloatArray, variance: FloatArray) -> FloatArray:
    """Moreira-Muir ``c_k = sd(f_{t+1}) / sd(f_{t+1} / sigma^2_t)`` per column (``ddof=1``).

    Parameters
    ----------
    next_returns : ndarray of shape (n_months, n_assets)
        ``f_{t+1}`` of every training decision ``t``.
    variance : ndarray of shape (n_months, n_assets)
        ``sigma^2_t`` of the same decisions.

    Raises
    ------
    DataError
        With fewer than 2 months or a zero variance.
    """
    if next_returns.shape[0] < 2:
        raise DataError(f"`c` needs at least 2 training months, got {next_returns.shape[0]}")
    if np.any(variance <= 0.0):
        raise DataError("`c` needs every trailing variance > 0 on the training months")
    managed = next_returns / variance
    return np.std(next_returns, axis=0, ddof=1) / np.std(managed, axis=0, ddof=1)


class VolatilityManaged(BaseAllocator):
    """Moreira & Muir (2017) volatility-managed factors, monthly-data version.

    For decision month ``t`` the weight of factor ``k`` is
    ``w_{t,k} = b_k c_k / sigma^2_{t,k}`` with ``sigma^2_{t,k}`` the mean of the squared excess
    returns of months ``t - variance_months + 1 .. t`` (:func:`trailing_mean_square`), ``c_k``
    fitted on the training months (:func:`managed_scale`) and ``b`` the base weights (1/N by
    default: the managed 1/N portfolio of factors; ``b_k = 1`` for one factor is exactly the
    paper's ``c / sigma^2_t``). The weights are then capped by one common factor at
    ``max_weight`` per asset and ``max_gross`` in total (the paper's managed factors reach
    several times leverage; the cap is a limit of the rule, not of the paper).

    Weights are >= 0 and may sum to more than 1: the rule needs ``action_mode="long_short"``
    with ``max_weight >= max_weight`` and ``max_gross >= max_gross`` (or ``long_only`` with
    cash when ``max_gross <= 1``).

    Parameters
    ----------
    variance_months : int
        Months in the variance estimate (default 6).
    base_weights : sequence of float, optional
        ``b`` (default 1/N), non-negative.
    max_weight, max_gross : float
        Caps (defaults 1 and 2, the env's long-short defaults).

    Attributes
    ----------
    scale_ : ndarray of shape (n_assets,)
        ``c_k`` after :meth:`fit`.
    """

    name = "volatility_managed"
    requires_fit = True

    def __init__(
        self,
        variance_months: int = 6,
        *,
        base_weights: Sequence[float] | None = None,
        max_weight: float = 1.0,
        max_gross: float = 2.0,
    ) -> None:
        self.variance_months = check_int("variance_months", variance_months, minimum=1)
        self.base_weights = (
            None
            if base_weights is None
            else check_real_sequence("base_weights", base_weights, low=0.0)
        )
        self.max_weight = check_real("max_weight", max_weight, low=0.0, low_open=True)
        self.max_gross = check_real("max_gross", max_gross, low=0.0, low_open=True)

    def _base(self, n_assets: int) -> FloatArray:
        if self.base_weights is None:
            return np.full(n_assets, 1.0 / n_assets)
        if len(self.base_weights) != n_assets:
            raise ConfigError(
                f"`base_weights` must have one weight per asset ({n_assets}), "
                f"got {len(self.base_weights)}"
            )
        return np.asarray(self.base_weights, dtype=np.float64)

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Non-negative, within the rule's caps."""
        return WeightBounds(
            nonnegative=True,
            max_weight=min(self.max_weight, self.max_gross),
            max_gross=self.max_gross,
        )

    def fit(
        self,
        train_env_factory: EnvSpec,
        *,
        validation_env_factory: EnvSpec | None = None,
        seed: int | None = None,
    ) -> VolatilityManaged:
        """Fit ``c_k`` on the training decisions ``t`` (``f_{t+1}`` earned inside the window)."""
        spec, _, _ = check_fit_args(train_env_factory, validation_env_factory, seed)
        data = training_data(spec)
        x = np.asarray(data.history.excess, dtype=np.float64)
        m = self.variance_months
        rows = data.decision_rows
        if rows[0] + 1 < m:
            raise DataError(
                f"`variance_months` = {m} needs {m} months of history at the first training "
                f"decision {data.decision_months[0]}; only {rows[0] + 1} exist"
            )
        variance = np.stack([trailing_mean_square(x[t - m + 1 : t + 1]) for t in rows])
        self.scale_ = managed_scale(x[rows + 1], variance)
        self.train_window_ = data.window
        return self

    def _fitted_state(self) -> dict[str, Any]:
        self._check_fitted()
        return {"scale_": self.scale_, "train_window_": self.train_window_}

    def _restore_state(self, state: Mapping[str, Any]) -> None:
        self.scale_ = np.asarray(state["scale_"], dtype=np.float64)
        self.train_window_ = tuple(state["train_window_"])

    def _check_fitted(self) -> None:
        if not hasattr(self, "scale_"):
            raise NotFittedError(f"{self.name!r} is not fitted yet; call fit(train_spec) first")

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """``b_k c_k / sigma^2_{t,k}``, capped."""
        self._check_fitted()
        hist = history_of(info, self.name)
        variance = trailing_mean_square(last_rows(hist, self.variance_months, self.name))
        if len(self.scale_) != len(variance):
            raise ConfigError(
                f"{self.name!r} was fitted on {len(self.scale_)} assets, the env has "
                f"{len(variance)}"
            )
        if np.any(variance <= 0.0):
            raise DataError(f"{self.name!r}: a trailing variance is 0 at {hist.month}")
        w = self._base(len(variance)) * self.scale_ / variance
        return cap_leverage(w, max_weight=self.max_weight, max_gross=self.max_gross)


class VolatilityTarget(BaseAllocator):
    """1/N scaled to a target annual volatility: ``w_t = (1/N) min(L, sigma* / sigma_t)``.

    ``sigma_t = sqrt(periods_per_year) * sd(r^{1/N}_{t-window+1..t})`` is the trailing
    volatility (``ddof=1``) of the 1/N portfolio's monthly excess return
    ``r^{1/N} = (1/N) sum_k x_k`` (gross of costs), ``sigma*`` the stated target and ``L`` the
    leverage cap. Above 1 (the default is 2: a 10 % target on factors whose 1/N mix runs at
    about 6 % needs leverage) the rule needs ``action_mode="long_short"`` with
    ``max_gross >= max_leverage``; with ``max_leverage <= 1`` it is long-only with cash.

    Parameters
    ----------
    target_volatility : float
        Annual volatility target ``sigma*`` (default 0.10).
    window : int
        Trailing months of the volatility estimate (default 12).
    max_leverage : float
        ``L`` (default 2, the env's default ``max_gross`` in long-short mode).
    periods_per_year : int
        12 for monthly data.
    """

    name = "volatility_target"

    def __init__(
        self,
        target_volatility: float = 0.10,
        *,
        window: int = 12,
        max_leverage: float = 2.0,
        periods_per_year: int = 12,
    ) -> None:
        self.target_volatility = check_real(
            "target_volatility", target_volatility, low=0.0, low_open=True
        )
        self.window = check_int("window", window, minimum=2)
        self.max_leverage = check_real("max_leverage", max_leverage, low=0.0, low_open=True)
        self.periods_per_year = check_int("periods_per_year", periods_per_year, minimum=1)

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Non-negative, gross at most ``max_leverage``."""
        return WeightBounds(
            nonnegative=True,
            max_weight=self.max_leverage / n_assets,
            max_gross=self.max_leverage,
        )

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """1/N times ``min(L, sigma* / sigma_t)``."""
        x = last_rows(history_of(info, self.name), self.window, self.name)
        n = x.shape[1]
        vol = float(np.std(x.mean(axis=1), ddof=1)) * np.sqrt(self.periods_per_year)
        scale = (
            self.max_leverage
            if vol <= 0.0
            else min(self.max_leverage, self.target_volatility / vol)
        )
        return np.full(n, scale / n)
