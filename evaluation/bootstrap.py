"""Stationary block-bootstrap confidence intervals for a Sharpe ratio and a Sharpe difference.

Resampling is arch's :class:`arch.bootstrap.StationaryBootstrap` (Politis and Romano 1994,
"The stationary bootstrap", JASA 89(428)): blocks of geometric length with mean
``block_size`` keep the serial dependence of monthly returns that an i.i.d. bootstrap would
destroy. The mean block length defaults to arch's :func:`arch.bootstrap.optimal_block_length`
(Politis and White 2004, Econometric Reviews 23(1), with the correction of Patton, Politis and
White 2009). Every call takes an explicit ``seed``, so an interval is reproducible to the bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from arch.bootstrap import StationaryBootstrap, optimal_block_length

from factorgym._typing import FloatArray
from factorgym.errors import DataError
from factorgym.evaluation._validation import (
    as_returns,
    as_vector,
    check_choice,
    check_int,
    check_level,
    check_periods,
    check_seed,
)

__all__ = [
    "BootstrapInterval",
    "bootstrap_sharpe_ci",
    "bootstrap_sharpe_difference_ci",
    "stationary_block_size",
]

CI_METHODS = ("percentile", "basic", "bca", "norm")


@dataclass(frozen=True)
class BootstrapInterval:
    """A bootstrap confidence interval.

    Attributes
    ----------
    estimate : float
        The statistic on the original sample.
    lower, upper : float
        Interval bounds.
    size : float
        Coverage (0.95 = a 95% two-sided interval).
    method : str
        arch's interval method (``"percentile"``, ``"basic"``, ``"bca"``, ``"norm"``).
    block_size : int
        Mean block length of the stationary bootstrap.
    reps : int
        Bootstrap replications.
    seed : int
        Seed of the resampling.
    """

    estimate: float
    lower: float
    upper: float
    size: float
    method: str
    block_size: int
    reps: int
    seed: int


def stationary_block_size(data: object) -> int:
    """Mean block length for the stationary bootstrap of ``data``.

    arch's ``optimal_block_length(data)["stationary"]`` (Politis and White 2004 with Patton,
    Politis and White 2009), averaged over the non-constant columns and rounded up, at least
    1. One length for all columns because the columns are resampled jointly.

    Parameters
    ----------
    data : array-like of shape (n_months,) or (n_months, k)
    """
    x = as_returns(data, name="data", min_obs=8).values
    x = x[:, np.ptp(x, axis=0) > 0]  # a constant column has no dependence to keep
    if x.shape[1] == 0:
        return 1
    b = optimal_block_length(x)["stationary"].to_numpy(dtype=np.float64)
    b = b[np.isfinite(b)]
    return max(1, math.ceil(float(b.mean()))) if b.size else 1


def _sharpe(x: FloatArray, ppy: int) -> FloatArray:
    return np.atleast_1d(x.mean(axis=0) / x.std(axis=0, ddof=1) * np.sqrt(ppy))


def _interval(
    data: FloatArray,
    func: object,
    estimate: float,
    *,
    size: float,
    reps: int,
    method: str,
    block_size: int | None,
    seed: object,
) -> BootstrapInterval:
    size = check_level("size", size)
    reps = check_int("reps", reps, minimum=10)
    method = check_choice("method", method, CI_METHODS)
    seed_int = check_seed(seed)
    block = stationary_block_size(data) if block_size is None else block_size
    block = check_int("block_size", block, minimum=1)
    bs = StationaryBootstrap(block, data, seed=seed_int)
    ci = bs.conf_int(func, reps=reps, method=method, size=size)  # type: ignore[arg-type]
    return BootstrapInterval(
        estimate=float(estimate),
        lower=float(ci[0, 0]),
        upper=float(ci[1, 0]),
        size=size,
        method=method,
        block_size=block,
        reps=reps,
        seed=seed_int,
    )


def bootstrap_sharpe_ci(
    returns: object,
    *,
    rf: object = None,
    periods_per_year: int = 12,
    size: float = 0.95,
    reps: int = 1000,
    method: str = "percentile",
    block_size: int | None = None,
    seed: int = 0,
) -> BootstrapInterval:
    """Stationary-bootstrap interval for the annualised Sharpe ratio of one series.

    The statistic is :func:`~factorgym.evaluation.metrics.sharpe_ratio`
    (``mean / std(ddof=1) x sqrt(periods_per_year)``) of the excess returns; arch's
    ``StationaryBootstrap(block_size, x, seed=seed).conf_int(func, reps, method, size)``.

    Parameters
    ----------
    returns : array-like of shape (n_months,)
    rf : float or array of shape (n_months,), optional
        Per-period risk-free rate (None: ``returns`` are excess returns).
    periods_per_year : int, default 12
    size : float in (0, 1), default 0.95
    reps : int >= 10, default 1000
    method : {"percentile", "basic", "bca", "norm"}, default "percentile"
    block_size : int, optional
        Mean block length; default :func:`stationary_block_size`.
    seed : int >= 0, default 0

    Raises
    ------
    ConfigError
        For a bad ``size``, ``reps``, ``method``, ``block_size``, ``seed`` or
        ``periods_per_year``.
    DataError
        For non-finite, constant or too short returns, or more than one column.
    """
    ppy = check_periods(periods_per_year)
    ret = as_returns(returns, min_obs=8)
    if ret.values.shape[1] != 1:
        raise DataError(f"`returns` must be one series (n_months,), got shape {ret.values.shape}")
    x = ret.values[:, 0] - (0.0 if rf is None else as_vector(rf, ret.n_obs, name="rf"))
    if np.std(x) == 0:
        raise DataError("`returns` must vary; got a constant series")

    def func(sample: FloatArray) -> FloatArray:
        return _sharpe(sample, ppy)

    return _interval(
        x,
        func,
        float(_sharpe(x, ppy)[0]),
        size=size,
        reps=reps,
        method=method,
        block_size=block_size,
        seed=seed,
    )


def bootstrap_sharpe_difference_ci(
    returns: object,
    benchmark: object,
    *,
    rf: object = None,
    periods_per_year: int = 12,
    size: float = 0.95,
    reps: int = 1000,
    method: str = "percentile",
    block_size: int | None = None,
    seed: int = 0,
) -> BootstrapInterval:
    """Stationary-bootstrap interval for ``SR(returns) - SR(benchmark)`` (annualised).

    Months are resampled jointly (the same blocks for both series), which keeps their
    correlation, as in Ledoit and Wolf (2008, J. Empirical Finance 15(5), section 3.2), who
    use a circular block bootstrap of a studentized statistic; this is the simpler percentile
    (or ``method``) interval of the plain difference. An interval that excludes 0 rejects
    equal Sharpe ratios at level ``1 - size``.

    Parameters
    ----------
    returns, benchmark : array-like of shape (n_months,)
    rf, periods_per_year, size, reps, method, block_size, seed
        As :func:`bootstrap_sharpe_ci`; the default block length is computed on both series.

    Raises
    ------
    ConfigError, DataError
        As :func:`bootstrap_sharpe_ci`.
    """
    ppy = check_periods(periods_per_year)
    ret = as_returns(returns, min_obs=8)
    if ret.values.shape[1] != 1:
        raise DataError(f"`returns` must be one series (n_months,), got shape {ret.values.shape}")
    n = ret.n_obs
    pair = np.column_stack([ret.values[:, 0], as_vector(benchmark, n, name="benchmark")])
    if rf is not None:
        pair = pair - as_vector(rf, n, name="rf")[:, None]
    if np.any(pair.std(axis=0) == 0):
        raise DataError("`returns` and `benchmark` must both vary; got a constant series")

    def func(sample: FloatArray) -> FloatArray:
        sr = _sharpe(sample, ppy)
        return np.atleast_1d(sr[0] - sr[1])

    est = _sharpe(pair, ppy)
    return _interval(
        pair,
        func,
        float(est[0] - est[1]),
        size=size,
        reps=reps,
        method=method,
        block_size=block_size,
        seed=seed,
    )
