from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from arch.bootstrap import StationaryBootstrap, optimal_block_length
from numpy.testing import assert_allclose

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import (
    bootstrap_sharpe_ci,
    bootstrap_sharpe_difference_ci,
    sharpe_ratio,
    sharpe_standard_error,
    stationary_block_size,
)


def _sr(x: np.ndarray) -> np.ndarray:
    return np.atleast_1d(x.mean(axis=0) / x.std(axis=0, ddof=1) * np.sqrt(12))


def test_equals_arch_called_directly(strategies: pd.DataFrame) -> None:
    x = strategies["A"].to_numpy()
    res = bootstrap_sharpe_ci(strategies["A"], reps=300, seed=7)
    block = math.ceil(float(optimal_block_length(x)["stationary"].iloc[0]))
    assert res.block_size == max(1, block)
    ci = StationaryBootstrap(res.block_size, x, seed=7).conf_int(
        _sr, reps=300, method="percentile", size=0.95
    )
    assert (res.lower, res.upper) == (ci[0, 0], ci[1, 0])
    assert res.estimate == sharpe_ratio(x)
    assert (res.reps, res.seed, res.size, res.method) == (300, 7, 0.95, "percentile")


def test_seeded_and_deterministic(strategies: pd.DataFrame) -> None:
    a = bootstrap_sharpe_ci(strategies["B"], reps=200, seed=1)
    b = bootstrap_sharpe_ci(strategies["B"], reps=200, seed=1)
    c = bootstrap_sharpe_ci(strategies["B"], reps=200, seed=2)
    assert a == b
    assert (a.lower, a.upper) != (c.lower, c.upper)
    bca = bootstrap_sharpe_ci(strategies["B"], reps=200, seed=1, method="bca", block_size=3)
    assert bca.block_size == 3 and bca.lower < bca.estimate < bca.upper


def test_width_close_to_the_iid_standard_error() -> None:
    # i.i.d. normal months: the 95% interval spans about 2 x 1.96 Lo standard errors
    x = np.random.default_rng(0).normal(0.01, 0.04, 600)
    res = bootstrap_sharpe_ci(x, reps=1000, seed=0)
    width = res.upper - res.lower
    want = 2 * 1.96 * sharpe_standard_error(x)
    assert abs(width / want - 1) < 0.15, (width, want)  # seen: 0.5929 vs 0.5615
    assert res.lower < res.estimate < res.upper


def test_block_size_grows_with_autocorrelation() -> None:
    rng = np.random.default_rng(1)
    e = rng.normal(size=1000)
    ar = np.empty_like(e)
    ar[0] = e[0]
    for t in range(1, 1000):
        ar[t] = 0.7 * ar[t - 1] + e[t]
    assert stationary_block_size(ar) > 3 * stationary_block_size(e)
    two = np.column_stack([ar, e])
    want = math.ceil(float(optimal_block_length(two)["stationary"].mean()))
    assert stationary_block_size(two) == want


def test_difference_interval(strategies: pd.DataFrame, benchmark: pd.Series) -> None:
    a, b = strategies["A"], benchmark
    res = bootstrap_sharpe_difference_ci(a, b, reps=300, seed=3, block_size=2)
    pair = np.column_stack([a.to_numpy(), b.to_numpy()])

    def diff(x: np.ndarray) -> np.ndarray:
        sr = _sr(x)
        return np.atleast_1d(sr[0] - sr[1])

    ci = StationaryBootstrap(2, pair, seed=3).conf_int(diff, reps=300, method="percentile")
    assert (res.lower, res.upper) == (ci[0, 0], ci[1, 0])
    assert_allclose(res.estimate, sharpe_ratio(a) - sharpe_ratio(b), rtol=1e-12)
    # a strategy that is the benchmark plus a steady 0.5% a month beats it clearly
    better = bootstrap_sharpe_difference_ci(b + 0.005, b, reps=300, seed=3)
    assert better.lower > 0
    same_rf = bootstrap_sharpe_difference_ci(a + 0.001, b + 0.001, rf=0.001, reps=300, seed=3)
    assert_allclose(same_rf.estimate, res.estimate, rtol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"reps": 5}, ConfigError, r"`reps` must be an int >= 10, got 5"),
        ({"size": 95}, ConfigError, r"`size` must be a finite number > 0 and < 1, got 95"),
        ({"method": "studentized"}, ConfigError, r"`method` must be one of \("),
        ({"seed": None}, ConfigError, r"`seed` must be an int >= 0, got None"),
        ({"block_size": 0}, ConfigError, r"`block_size` must be an int >= 1, got 0"),
        ({"periods_per_year": 0}, ConfigError, r"`periods_per_year` must be an int >= 1"),
    ],
)
def test_bad_settings(kwargs, error, match) -> None:
    x = np.random.default_rng(0).normal(size=50)
    with pytest.raises(error, match=match):
        bootstrap_sharpe_ci(x, **kwargs)


def test_bad_data() -> None:
    with pytest.raises(DataError, match=r"`returns` must be one series \(n_months,\)"):
        bootstrap_sharpe_ci(np.zeros((20, 2)))
    with pytest.raises(DataError, match=r"`returns` must vary; got a constant series"):
        bootstrap_sharpe_ci(np.ones(20))
    with pytest.raises(DataError, match=r"`returns` must have >= 8 rows"):
        bootstrap_sharpe_ci(np.arange(5.0))
    with pytest.raises(DataError, match=r"must both vary"):
        bootstrap_sharpe_difference_ci(np.arange(20.0), np.ones(20))
    with pytest.raises(DataError, match=r"`returns` must be one series"):
        bootstrap_sharpe_difference_ci(np.zeros((20, 2)), np.ones(20))
