from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import quantstats as qs
from numpy.testing import assert_allclose
from scipy import integrate, stats

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import (
    deflated_sharpe_ratio,
    expected_max_sharpe,
    min_track_record_length,
    probabilistic_sharpe_ratio,
    psr_from_moments,
    sharpe_ratio,
)
from factorgym.evaluation.deflated_sharpe import EULER_MASCHERONI


# quantstats 0.0.86 emits no warning on these inputs; pyproject's filterwarnings=error would
# surface one from a later release here, on purpose.
def test_paper_numerical_example() -> None:
    # Bailey and López de Prado (2014, JPM 40(5)), numerical example: N = 100 independent
    # trials whose annualised Sharpe ratios have variance 1/2, the best one 2.5 (annualised)
    # over T = 1250 daily returns (250 a year) with skewness -3 and kurtosis 10. The paper
    # finds SR_0 = 0.1132 (daily) and DSR = 0.9004.
    sr0 = expected_max_sharpe(100, 0.5 / 250)
    assert_allclose(sr0, 0.1132, atol=5e-5)  # 0.113172
    dsr = psr_from_moments(
        2.5 / math.sqrt(250), n_obs=1250, skew=-3.0, kurtosis=10.0, sr_benchmark=sr0
    )
    assert_allclose(dsr, 0.9004, atol=5e-5)  # 0.900397
    # the same SR_0 in annual units: sqrt(V) scales
    assert_allclose(expected_max_sharpe(100, 0.5), sr0 * math.sqrt(250), rtol=1e-12)
    assert EULER_MASCHERONI == pytest.approx(0.5772156649015329, abs=1e-16)


def _exact_expected_max(n: int) -> float:
    """E[max of n i.i.d. N(0, 1)] = int x n phi(x) Phi(x)^(n-1) dx."""
    value, _ = integrate.quad(
        lambda x: x * n * stats.norm.pdf(x) * stats.norm.cdf(x) ** (n - 1), -10, 10, limit=200
    )
    return value


@pytest.mark.parametrize(("n", "tol"), [(10, 0.03), (100, 0.01), (1000, 0.005)])
def test_expected_max_against_exact_integral(n: int, tol: float) -> None:
    exact = _exact_expected_max(n)  # 1.5388, 2.5076, 3.2414
    approx = expected_max_sharpe(n, 1.0)  # 1.5746, 2.5306, 3.2551
    assert exact < approx < exact * (1 + tol), (exact, approx)
    assert_allclose(expected_max_sharpe(n, 4.0, mean=1.0), 1.0 + 2.0 * approx, rtol=1e-12)


def test_expected_max_sharpe_monte_carlo() -> None:
    # 2000 backtests of N = 100 skill-less strategies over T = 120 months: the mean of the best
    # Sharpe ratio is the formula fed with each backtest's cross-sectional Sharpe variance
    rng = np.random.default_rng(0)
    n_sims, n_trials, n_obs = 2000, 100, 120
    best = np.empty(n_sims)
    formula = np.empty(n_sims)
    for s in range(n_sims):
        x = rng.standard_normal((n_obs, n_trials))
        sr = x.mean(axis=0) / x.std(axis=0, ddof=1)
        best[s] = sr.max()
        formula[s] = expected_max_sharpe(n_trials, float(np.var(sr, ddof=1)))
    ratio = best.mean() / formula.mean()
    assert abs(ratio - 1) < 0.03, (best.mean(), formula.mean())  # seen: 0.2317 vs 0.2314


def test_dsr_controls_selection_under_the_null() -> None:
    # the best of 50 skill-less strategies passes PSR(0) > 0.95 most of the time and the DSR
    # only rarely
    rng = np.random.default_rng(1)
    psr_pass = dsr_pass = 0
    for _ in range(200):
        x = rng.normal(0.0, 0.04, size=(120, 50))
        res = deflated_sharpe_ratio(x)
        psr_pass += probabilistic_sharpe_ratio(x[:, int(res.selected)]) > 0.95
        dsr_pass += res.dsr > 0.95
    assert psr_pass > 100, psr_pass  # seen: 185 of 200
    assert dsr_pass < 20, dsr_pass  # seen: 0 of 200


def test_deflated_sharpe_ratio_pieces(strategies: pd.DataFrame) -> None:
    res = deflated_sharpe_ratio(strategies)
    x = strategies.to_numpy()
    sr = x.mean(axis=0) / x.std(axis=0, ddof=1)
    assert res.selected == "A" and res.n_trials == 3 and res.n_obs == 180
    assert_allclose(res.sharpe_per_period, sr[0], rtol=1e-12)
    assert_allclose(res.sharpe, sharpe_ratio(strategies["A"]), rtol=1e-12)
    assert_allclose(res.sharpe_variance, np.var(sr, ddof=1), rtol=1e-12)
    assert_allclose(res.sr0_per_period, expected_max_sharpe(3, np.var(sr, ddof=1)), rtol=1e-12)
    assert_allclose(res.sr0, res.sr0_per_period * np.sqrt(12), rtol=1e-12)
    assert_allclose(res.skew, stats.skew(x[:, 0]), rtol=1e-12)
    assert_allclose(res.kurtosis, stats.kurtosis(x[:, 0], fisher=False), rtol=1e-12)
    want = psr_from_moments(
        sr[0], n_obs=180, skew=res.skew, kurtosis=res.kurtosis, sr_benchmark=res.sr0_per_period
    )
    assert res.dsr == want
    # more (effective) trials raise the bar
    assert deflated_sharpe_ratio(strategies, n_trials=1000).dsr < res.dsr
    assert deflated_sharpe_ratio(strategies, selected="C").selected == "C"
    assert deflated_sharpe_ratio(x, selected=2).selected == "2"


