"""Reward strategies against brute-force references."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from factorgym.envs import (
    DifferentialSharpe,
    ExcessLogReturn,
    LogReturn,
    MeanVariance,
    RewardStrategy,
    make_reward,
    penalized,
)


def test_log_and_excess_log_return():
    assert LogReturn()(math.log(1.05), 0.04, 0.0, 0.0, ()) == (math.log(1.05), ())
    r, _ = ExcessLogReturn()(math.log(1.05), 0.04, math.log(1.02), 0.0, ())
    assert r == pytest.approx(math.log(1.05 / 1.02), abs=1e-16)


def test_differential_sharpe_matches_moody_saffell_recursion():
    rng = np.random.default_rng(0)
    returns = rng.normal(0.005, 0.04, 200)
    eta, prior = 0.05, 0.04
    strategy = DifferentialSharpe(eta=eta, prior_vol=prior)
    state = strategy.initial_state()
    a, b = 0.0, prior**2
    for r in returns:
        d_a, d_b = r - a, r * r - b
        expected = (b * d_a - 0.5 * a * d_b) / (b - a * a) ** 1.5
        got, state = strategy(0.0, r, 0.0, 0.0, state)
        assert got == pytest.approx(expected, rel=1e-12)
        a, b = a + eta * d_a, b + eta * d_b
    assert state == pytest.approx((a, b), rel=1e-12)


def test_differential_sharpe_is_the_derivative_of_the_moving_sharpe():
    # D_t = dS_t/d eta at eta = 0, with S = A / sqrt(B - A^2) (Moody & Saffell 2001)
    a, b, r = 0.004, 0.04**2 + 0.004**2, 0.03

    def sharpe(e):
        aa, bb = a + e * (r - a), b + e * (r * r - b)
        return aa / math.sqrt(bb - aa * aa)

    h = 1e-7
    numeric = (sharpe(h) - sharpe(-h)) / (2 * h)
    got, _ = DifferentialSharpe(eta=0.1)(0.0, r, 0.0, 0.0, (a, b))
    assert got == pytest.approx(numeric, rel=1e-6)


def test_differential_sharpe_batched_equals_scalar():
    strategy = DifferentialSharpe()
    r = np.array([0.01, -0.02, 0.03])
    state = tuple(np.full(3, v) for v in strategy.initial_state())
    batch, new = strategy(0.0, r, 0.0, 0.0, state)
    for i in range(3):
        one, s1 = strategy(0.0, float(r[i]), 0.0, 0.0, strategy.initial_state())
        assert batch[i] == pytest.approx(one, rel=1e-15)
        assert (new[0][i], new[1][i]) == pytest.approx(s1, rel=1e-15)


def test_mean_variance():
    r, _ = MeanVariance(risk_aversion=4.0)(0.0, 0.01, 0.0, 0.002, ())
    assert r == pytest.approx(0.01 - 2.0 * 0.002)
    assert MeanVariance.needs_risk and not LogReturn.needs_risk


def test_penalties():
    assert penalized(0.01, 0.2, 0.5, 0.0, 0.0) == 0.01
    assert penalized(0.01, 0.2, 0.5, 0.1, 0.002) == pytest.approx(0.01 - 0.02 - 0.001)
    assert_allclose(penalized(np.array([0.0, 0.0]), np.array([0.1, 0.0]), 1.0, 1.0, 0.0), [-0.1, 0])


def test_make_reward_passes_parameters():
    assert make_reward("differential_sharpe", dsr_eta=0.1) == DifferentialSharpe(eta=0.1)
    assert make_reward("mean_variance", risk_aversion=3.0) == MeanVariance(risk_aversion=3.0)
    assert isinstance(make_reward("excess_return"), ExcessLogReturn)


def test_base_class_is_abstract():
    with pytest.raises(NotImplementedError, match="RewardStrategy must implement __call__"):
        RewardStrategy()(0.0, 0.0, 0.0, 0.0, ())
