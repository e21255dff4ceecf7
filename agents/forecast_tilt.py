"""Forecast tilt: mean-variance weights from point-in-time return forecasts and their uncertainty.

The forecasts are the output of :class:`factorgym.forecasts.WalkForwardForecaster` (or the
ensemble mean of :class:`factorgym.forecasts.EnsembleForecaster`): row ``t`` is
``yhat_t = E[x_{t+1} | information up to t]``, one column per asset, given to the env as a
feature block (``features={"forecast": forecaster.forecast_}``). The uncertainty is the
ensemble's cross-member spread ``u_t`` (``EnsembleForecaster.uncertainty_``), another block.

At decision month ``t`` the rule solves the mean-variance problem

    max_w  yhat_t' w - (gamma / 2) w' S_t w,   S_t = Sigma_t + diag(u_t^2)

with ``Sigma_t`` the Ledoit-Wolf covariance of the last ``window`` months of excess returns.
Adding the forecasts' own variance to the risk shrinks the positions in the assets whose
forecasts disagree most (the predictive-variance view of estimation risk; Kan & Zhou 2007 show
that estimation risk calls for smaller positions). Long-only (default): ``w >= 0``,
``sum w <= 1``, solved exactly for small ``N`` by SLSQP (cash takes the rest). Long-short:
``w = S_t^-1 yhat_t / gamma`` capped by one common factor at ``max_weight`` and ``max_gross``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.agents._history import (
    feature_columns,
    feature_values,
    history_of,
    last_rows,
    resolve_block,
)
from factorgym.agents.base import BaseAllocator, WeightBounds
from factorgym.agents.sample_based import cap_leverage, ledoit_wolf_covariance
from factorgym.errors import ConfigError, DataError
from factorgym.validation import check_bool, check_int, check_real

__all__ = ["ForecastTilt", "long_only_mean_variance"]


def long_only_mean_variance(mu: FloatArray, cov: FloatArray, risk_aversion: float) -> FloatArray:
    """``argmax mu'w - (gamma/2) w' cov w`` subject to ``w >= 0`` and ``sum w <= 1``.

    Solved with SciPy's SLSQP (analytic gradient, ``ftol=1e-15``), the result clipped at 0 and
    scaled down if rounding pushed the sum above 1.

    Raises
    ------
    DataError
        If the solver fails.
    """
    from scipy.optimize import minimize

    n = len(mu)
    gamma = float(risk_aversion)

    def objective(w: FloatArray) -> float:
        return float(0.5 * gamma * w @ cov @ w - mu @ w)

    def gradient(w: FloatArray) -> FloatArray:
        return np.asarray(gamma * cov @ w - mu, dtype=np.float64)

    res = minimize(
        objective,
        np.zeros(n),
        jac=gradient,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * n,
        constraints=[
            {"type": "ineq", "fun": lambda w: 1.0 - w.sum(), "jac": lambda w: -np.ones(n)}
        ],
        options={"ftol": 1e-15, "maxiter": 500},
    )
    if not res.success:
        raise DataError(f"long-only mean-variance failed: {res.message}")
    w = np.clip(np.asarray(res.x, dtype=np.float64), 0.0, 1.0)
    total = w.sum()
    return w / total if total > 1.0 else w


class ForecastTilt(BaseAllocator):
    """Mean-variance weights on forecasts, with their uncertainty added to the risk.

    Parameters
    ----------
    forecast_block : str, optional
        Feature block of forecasts ``yhat_t`` with one column per asset, named as the assets
        (default: the env's block named ``"forecasts"`` -- the experiments runner's name -- or
        ``"forecast"``).
    uncertainty_block : str, optional
        Feature block of the forecasts' spread ``u_t`` (same columns); None = no uncertainty.
    risk_aversion : float
        ``gamma`` (default 5).
    window : int
        Months of the Ledoit-Wolf covariance (default 60).
    long_only : bool
        True (default): ``w >= 0``, ``sum w <= 1``. False: long-short, capped.
    max_weight, max_gross : float
        Caps of the long-short version (defaults 1 and 2).
    """

    name = "forecast_tilt"

    def __init__(
        self,
        forecast_block: str | None = None,
        *,
        uncertainty_block: str | None = None,
        risk_aversion: float = 5.0,
        window: int = 60,
        long_only: bool = True,
        max_weight: float = 1.0,
        max_gross: float = 2.0,
    ) -> None:
        for label, value in (
            ("forecast_block", forecast_block),
            ("uncertainty_block", uncertainty_block),
        ):
            if value is not None and (not isinstance(value, str) or not value):
                raise ConfigError(f"`{label}` must be None or a non-empty str, got {value!r}")
        self.forecast_block = forecast_block
        self.uncertainty_block = uncertainty_block
        self.risk_aversion = check_real("risk_aversion", risk_aversion, low=0.0, low_open=True)
        self.window = check_int("window", window, minimum=2)
        self.long_only = check_bool("long_only", long_only)
        self.max_weight = check_real("max_weight", max_weight, low=0.0, low_open=True)
        self.max_gross = check_real("max_gross", max_gross, low=0.0, low_open=True)
        if not self.long_only:
            self.name = "forecast_tilt_long_short"

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-only with cash, or long-short within the caps."""
        if self.long_only:
            return WeightBounds(nonnegative=True, max_weight=1.0, max_gross=1.0)
        return WeightBounds(
            nonnegative=False,
            max_weight=min(self.max_weight, self.max_gross),
            max_gross=self.max_gross,
        )

    def _block_row(self, hist: Any, block: str) -> FloatArray:
        cols = feature_columns(hist, block, tuple(hist.assets), "", self.name)
        return np.asarray(feature_values(hist, block, cols, -1, self.name), dtype=np.float64)

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """Mean-variance weights on ``yhat_t`` with risk ``Sigma_t + diag(u_t^2)``."""
        hist = history_of(info, self.name)
        block = resolve_block(hist, self.forecast_block, self.name, names=("forecasts", "forecast"))
        mu = self._block_row(hist, block)
        cov = ledoit_wolf_covariance(last_rows(hist, self.window, self.name))
        if self.uncertainty_block is not None:
            cov = cov + np.diag(self._block_row(hist, self.uncertainty_block) ** 2)
        if self.long_only:
            return long_only_mean_variance(mu, cov, self.risk_aversion)
        w = np.asarray(np.linalg.solve(cov, mu), dtype=np.float64) / self.risk_aversion
        return cap_leverage(w, max_weight=self.max_weight, max_gross=self.max_gross)
