from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import probability_of_backtest_overfitting


def _brute_force(m: np.ndarray, s: int, metric) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSCV written out loop by loop from the paper's recipe."""
    t, n = m.shape
    rows = t // s
    m = m[t - rows * s :]
    blocks = [m[i * rows : (i + 1) * rows] for i in range(s)]
    logits, is_perf, oos_perf = [], [], []
    for train in combinations(range(s), s // 2):
        test = [i for i in range(s) if i not in train]
        j = np.vstack([blocks[i] for i in train])
        jbar = np.vstack([blocks[i] for i in test])
        r = np.array([metric(j[:, k]) for k in range(n)])
        rbar = np.array([metric(jbar[:, k]) for k in range(n)])
        best = int(np.argmax(r))
        rank = stats.rankdata(rbar)[best]  # 1 = worst, n = best
        w = rank / (n + 1)
        logits.append(np.log(w / (1 - w)))
        is_perf.append(r[best])
        oos_perf.append(rbar[best])
    return np.array(logits), np.array(is_perf), np.array(oos_perf)


def _sharpe(x: np.ndarray) -> float:
    return float(x.mean() / x.std(ddof=1))


@pytest.mark.parametrize("metric", ["sharpe", "mean"])
def test_brute_force_reference(metric: str) -> None:
    m = np.random.default_rng(0).normal(0.0, 1.0, size=(26, 4))  # 2 oldest rows dropped
    fn = _sharpe if metric == "sharpe" else (lambda x: float(x.mean()))
    logits, is_perf, oos_perf = _brute_force(m, 4, fn)
    res = probability_of_backtest_overfitting(m, n_partitions=4, metric=metric)
    assert res.n_combinations == 6 and res.n_partitions == 4 and res.n_dropped == 2
    assert_allclose(res.logits, logits, rtol=1e-10)
    assert_allclose(res.is_performance, is_perf, rtol=1e-10)
    assert_allclose(res.oos_performance, oos_perf, rtol=1e-10)
    assert res.pbo == np.mean(logits <= 0)
    slope, intercept = np.polyfit(is_perf, oos_perf, 1)
    assert_allclose([res.degradation_slope, res.degradation_intercept], [slope, intercept])
    assert res.prob_oos_loss == np.mean(oos_perf < 0)


def test_callable_metric_matches_the_vectorised_path() -> None:
    m = np.random.default_rng(1).normal(0.001, 0.02, size=(120, 6))
    fast = probability_of_backtest_overfitting(m, n_partitions=6)
    slow = probability_of_backtest_overfitting(
        m, n_partitions=6, metric=lambda x: x.mean(axis=0) / x.std(axis=0, ddof=1)
    )
    assert_allclose(slow.logits, fast.logits, rtol=1e-9)
    assert_allclose(slow.oos_performance, fast.oos_performance, rtol=1e-9)
    assert (slow.selected == fast.selected).all()


def test_noise_gives_half() -> None:
    # 10 skill-less configurations: the in-sample winner is at or below the out-of-sample
    # median half the time
    pbos = [
        probability_of_backtest_overfitting(
            np.random.default_rng(seed).normal(0.0, 0.04, size=(240, 10)), n_partitions=8
        ).pbo
        for seed in range(200)
    ]
    assert abs(np.mean(pbos) - 0.5) < 0.06, np.mean(pbos)  # seen: 0.5077


def test_true_dominance_gives_zero() -> None:
    rng = np.random.default_rng(2)
    m = rng.normal(0.0, 0.04, size=(240, 10))
    m[:, 3] += 0.03  # a monthly Sharpe ratio of 0.75 against 0
    res = probability_of_backtest_overfitting(m)
    assert res.n_combinations == 12870
    assert res.pbo == 0.0
    assert (res.selected == 3).all()
    assert (res.oos_rank == 10 / 11).all()
    assert res.prob_oos_loss == 0.0


def test_output_shapes() -> None:
    m = np.random.default_rng(3).normal(size=(64, 5))
    res = probability_of_backtest_overfitting(m, n_partitions=8)
    for arr in (res.logits, res.is_performance, res.oos_performance, res.oos_rank, res.selected):
        assert arr.shape == (70,)
    assert res.selected.dtype == np.int64
    assert res.configurations == ("0", "1", "2", "3", "4")
    assert ((res.oos_rank > 0) & (res.oos_rank < 1)).all()


@pytest.mark.parametrize(
    ("kwargs", "shape", "error", "match"),
    [
        ({"n_partitions": 5}, (40, 3), ConfigError, r"`n_partitions` must be even, got 5"),
        ({"n_partitions": 0}, (40, 3), ConfigError, r"`n_partitions` must be an int >= 2, got 0"),
        (
            {"n_partitions": 16},
            (20, 3),
            ConfigError,
            r"`n_partitions` must leave >= 2 rows per block, got 16 blocks for 20 rows",
        ),
        (
            {"n_partitions": 22},
            (100, 3),
            ConfigError,
            r"`n_partitions` must give <= 200000 combinations, got 22 \(705432 combinations\)",
        ),
        (
            {"metric": "sortino"},
            (40, 3),
            ConfigError,
            r"`metric` must be 'sharpe', 'mean' or a callable, got 'sortino'",
        ),
        (
            {"metric": lambda x: x.mean()},
            (40, 3),
            ConfigError,
            r"`metric` must return shape \(3,\), got \(\)",
        ),
        ({}, (40, 1), DataError, r"`performance` must hold >= 2 configurations \(columns\), got 1"),
    ],
)
def test_bad_inputs(kwargs, shape, error, match) -> None:
    m = np.random.default_rng(0).normal(size=shape)
    with pytest.raises(error, match=match):
        probability_of_backtest_overfitting(m, **{"n_partitions": 4, **kwargs})
