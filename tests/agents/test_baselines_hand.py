"""Every baseline's weights, through the harness, equal a computation by hand on a tiny panel.

The panel is ``_hand.py``'s 18 x 3 table. A decision at panel row ``t`` sees rows ``0..t``; the
expected weights are recomputed here from the raw table with explicit formulas (loops, matrix
inverses), independently of the library's code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from factorgym.agents import (
    BuyAndHold,
    CrossSectionalMomentum,
    EqualRiskContribution,
    EqualWeight,
    HindsightOracle,
    InverseVolatility,
    MeanVarianceShrinkage,
    MinimumVarianceLW,
    SampleTangency,
    StaticWeights,
    TimeSeriesMomentum,
    VolatilityTarget,
    run_allocator,
)
from factorgym.agents.factor_momentum import compounded_return
from factorgym.agents.risk_parity import equal_risk_contribution_weights
from tests.agents._hand import HAND_RETURNS, HAND_RF, decisions, hand_spec

X = HAND_RETURNS


def targets(rollout) -> dict[int, np.ndarray]:
    """Decision row -> target weights of a rollout."""
    w = rollout.weights("target_weights").to_numpy()
    return dict(zip(decisions(rollout), w, strict=True))


def sample_cov(x: np.ndarray) -> np.ndarray:
    """Sample covariance with ddof=1, by explicit sums."""
    m = x.shape[0]
    mu = x.sum(axis=0) / m
    d = x - mu
    n = x.shape[1]
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = sum(d[r, i] * d[r, j] for r in range(m)) / (m - 1)
    return out


def ledoit_wolf_by_formula(x: np.ndarray) -> np.ndarray:
    """Ledoit & Wolf (2004, JMA 88) shrinkage toward mu*I, as written in the paper (centred)."""
    t, n = x.shape
    xc = x - x.mean(axis=0)
    s = xc.T @ xc / t
    mu = np.trace(s) / n
    target = mu * np.eye(n)
    d2 = np.sum((s - target) ** 2) / n
    b2_bar = sum(np.sum((np.outer(r, r) - s) ** 2) for r in xc) / n / t**2
    b2 = min(b2_bar, d2)
    return (b2 / d2) * target + (1 - b2 / d2) * s


# ----------------------------------------------------------------------------- fixed weights
def test_equal_weight_is_one_over_n_every_month(hand_panel):
    r = run_allocator(EqualWeight(), hand_spec(hand_panel))
    assert len(r.frame) == 16  # decisions 2000-02 .. 2001-05, earning 2000-03 .. 2001-06
    assert_allclose(r.weights("target_weights").to_numpy(), np.full((16, 3), 1 / 3), rtol=0, atol=0)
    # rebalanced monthly: executed weights are 1/N again after drift
    assert_allclose(r.weights("executed_weights").to_numpy(), 1 / 3, atol=1e-15)


def test_static_weights_rebalance_to_the_same_weights(hand_panel):
    r = run_allocator(StaticWeights((0.5, 0.3, 0.1)), hand_spec(hand_panel))
    assert_allclose(r.weights("target_weights").to_numpy(), [[0.5, 0.3, 0.1]] * 16, atol=1e-15)


def test_buy_and_hold_drifts_like_the_hand_recursion(hand_panel):
    r = run_allocator(BuyAndHold(), hand_spec(hand_panel))
    w = np.full(3, 1 / 3)
    got = targets(r)
    for t in sorted(got):
        assert_allclose(got[t], w, atol=1e-14)
        x = X[t + 1]
        rp = HAND_RF + w @ x
        w = w * (1 + HAND_RF + x) / (1 + rp)  # each position grows by 1 + rf + x_k
    assert r.frame["turnover"].iloc[1:].max() < 1e-14  # never trades after the first month


# ----------------------------------------------------------------------------- risk based
def test_inverse_volatility_by_hand(hand_panel):
    r = run_allocator(InverseVolatility(window=3), hand_spec(hand_panel, window=("2000-04", None)))
    for t, w in targets(r).items():
        win = X[t - 2 : t + 1]
        s = np.array([np.sqrt(((c - c.mean()) ** 2).sum() / 2) for c in win.T])
        assert_allclose(w, (1 / s) / (1 / s).sum(), rtol=1e-13)
    # a literal case: rows 2..4 of A are 3, 0.5, -1.5 (%): mean 2/3, sd = sqrt(10.1667/2)/100
    a = np.array([3.0, 0.5, -1.5])
    assert np.std(a, ddof=1) == pytest.approx(np.sqrt(((a - 2 / 3) ** 2).sum() / 2))


def test_equal_risk_contribution_equalises_risk_contributions(hand_panel):
    r = run_allocator(
        EqualRiskContribution(window=6), hand_spec(hand_panel, window=("2000-07", None))
    )
    for t, w in targets(r).items():
        cov = sample_cov(X[t - 5 : t + 1])
        rc = w * (cov @ w)
        assert_allclose(rc, rc.mean(), rtol=1e-10)
        assert w.min() > 0 and w.sum() == pytest.approx(1.0, abs=1e-14)


def test_erc_of_two_assets_is_inverse_volatility_whatever_the_correlation():
    for rho in (-0.6, 0.0, 0.8):
        s = np.array([0.02, 0.05])
        cov = np.array([[s[0] ** 2, rho * s[0] * s[1]], [rho * s[0] * s[1], s[1] ** 2]])
        assert_allclose(equal_risk_contribution_weights(cov), [5 / 7, 2 / 7], rtol=1e-12)


def test_erc_cross_checked_with_skfolio_risk_budgeting():
    from skfolio.optimization import RiskBudgeting

    rng = np.random.default_rng(3)
    x = rng.normal(0.005, 0.04, size=(60, 4)) @ np.array(
        [[1, 0.3, 0, 0], [0, 1, 0.2, 0], [0, 0, 1, 0.5], [0, 0, 0, 1.0]]
    )
    ours = equal_risk_contribution_weights(np.cov(x, rowvar=False, ddof=1))
    theirs = RiskBudgeting().fit(x).weights_
    assert_allclose(ours, theirs, atol=2e-4)  # their conic solver stops at ~1e-5


# ----------------------------------------------------------------------------- DGU (2009)
def test_dgu_tangency_by_hand(hand_panel):
    spec = hand_spec(hand_panel, window=("2000-08", None), action_mode="long_short")
    r = run_allocator(SampleTangency(window=6), spec)
    assert len(targets(r)) == 11
    for t, w in targets(r).items():
        win = X[t - 5 : t + 1]
        mu = win.sum(axis=0) / 6
        z = np.linalg.inv(sample_cov(win)) @ mu
        assert_allclose(w, z / np.abs(z).sum(), rtol=1e-10)
        assert np.abs(w).sum() == pytest.approx(1.0, abs=1e-14)


def test_dgu_minimum_variance_uses_the_ledoit_wolf_covariance(hand_panel):
    spec = hand_spec(hand_panel, window=("2000-08", None), action_mode="long_short", max_gross=5.0)
    r = run_allocator(MinimumVarianceLW(window=6, max_gross=5.0), spec)
    for t, w in targets(r).items():
        cov = ledoit_wolf_by_formula(X[t - 5 : t + 1])
        z = np.linalg.inv(cov) @ np.ones(3)
        assert_allclose(w, z / z.sum(), rtol=1e-10)
        assert w.sum() == pytest.approx(1.0, abs=1e-13)


def test_dgu_minimum_variance_caps_leverage_by_one_factor(hand_panel):
    spec = hand_spec(hand_panel, window=("2000-08", None), action_mode="long_short")
    capped = run_allocator(MinimumVarianceLW(window=6, max_weight=0.4, max_gross=1.0), spec)
    for t, w in targets(capped).items():
        cov = ledoit_wolf_by_formula(X[t - 5 : t + 1])
        z = np.linalg.inv(cov) @ np.ones(3)
        raw = z / z.sum()
        s = min(1.0, 0.4 / np.abs(raw).max(), 1.0 / np.abs(raw).sum())
        assert_allclose(w, raw * s, rtol=1e-10)


def test_dgu_bayes_stein_rule_by_jorions_formula(hand_panel):
    spec = hand_spec(hand_panel, window=("2000-08", None), action_mode="long_short")
    r = run_allocator(MeanVarianceShrinkage(window=6), spec)
    for t, w in targets(r).items():
        win = X[t - 5 : t + 1]
        m, n = win.shape
        mu = win.mean(axis=0)
        s_inv = np.linalg.inv(sample_cov(win))
        one = np.ones(n)
        mu_min = one @ s_inv @ mu / (one @ s_inv @ one)  # mean of the minimum-variance portfolio
        d = mu - mu_min * one
        phi = (n + 2) / ((n + 2) + m * d @ s_inv @ d)  # Jorion (1986)
        mu_bs = (1 - phi) * mu + phi * mu_min * one
        z = np.linalg.inv(ledoit_wolf_by_formula(win)) @ mu_bs
        assert_allclose(w, z / np.abs(z).sum(), rtol=1e-9)


# ----------------------------------------------------------------------------- vol target
def test_volatility_target_by_hand(hand_panel):
    r = run_allocator(
        VolatilityTarget(0.05, window=4, max_leverage=1.0),
        hand_spec(hand_panel, window=("2000-06", None)),
    )
    for t, w in targets(r).items():
        p = X[t - 3 : t + 1].mean(axis=1)  # 1/N portfolio excess returns
        vol = np.sqrt(((p - p.mean()) ** 2).sum() / 3) * np.sqrt(12)
        assert_allclose(w, np.full(3, min(1.0, 0.05 / vol) / 3), rtol=1e-12)


# ----------------------------------------------------------------------------- momentum
def test_ts_momentum_uses_the_compounded_return_not_the_sum():
    x = np.array([[0.5, 0.1], [-0.4, -0.05]])  # A: sum +0.1 but (1.5)(0.6) - 1 = -0.1
    assert_allclose(compounded_return(x), [-0.1, 1.1 * 0.95 - 1])
    from factorgym.agents.factor_momentum import time_series_momentum_weights

    assert_allclose(
        time_series_momentum_weights(compounded_return(x), long_only=False), [-0.5, 0.5]
    )
    assert_allclose(time_series_momentum_weights(compounded_return(x), long_only=True), [0.0, 0.5])


@pytest.mark.parametrize("long_only", [False, True])
def test_ts_momentum_by_hand(hand_panel, long_only):
    mode = "long_only" if long_only else "long_short"
    spec = hand_spec(hand_panel, window=("2000-05", None), action_mode=mode)
    r = run_allocator(TimeSeriesMomentum(lookback=4, long_only=long_only), spec)
    signs = []
    for t, w in targets(r).items():
        growth = np.ones(3)
        for j in range(t - 3, t + 1):  # months t-3..t, no skipped month
            growth *= 1 + X[j]
        m = growth - 1
        expected = np.where(m > 0, 1 / 3, 0.0) if long_only else np.sign(m) / 3
        assert_allclose(w, expected, atol=0)
        signs.append(np.sign(m))
    assert len({tuple(s) for s in signs}) > 2  # the signals do change on this panel


def test_ts_momentum_default_is_twelve_months_including_month_t(french_small):
    from factorgym.envs import EnvConfig, EnvSpec

    spec = EnvSpec(french_small, config=EnvConfig(costs="zero", action_mode="long_short"))
    r = run_allocator(TimeSeriesMomentum(), spec)
    x = french_small.returns
    for t, w in zip(
        decisions_of(r, french_small), r.weights("target_weights").to_numpy(), strict=True
    ):
        m = np.prod(1 + x[t - 11 : t + 1], axis=0) - 1
        assert_allclose(w, np.sign(m) / 4, atol=0)


def decisions_of(rollout, panel):
    months = pd.DatetimeIndex(rollout.frame["decision_date"]).to_period("M")
    return [panel.months.get_loc(m) for m in months]


@pytest.mark.parametrize("long_only", [False, True])
def test_xs_momentum_by_hand(hand_panel, long_only):
    mode = "long_only" if long_only else "long_short"
    spec = hand_spec(hand_panel, window=("2000-05", None), action_mode=mode)
    r = run_allocator(CrossSectionalMomentum(lookback=4, long_only=long_only), spec)
    for t, w in targets(r).items():
        m = np.prod(1 + X[t - 3 : t + 1], axis=0) - 1
        order = np.argsort(m)  # 3 assets: the median one is neither winner nor loser
        expected = np.zeros(3)
        if long_only:
            expected[order[2]] = 1.0
        else:
            expected[order[2]], expected[order[0]] = 1 / 3, -1 / 3
        assert_allclose(w, expected, atol=0)


# ----------------------------------------------------------------------------- oracle
def test_hindsight_oracle_holds_the_best_next_month_asset(hand_panel):
    oracle = HindsightOracle().fit(hand_spec(hand_panel))
    assert oracle.contender is False
    r = run_allocator(oracle, hand_spec(hand_panel))
    for t, w in targets(r).items():
        expected = np.zeros(3)
        if X[t + 1].max() > 0:
            expected[np.argmax(X[t + 1])] = 1.0
        assert_allclose(w, expected, atol=0)
    assert r.contender is False
