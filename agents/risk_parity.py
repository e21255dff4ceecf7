"""Risk-based baselines on a trailing covariance: inverse volatility and equal risk contribution.

Both are long-only and fully invested, estimated at the end of month ``t`` from the excess
returns of months ``t - window + 1 .. t`` (sample moments, ``ddof=1``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.agents._history import history_of, last_rows
from factorgym.agents.base import BaseAllocator, WeightBounds
from factorgym.errors import DataError
from factorgym.trailing import trailing_covariance, trailing_std
from factorgym.validation import check_int

__all__ = [
    "EqualRiskContribution",
    "InverseVolatility",
    "equal_risk_contribution_weights",
    "inverse_volatility_weights",
]


def inverse_volatility_weights(returns: FloatArray) -> FloatArray:
    """``w_k = (1 / s_k) / sum_j (1 / s_j)`` with ``s_k`` the sample std (``ddof=1``) of column k.

    Parameters
    ----------
    returns : ndarray of shape (window, n_assets)

    Raises
    ------
    DataError
        If a column has zero volatility.
    """
    vol = trailing_std(returns, len(returns))[-1]  # the window's sample std (ddof=1)
    if np.any(vol <= 0.0):
        raise DataError(f"inverse volatility needs every volatility > 0, got {vol.tolist()}")
    inv = 1.0 / vol
    return inv / inv.sum()


def equal_risk_contribution_weights(
    cov: FloatArray, *, tol: float = 1e-14, max_iter: int = 100
) -> FloatArray:
    """Long-only weights whose risk contributions ``w_k (Sigma w)_k`` are all equal.

    Maillard, Roncalli & Teiletche (2010, JPM 36(4)). Solved as Spinu (2013): ``y*`` minimises
    the strictly convex ``f(y) = y' Sigma y / 2 - (1/N) sum_k log y_k`` on ``y > 0`` (Newton's
    method with a step that keeps ``y > 0``), and ``w = y* / sum y*``; at the optimum
    ``y_k (Sigma y)_k = 1/N`` for every ``k``.

    Parameters
    ----------
    cov : ndarray of shape (n_assets, n_assets)
        Positive definite covariance.

    Raises
    ------
    DataError
        If ``cov`` is not positive definite or Newton does not converge.
    """
    cov = np.asarray(cov, dtype=np.float64)
    n = cov.shape[0]
    try:
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError as exc:
        raise DataError("equal risk contribution needs a positive definite covariance") from exc
    b = np.full(n, 1.0 / n)
    y = 1.0 / np.sqrt(np.diag(cov))
    y *= np.sqrt(1.0 / (y @ cov @ y))  # start on the scale of the solution
    for _ in range(max_iter):
        grad = cov @ y - b / y
        if np.max(np.abs(grad * y)) < tol:
            break
        step = np.linalg.solve(cov + np.diag(b / y**2), grad)
        scale = 1.0
        while np.any(y - scale * step <= 0.0):
            scale *= 0.5
        y = y - scale * step
    else:
        raise DataError(f"equal risk contribution did not converge in {max_iter} Newton steps")
    return y / y.sum()


class InverseVolatility(BaseAllocator):
    """Long-only weights proportional to ``1 / s_k``, the trailing volatility of asset k.

    ``s_{t,k}`` is the sample std (``ddof=1``) of asset k's excess returns over months
    ``t - window + 1 .. t``; ``w_{t,k} = s_{t,k}^{-1} / sum_j s_{t,j}^{-1}``. Long-only and fully
    invested: runs in ``long_only`` (with or without cash) and ``long_short`` envs.

    Parameters
    ----------
    window : int
        Trailing months (>= 2; default 36). Every decision month needs this much history.
    """

    name = "inverse_volatility"

    def __init__(self, window: int = 36) -> None:
        self.window = check_int("window", window, minimum=2)

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-only and fully invested."""
        return WeightBounds(nonnegative=True, max_weight=1.0, max_gross=1.0, fully_invested=True)

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """Inverse-volatility weights of the last ``window`` months."""
        x = last_rows(history_of(info, self.name), self.window, self.name)
        return inverse_volatility_weights(x)


class EqualRiskContribution(BaseAllocator):
    """Equal risk contribution (risk parity) on the trailing sample covariance.

    ``Sigma_t`` is the sample covariance (``ddof=1``) of months ``t - window + 1 .. t``; the
    weights solve ``w_k (Sigma_t w)_k = w' Sigma_t w / N``, ``w >= 0``, ``sum w = 1``
    (:func:`equal_risk_contribution_weights`). With uncorrelated assets this is inverse
    volatility; with two assets it is inverse volatility whatever the correlation. Long-only
    and fully invested (``long_only`` or ``long_short`` envs).

    Parameters
    ----------
    window : int
        Trailing months (> number of assets; default 36).
    """

    name = "equal_risk_contribution"

    def __init__(self, window: int = 36) -> None:
        self.window = check_int("window", window, minimum=2)

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-only and fully invested."""
        return WeightBounds(nonnegative=True, max_weight=1.0, max_gross=1.0, fully_invested=True)

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """ERC weights of the last ``window`` months' sample covariance."""
        x = last_rows(history_of(info, self.name), self.window, self.name)
        return equal_risk_contribution_weights(trailing_covariance(x, len(x))[-1])