def test_psr_against_quantstats(strategies: pd.DataFrame) -> None:
    for col in strategies:
        r = strategies[col]
        x = r.to_numpy()
        sr = x.mean() / x.std(ddof=1)
        want = qs.stats.probabilistic_sharpe_ratio(r, periods=12)
        # quantstats plugs in pandas' bias-adjusted G1 and G2 + 3: with those, identical
        same = psr_from_moments(
            sr, n_obs=len(x), skew=r.skew(), kurtosis=r.kurtosis() + 3.0, sr_benchmark=0.0
        )
        assert_allclose(same, want, rtol=1e-12)
        # with the moment estimators of the paper, within 1e-3
        assert abs(probabilistic_sharpe_ratio(r) - want) < 1e-3


def test_psr_by_hand_and_benchmark() -> None:
    # normal returns, SR = 0.1 a month over 101 months vs SR* = 0: z = 0.1 sqrt(100) / sqrt(1.005)
    assert_allclose(psr_from_moments(0.1, n_obs=101), stats.norm.cdf(1 / math.sqrt(1.005)))
    x = np.random.default_rng(2).normal(0.01, 0.04, 100)
    sr = x.mean() / x.std(ddof=1)
    want = psr_from_moments(
        sr,
        n_obs=100,
        skew=stats.skew(x),
        kurtosis=stats.kurtosis(x, fisher=False),
        sr_benchmark=0.5 / math.sqrt(12),
    )
    assert_allclose(probabilistic_sharpe_ratio(x, sr_benchmark=0.5), want, rtol=1e-12)


def test_min_track_record_length() -> None:
    # normal returns, SR = 0.1 a month vs 0: 1 + 1.005 (1.6449 / 0.1)^2 = 272.9 months
    want = 1 + 1.005 * (stats.norm.ppf(0.95) / 0.1) ** 2
    assert_allclose(min_track_record_length(0.1), want, rtol=1e-12)
    mintrl = min_track_record_length(0.15, skew=-1.0, kurtosis=6.0, sr_benchmark=0.05)
    kw = {"skew": -1.0, "kurtosis": 6.0, "sr_benchmark": 0.05}
    assert psr_from_moments(0.15, n_obs=math.ceil(mintrl), **kw) >= 0.95
    assert psr_from_moments(0.15, n_obs=math.floor(mintrl), **kw) < 0.95
    assert min_track_record_length(0.05, sr_benchmark=0.05) == math.inf


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: expected_max_sharpe(1, 1.0),
            ConfigError,
            r"`n_trials` must be an int >= 2, got 1",
        ),
        (
            lambda: expected_max_sharpe(10, -1.0),
            ConfigError,
            r"`sharpe_variance` must be a finite number >= 0, got -1.0",
        ),
        (lambda: psr_from_moments(0.1, n_obs=1), ConfigError, r"`n_obs` must be an int >= 2"),
        (
            lambda: psr_from_moments(0.1, n_obs=10, kurtosis=1.0),
            ConfigError,
            r"`kurtosis` must be a finite number > 1, got 1.0",
        ),
        (
            lambda: psr_from_moments(float("nan"), n_obs=10),
            ConfigError,
            r"`sharpe` must be a finite number, got nan",
        ),
        (
            lambda: psr_from_moments(2.0, n_obs=10, skew=3.0, kurtosis=1.5),
            DataError,
            r"1 - skew\*SR \+ \(kurtosis-1\)/4\*SR\^2 must be > 0",
        ),
        (
            lambda: min_track_record_length(0.1, confidence=1.5),
            ConfigError,
            r"`confidence` must be a finite number > 0 and < 1, got 1.5",
        ),
        (
            lambda: deflated_sharpe_ratio(np.ones((10, 1))),
            DataError,
            r"`trial_returns` must hold >= 2 trials \(columns\), got 1",
        ),
        (
            lambda: deflated_sharpe_ratio(np.column_stack([np.arange(9.0), np.ones(9)])),
            DataError,
            r"`trial_returns` column '1' is constant",
        ),
        (
            lambda: deflated_sharpe_ratio(np.random.default_rng(0).normal(size=(9, 2)), selected=5),
            ConfigError,
            r"`selected` must be a column position in \[0, 2\), got 5",
        ),
        (
            lambda: deflated_sharpe_ratio(
                np.random.default_rng(0).normal(size=(9, 2)), selected="x"
            ),
            ConfigError,
            r"`selected` must be None, a column position or one of \['0', '1'\]",
        ),
        (
            lambda: deflated_sharpe_ratio(np.random.default_rng(0).normal(size=(9, 2)), n_trials=1),
            ConfigError,
            r"`n_trials` must be an int >= 2, got 1",
        ),
        (
            lambda: probabilistic_sharpe_ratio(np.arange(9.0), sr_benchmark="1"),
            ConfigError,
            r"`sr_benchmark` must be a finite number, got '1'",
        ),
    ],
)
def test_bad_inputs(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()
