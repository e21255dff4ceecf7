"""Sample-based mean-variance rules of DeMiguel, Garlappi & Uppal (2009) on a rolling window.

DeMiguel, Garlappi & Uppal (2009), "Optimal Versus Naive Diversification: How Inefficient is the
1/N Portfolio Strategy?", RFS 22(5), 1915-1953, estimate each rule at the end of month ``t`` from
the last ``M = 120`` months of excess returns (months ``t - 119 .. t``) and hold it over month
``t + 1``. Here:

- :class:`SampleTangency` ("mv"): ``w ∝ Sigma^-1 mu`` with the sample mean and the sample
  covariance (``ddof=1``), scaled so that ``sum |w| = 1``;
- :class:`MinimumVarianceLW` ("min" with a shrunk covariance): ``w = Sigma^-1 1 / (1' Sigma^-1
  1)`` (``sum w = 1``) with the Ledoit & Wolf (2004) covariance of
  ``sklearn.covariance.LedoitWolf``;
- :class:`MeanVarianceShrinkage` ("bs", Bayes-Stein): ``w ∝ Sigma^-1 mu_BS`` with Jorion's (1986)
  Bayes-Stein mean, which shrinks the sample mean toward the minimum-variance portfolio's mean
  (``skfolio.moments.ShrunkMu(method=BAYES_STEIN, vol_weighted_target=True)``), and the
  Ledoit-Wolf covariance (``skfolio.moments.LedoitWolf``); scaled so that ``sum |w| = 1``.

DGU normalise the tangency weights by ``|1' w|``; with long-short factors (zero-cost, so no
budget) we scale by the gross exposure instead, as the task defines. The rules produce negative
weights: they need ``action_mode="long_short"``. The minimum-variance weights have no bound on
their gross exposure, so the rule scales them down (by one common factor, keeping proportions)
when ``|w_k| > max_weight`` or ``sum |w| > max_gross``; the env must allow those limits.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.agents._history import history_of, last_rows
from factorgym.agents.base import BaseAllocator, WeightBounds
from factorgym.errors import DataError
from factorgym.trailing import trailing_covariance, trailing_mean
from factorgym.validation import check_int, check_real

__all__ = [
    "MeanVarianceShrinkage",
    "MinimumVarianceLW",
    "SampleTangency",
    "bayes_stein_mean",
    "cap_leverage",
    "ledoit_wolf_covariance",
    "minimum_variance_weights",
    "scale_to_unit_gross",
    "tangency_weights",
]


def scale_to_unit_gross(w: FloatArray) -> FloatArray:
    """``w / sum |w|``.

    Raises
    ------
    DataError
        If ``w`` is all zeros.
    """
    gross = float(np.abs(w).sum())
    if not gross > 0.0:
        raise DataError("cannot scale all-zero weights to unit gross exposure")
    return w / gross


def cap_leverage(w: FloatArray, *, max_weight: float, max_gross: float) -> FloatArray:
    """``s w`` with ``s = min(1, max_weight / max|w_k|, max_gross / sum|w|)`` (proportions kept)."""
    top = float(np.max(np.abs(w)))
    gross = float(np.abs(w).sum())
    s = 1.0
    if top > max_weight:
        s = max_weight / top
    if gross * s > max_gross:
        s = max_gross / gross
    return w * s


def tangency_weights(returns: FloatArray) -> FloatArray:
    """DGU's sample tangency rule: ``Sigma^-1 mu`` scaled to ``sum |w| = 1``.

    Parameters
    ----------
    returns : ndarray of shape (M, n_assets)
        Excess returns of the estimation window; ``mu`` is their mean, ``Sigma`` their sample
        covariance (``ddof=1``).
    """
    mu = trailing_mean(returns, len(returns))[-1]
    cov = trailing_covariance(returns, len(returns))[-1]  # sample moments, ddof=1
    return scale_to_unit_gross(np.linalg.solve(cov, mu))


def ledoit_wolf_covariance(returns: FloatArray) -> FloatArray:
    """Ledoit & Wolf (2004) shrunk covariance (``sklearn.covariance.LedoitWolf``, centred data)."""
    from sklearn.covariance import LedoitWolf

    return np.asarray(LedoitWolf().fit(returns).covariance_, dtype=np.float64)


def minimum_variance_weights(cov: FloatArray) -> FloatArray:
    """Global minimum variance: ``Sigma^-1 1 / (1' Sigma^-1 1)`` (``sum w = 1``)."""
    z = np.linalg.solve(cov, np.ones(cov.shape[0]))
    return z / z.sum()


def bayes_stein_mean(returns: FloatArray) -> FloatArray:
    """Jorion's (1986) Bayes-Stein mean through ``skfolio.moments.ShrunkMu``.

    ``mu_BS = (1 - phi) mu + phi mu_min 1`` with ``mu_min`` the mean of the minimum-variance
    portfolio of the sample covariance (``ddof=1``) and
    ``phi = (N + 2) / ((N + 2) + M (mu - mu_min 1)' Sigma^-1 (mu - mu_min 1))``.
    """
    from skfolio.moments import EmpiricalCovariance, ShrunkMu, ShrunkMuMethods

    est = ShrunkMu(
        covariance_estimator=EmpiricalCovariance(ddof=1),
        vol_weighted_target=True,
        method=ShrunkMuMethods.BAYES_STEIN,
    )
    with warnings.catch_warnings():  # skfolio notes that X has no feature names: not an issue
        warnings.filterwarnings("ignore", message=".*feature names.*", category=UserWarning)
        est.fit(returns)
    return np.asarray(est.mu_, dtype=np.float64)


def _shrunk_covariance(returns: FloatArray) -> FloatArray:
    from skfolio.moments import LedoitWolf

    est = LedoitWolf()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*feature names.*", category=UserWarning)
        est.fit(returns)
    return np.asarray(est.covariance_, dtype=np.float64)


class _RollingRule(BaseAllocator):
    """A rule estimated on the last ``window`` months of excess returns."""

    def __init__(self, window: int = 120) -> None:
        self.window = check_int("window", window, minimum=2)

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-short with unit gross exposure."""
        return WeightBounds(nonnegative=False, max_weight=1.0, max_gross=1.0)

    def _weights(self, returns: FloatArray) -> FloatArray:
        raise NotImplementedError

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """The rule's weights on months ``t - window + 1 .. t``."""
        x = last_rows(history_of(info, self.name), self.window, self.name)
        return self._weights(x)


class SampleTangency(_RollingRule):
    """DGU (2009) sample tangency: ``Sigma^-1 mu`` on the last ``window`` months, ``sum |w| = 1``.

    Parameters
    ----------
    window : int
        Estimation window ``M`` (default 120 months, as DGU).
    """

    name = "dgu_tangency"

    def _weights(self, returns: FloatArray) -> FloatArray:
        return tangency_weights(returns)


class MeanVarianceShrinkage(_RollingRule):
    """DGU's Bayes-Stein rule: ``Sigma_LW^-1 mu_BS`` on the last ``window`` months, ``sum|w| = 1``.

    ``mu_BS`` from :func:`bayes_stein_mean` (skfolio ``ShrunkMu``), ``Sigma_LW`` from skfolio's
    ``LedoitWolf``.

    Parameters
    ----------
    window : int
        Estimation window (default 120 months).
    """

    name = "dgu_mean_variance_shrinkage"

    def _weights(self, returns: FloatArray) -> FloatArray:
        cov = _shrunk_covariance(returns)
        z = np.asarray(np.linalg.solve(cov, bayes_stein_mean(returns)), dtype=np.float64)
        return scale_to_unit_gross(z)


class MinimumVarianceLW(_RollingRule):
    """Global minimum variance with the Ledoit-Wolf covariance of the last ``window`` months.

    ``w = Sigma_LW^-1 1 / (1' Sigma_LW^-1 1)``, then capped by :func:`cap_leverage` at
    ``max_weight`` and ``max_gross`` (a capped portfolio no longer sums to 1; the cap is a
    limit of the rule, stated in :meth:`weight_bounds`).

    Parameters
    ----------
    window : int
        Estimation window (default 120 months).
    max_weight, max_gross : float
        Caps on ``|w_k|`` and ``sum |w|`` (defaults 1 and 2: the env's long-short defaults).
    """

    name = "dgu_minimum_variance_lw"

    def __init__(self, window: int = 120, *, max_weight: float = 1.0, max_gross: float = 2.0):
        super().__init__(window)
        self.max_weight = check_real("max_weight", max_weight, low=0.0, low_open=True)
        self.max_gross = check_real("max_gross", max_gross, low=0.0, low_open=True)

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """Long-short within the rule's caps."""
        return WeightBounds(
            nonnegative=False,
            max_weight=min(self.max_weight, self.max_gross),
            max_gross=self.max_gross,
        )

    def _weights(self, returns: FloatArray) -> FloatArray:
        w = minimum_variance_weights(ledoit_wolf_covariance(returns))
        return cap_leverage(w, max_weight=self.max_weight, max_gross=self.max_gross)
