"""Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV).

Bailey, Borwein, López de Prado and Zhu (2017), "The probability of backtest overfitting",
J. Computational Finance 20(4): the CSCV algorithm and its performance-degradation analysis.
Given the per-period performance of ``N`` configurations over ``T`` periods:

1. split the rows into ``S`` (even) contiguous blocks of equal length;
2. for every one of the ``C(S, S/2)`` ways to pick ``S/2`` blocks as the in-sample set ``J``
   (the other half, ``J-bar``, is out of sample), find the configuration ``n*`` with the best
   in-sample performance;
3. take the relative rank ``w`` of ``n*`` out of sample, ``rank / (N + 1)`` with rank ``N``
   the best, and its logit ``lambda = log(w / (1 - w))``;
4. PBO is the share of combinations with ``lambda <= 0``: how often the in-sample winner is at
   or below the out-of-sample median.

A PBO near 0.5 says the in-sample ranking carries no information about the out-of-sample
one; near 0, that the in-sample best is also good out of sample.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np
from scipy import stats

from factorgym._typing import FloatArray, IntArray
from factorgym.errors import ConfigError, DataError
from factorgym.evaluation._validation import as_returns, check_int

__all__ = ["PBOResult", "probability_of_backtest_overfitting"]

#: Above this many combinations the computation is refused (C(20, 10) = 184756 is allowed).
MAX_COMBINATIONS = 200_000

Metric = Callable[[FloatArray], FloatArray]


@dataclass(frozen=True)
class PBOResult:
    """Outcome of CSCV.

    Attributes
    ----------
    pbo : float
        Probability of backtest overfitting, the share of ``logits <= 0``.
    logits : ndarray of shape (n_combinations,)
        ``lambda_c`` per combination.
    is_performance, oos_performance : ndarray of shape (n_combinations,)
        In-sample and out-of-sample performance of the in-sample winner (the data of the
        paper's performance-degradation scatter plot).
    oos_rank : ndarray of shape (n_combinations,)
        Relative out-of-sample rank ``w`` of the in-sample winner, in (0, 1).
    selected : ndarray of int, shape (n_combinations,)
        Column of the in-sample winner per combination (a position in ``configurations``).
    configurations : tuple of str
        Column labels of ``performance`` (``"0"``, ``"1"``, ... for an array).
    degradation_slope, degradation_intercept : float
        OLS fit ``oos = intercept + slope * is`` over the combinations; a negative slope is
        the paper's sign of overfitting (better in sample, worse out of sample). Read it
        with care: ``J`` and ``J-bar`` are complementary halves, so for a *fixed*
        configuration the two halves' performances average to about the full-sample value
        and the slope is near -1 by construction (seen: -0.99 for a strategy that wins every
        split with a true monthly Sharpe ratio of 0.75 and PBO = 0).
    prob_oos_loss : float
        Share of combinations in which the winner's out-of-sample performance is < 0.
    n_partitions : int
        ``S``.
    n_combinations : int
        ``C(S, S/2)``.
    n_dropped : int
        Oldest rows dropped so that ``T`` is a multiple of ``S``.
    """

    pbo: float
    logits: FloatArray
    is_performance: FloatArray
    oos_performance: FloatArray
    oos_rank: FloatArray
    selected: IntArray
    configurations: tuple[str, ...]
    degradation_slope: float
    degradation_intercept: float
    prob_oos_loss: float
    n_partitions: int
    n_combinations: int
    n_dropped: int


def _sharpe_from_sums(s1: FloatArray, s2: FloatArray, n: int) -> FloatArray:
    """Sharpe ratio (mean / std ddof=1) from sums of x and x^2 over ``n`` rows."""
    mean = s1 / n
    var = (s2 - s1 * mean) / (n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(var > 0, mean / np.sqrt(np.where(var > 0, var, 1.0)), np.nan)


def _block_metric(blocks: FloatArray, chosen: FloatArray, metric: str, rows: int) -> FloatArray:
    """Metric of the rows in the chosen blocks, for every combination at once.

    ``blocks`` has shape (S, 2, N): per block, the sums of x and of x^2. ``chosen`` is the
    (n_combinations, S) 0/1 indicator of the blocks in the set; ``rows`` rows per set.
    """
    s1 = chosen @ blocks[:, 0, :]
    if metric == "mean":
        return s1 / rows
    s2 = chosen @ blocks[:, 1, :]
    return _sharpe_from_sums(s1, s2, rows)


def probability_of_backtest_overfitting(
    performance: object,
    *,
    n_partitions: int = 16,
    metric: str | Metric = "sharpe",
) -> PBOResult:
    """Probability of backtest overfitting of a set of strategy configurations by CSCV.

    Parameters
    ----------
    performance : array-like of shape (n_periods, n_configurations)
        Per-period performance (returns) of every configuration tried, over the same
        periods. Needs >= 2 configurations.
    n_partitions : int, default 16
        ``S``: an even number >= 2 of contiguous blocks, with at least 2 rows per block.
        ``T mod S`` oldest rows are dropped. 16 gives 12,870 combinations.
    metric : {"sharpe", "mean"} or callable, default "sharpe"
        Performance of a configuration on a set of rows: the Sharpe ratio
        ``mean / std(ddof=1)`` (the paper's choice), the mean, or a callable mapping an
        array of shape (n_rows, n_configurations) to shape (n_configurations,) (evaluated
        combination by combination, so slower). Rows keep their time order within a set.

    Returns
    -------
    PBOResult

    Raises
    ------
    ConfigError
        If ``n_partitions`` is not an even int >= 2, gives blocks of fewer than 2 rows or
        more than ``MAX_COMBINATIONS`` combinations, or ``metric`` is unknown or returns a
        wrong shape.
    DataError
        For fewer than 2 configurations or non-finite performance.
    """
    table = as_returns(performance, name="performance", min_obs=4)
    perf = table.values
    t_all, n_cfg = perf.shape
    if n_cfg < 2:
        raise DataError(f"`performance` must hold >= 2 configurations (columns), got {n_cfg}")
    s = check_int("n_partitions", n_partitions, minimum=2)
    if s % 2:
        raise ConfigError(f"`n_partitions` must be even, got {s}")
    rows = t_all // s
    if rows < 2:
        raise ConfigError(
            f"`n_partitions` must leave >= 2 rows per block, got {s} blocks for {t_all} rows"
        )
    n_comb = comb(s, s // 2)
    if n_comb > MAX_COMBINATIONS:
        raise ConfigError(
            f"`n_partitions` must give <= {MAX_COMBINATIONS} combinations, got {s} "
            f"({n_comb} combinations)"
        )
    if not callable(metric) and metric not in ("sharpe", "mean"):
        raise ConfigError(f"`metric` must be 'sharpe', 'mean' or a callable, got {metric!r}")
    dropped = t_all - rows * s
    x = perf[dropped:].reshape(s, rows, n_cfg)
    chosen = np.zeros((n_comb, s))
    for c, idx in enumerate(combinations(range(s), s // 2)):
        chosen[c, list(idx)] = 1.0
    if callable(metric):
        r_is, r_oos = _callable_metric(x, chosen, metric)
    else:
        blocks = np.stack([x.sum(axis=1), (x**2).sum(axis=1)], axis=1)  # (S, 2, N)
        half = rows * (s // 2)
        r_is = _block_metric(blocks, chosen, metric, half)
        r_oos = _block_metric(blocks, 1.0 - chosen, metric, half)
    # a NaN (constant configuration) never wins in sample and ranks lowest out of sample
    best = np.argmax(np.where(np.isnan(r_is), -np.inf, r_is), axis=1)
    pick = np.arange(n_comb)
    oos_filled = np.where(np.isnan(r_oos), -np.inf, r_oos)
    rank = stats.rankdata(oos_filled, axis=1, method="average")[pick, best]
    w = rank / (n_cfg + 1.0)
    logits = np.log(w / (1.0 - w))
    is_best = r_is[pick, best]
    oos_best = r_oos[pick, best]
    ok = np.isfinite(is_best) & np.isfinite(oos_best)
    if ok.sum() >= 2 and np.ptp(is_best[ok]) > 0:
        slope, intercept = np.polyfit(is_best[ok], oos_best[ok], 1)
    else:
        slope = intercept = np.nan
    return PBOResult(
        pbo=float(np.mean(logits <= 0.0)),
        logits=logits,
        is_performance=is_best,
        oos_performance=oos_best,
        oos_rank=w,
        selected=best.astype(np.int64),
        configurations=table.labels,
        degradation_slope=float(slope),
        degradation_intercept=float(intercept),
        prob_oos_loss=float(np.mean(oos_best < 0.0)),
        n_partitions=s,
        n_combinations=n_comb,
        n_dropped=dropped,
    )


def _callable_metric(
    x: FloatArray, chosen: FloatArray, metric: Metric
) -> tuple[FloatArray, FloatArray]:
    """In- and out-of-sample performance with a user metric, combination by combination."""
    n_comb, n_cfg = chosen.shape[0], x.shape[2]
    r_is = np.empty((n_comb, n_cfg))
    r_oos = np.empty((n_comb, n_cfg))
    for c in range(n_comb):
        mask = chosen[c] > 0
        for out, sel in ((r_is, mask), (r_oos, ~mask)):
            value = np.asarray(metric(x[sel].reshape(-1, n_cfg)), dtype=np.float64)
            if value.shape != (n_cfg,):
                raise ConfigError(f"`metric` must return shape ({n_cfg},), got {value.shape}")
            out[c] = value
    return r_is, r_oos
