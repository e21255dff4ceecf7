"""Rules that are fitted on training months or read feature blocks, checked by hand.

Volatility-managed factors (Moreira & Muir 2017), the regime rules fed by filtered
probabilities, the forecast tilt and the regime oracle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from factorgym.agents import (
    ForecastTilt,
    RegimeOracle,
    RegimeStateAllocation,
    RegimeSwitch,
    VolatilityManaged,
    run_allocator,
    state_indicator_frame,
)
from factorgym.agents.forecast_tilt import long_only_mean_variance
from factorgym.data import synthetic_market
from factorgym.errors import ConfigError, DataError, NotFittedError
from tests.agents._hand import HAND_RETURNS, decisions, hand_spec

X = HAND_RETURNS
MONTHS = pd.period_range("2000-01", periods=18, freq="M", name="month")


def targets(rollout) -> dict[int, np.ndarray]:
    w = rollout.weights("target_weights").to_numpy()
    return dict(zip(decisions(rollout), w, strict=True))


# ----------------------------------------------------------------------------- Moreira-Muir
def test_volatility_managed_matches_moreira_muir_monthly_formula(hand_panel):
    m = 3
    train = hand_spec(hand_panel, window=("2000-05", "2000-12"), action_mode="long_short")
    test = hand_spec(
        hand_panel,
        window=("2001-01", None),
        action_mode="long_short",
        max_gross=50.0,
        max_weight=50.0,
    )
    rule = VolatilityManaged(variance_months=m, max_weight=50.0, max_gross=50.0).fit(train)
    # c by hand: training decisions t = rows 3..10 (earning 2000-05..2000-12)
    var = np.array([(X[t - m + 1 : t + 1] ** 2).sum(axis=0) / m for t in range(3, 11)])
    f1 = X[4:12]
    managed = f1 / var
    c = np.std(f1, axis=0, ddof=1) / np.std(managed, axis=0, ddof=1)
    assert_allclose(rule.scale_, c, rtol=1e-13)
    # same volatility as the unmanaged factor on the training months, by construction
    assert_allclose(np.std(c * managed, axis=0, ddof=1), np.std(f1, axis=0, ddof=1), rtol=1e-12)
    r = run_allocator(rule, test)
    for t, w in targets(r).items():
        s2 = (X[t - 2] ** 2 + X[t - 1] ** 2 + X[t] ** 2) / 3  # months t-2..t
        assert_allclose(w, (1 / 3) * c / s2, rtol=1e-12)


def test_volatility_managed_default_window_is_six_months_and_caps_leverage(hand_panel):
    train = hand_spec(hand_panel, window=("2000-08", "2001-01"), action_mode="long_short")
    rule = VolatilityManaged().fit(train)
    r = run_allocator(
        rule, hand_spec(hand_panel, window=("2001-02", None), action_mode="long_short")
    )
    for t, w in targets(r).items():
        raw = (1 / 3) * rule.scale_ / ((X[t - 5 : t + 1] ** 2).mean(axis=0))
        s = min(1.0, 1.0 / raw.max(), 2.0 / raw.sum())
        assert_allclose(w, raw * s, rtol=1e-12)
        assert w.sum() <= 2.0 + 1e-12 and w.max() <= 1.0 + 1e-12


def test_volatility_managed_errors(hand_panel):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        run_allocator(VolatilityManaged(), hand_spec(hand_panel, action_mode="long_short"))
    with pytest.raises(DataError, match="needs 6 months of history at the first training"):
        VolatilityManaged().fit(hand_spec(hand_panel, window=("2000-03", "2000-12")))
    with pytest.raises(ConfigError, match="`variance_months` must be an int >= 1"):
        VolatilityManaged(variance_months=0)
    with pytest.raises(ConfigError, match="`base_weights` must have one weight per asset"):
        VolatilityManaged(base_weights=(1.0,)).fit(
            hand_spec(hand_panel, window=("2000-08", None))
        ).act(np.zeros(1), {"history": _history(hand_panel, 10)})
    with pytest.raises(ConfigError, match="cannot run in this env.*needs action_mode='long_short'"):
        rule = VolatilityManaged().fit(hand_spec(hand_panel, window=("2000-08", None)))
        run_allocator(rule, hand_spec(hand_panel, window=("2000-08", None)))


def _history(panel, t):
    env = hand_spec(panel)()
    env.reset(options={"start": str(panel.months[t + 1])})
    return env.history()


# ----------------------------------------------------------------------------- regime rules
def _regime_frame(p_high: np.ndarray) -> pd.DataFrame:
    """A RegimeFeatures-shaped frame: filtered p0/p1, one-step-ahead p (deliberately different)."""
    return pd.DataFrame(
        {
            "regime_p0": 1 - p_high,
            "regime_p1": p_high,
            "regime_next_p0": p_high,  # a trap: the rule must read regime_p1, not these
            "regime_next_p1": 1 - p_high,
            "regime_state": (p_high >= 0.5).astype(float),
        },
        index=MONTHS,
    )


P_HIGH = np.array(
    [0.1, 0.2, 0.7, 0.4, 0.5, 0.9, 0.3, 0.6, 0.1, 0.0, 0.55, 0.45, 0.2, 0.8, 0.3, 0.5, 0.1, 0.2]
)


def test_regime_switch_holds_assets_below_one_half_else_cash(hand_panel):
    spec = hand_spec(hand_panel, {"regime": _regime_frame(P_HIGH)})
    r = run_allocator(RegimeSwitch(), spec)
    got = targets(r)
    assert len(got) == 16
    for t, w in got.items():
        expected = np.full(3, 1 / 3) if P_HIGH[t] < 0.5 else np.zeros(3)
        assert_allclose(w, expected, atol=0)  # p = 0.5 exactly -> cash


def test_regime_switch_with_an_explicit_column_and_weights(hand_panel):
    spec = hand_spec(hand_panel, {"hmm": _regime_frame(P_HIGH)})
    rule = RegimeSwitch("hmm", column="regime_p1", threshold=0.3, risky_weights=(0.5, 0.5, 0.0))
    for t, w in targets(run_allocator(rule, spec)).items():
        assert_allclose(w, [0.5, 0.5, 0.0] if P_HIGH[t] < 0.3 else [0, 0, 0], atol=0)


def test_regime_rules_errors(hand_panel):
    with pytest.raises(
        ConfigError, match="needs exactly one feature block with a column 'regime_p0'"
    ):
        run_allocator(RegimeSwitch(), hand_spec(hand_panel))
    two = {"a": _regime_frame(P_HIGH), "b": _regime_frame(P_HIGH)}
    with pytest.raises(
        ConfigError, match=r"\(pass `block` to choose\); the env's blocks are \['a', 'b'\]"
    ):
        run_allocator(RegimeSwitch(), hand_spec(hand_panel, two))
    assert len(run_allocator(RegimeSwitch("b"), hand_spec(hand_panel, two)).frame) == 16
    with pytest.raises(ConfigError, match="reads feature block 'regime'; the env's blocks are"):
        run_allocator(RegimeSwitch("regime"), hand_spec(hand_panel, two))
    frame = _regime_frame(P_HIGH).rename(columns={"regime_p0": "calm", "regime_p1": "crisis"})
    with pytest.raises(ConfigError, match="needs columns 'regime_p0', 'regime_p1'"):
        run_allocator(RegimeSwitch("regime"), hand_spec(hand_panel, {"regime": frame}))
    with pytest.raises(ConfigError, match=r"columns \['nope'\] are not in feature block"):
        run_allocator(
            RegimeSwitch("regime", column="nope"), hand_spec(hand_panel, {"regime": frame})
        )
    with pytest.raises(ConfigError, match="`threshold` must be a finite number > 0 and <= 1"):
        RegimeSwitch(threshold=1.5)
    with pytest.raises(ConfigError, match="`risky_weights` must sum to <= 1"):
        RegimeSwitch(risky_weights=(0.6, 0.6, 0.0))
    with pytest.raises(ConfigError, match="`block` must be None or a non-empty str"):
        RegimeStateAllocation(block="")
    with pytest.raises(NotFittedError, match="not fitted yet"):
        run_allocator(
            RegimeStateAllocation(), hand_spec(hand_panel, {"regime": _regime_frame(P_HIGH)})
        )


def test_regime_state_allocation_learns_per_state_weights_on_training_months(hand_panel):
    spec = hand_spec(hand_panel, {"regime": _regime_frame(P_HIGH)})
    train = spec.replace(window=("2000-03", "2000-12"))
    rule = RegimeStateAllocation().fit(train)
    rows = np.arange(1, 11)  # decisions 2000-02 .. 2000-11
    p = np.column_stack([1 - P_HIGH[rows], P_HIGH[rows]])
    x1 = X[rows + 1]
    expected = np.zeros((2, 3))
    for s in range(2):
        mu = (p[:, s, None] * x1).sum(axis=0) / p[:, s].sum()
        var = (p[:, s, None] * (x1 - mu) ** 2).sum(axis=0) / p[:, s].sum()
        raw = np.maximum(mu, 0) / var
        expected[s] = raw / raw.sum() if raw.sum() > 0 else 0.0
    assert_allclose(rule.allocations_, expected, rtol=1e-12)
    r = run_allocator(rule, spec.replace(window=("2001-01", None)))
    for t, w in targets(r).items():
        assert_allclose(w, (1 - P_HIGH[t]) * expected[0] + P_HIGH[t] * expected[1], rtol=1e-12)


def test_regime_features_from_the_filtered_hmm_feed_the_switch():
    """RegimeFeatures output -> env feature block -> rule; row t of the frame decides month t."""
    from factorgym.envs import EnvConfig, EnvSpec
    from factorgym.regimes import RegimeFeatures

    market = synthetic_market(200, 2, seed=1)
    frame = RegimeFeatures(min_train=60, refit_every=24, n_restarts=1, n_iter=50).compute(
        market.panel
    )
    spec = EnvSpec(
        market.panel, {"regime": frame}, EnvConfig(costs="zero", window=("1966-01", None))
    )
    r = run_allocator(RegimeSwitch(), spec)
    months = pd.DatetimeIndex(r.frame["decision_date"]).to_period("M")
    high = frame["regime_p1"].reindex(months).to_numpy()
    cash = r.weights("target_weights").sum(axis=1).to_numpy() == 0.0
    assert_allclose(cash, high >= 0.5)
    assert 0 < cash.sum() < len(cash)


# ----------------------------------------------------------------------------- forecast tilt
def _forecast_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    mu = pd.DataFrame(rng.normal(0.004, 0.006, (18, 3)), index=MONTHS, columns=["A", "B", "C"])
    u = pd.DataFrame(np.abs(rng.normal(0.0, 0.01, (18, 3))), index=MONTHS, columns=["A", "B", "C"])
    return mu, u


def _kkt_ok(w, mu, cov, gamma, tol=1e-7):
    """KKT of max mu'w - g/2 w'Cw s.t. w >= 0, sum w <= 1 (checked independently of SLSQP)."""
    g = mu - gamma * cov @ w  # gradient of the objective
    lam = max(0.0, float(np.max(g[w > 1e-9]))) if np.any(w > 1e-9) else max(0.0, float(g.max()))
    ok_active = np.all(np.abs(g[w > 1e-9] - lam) < tol)
    ok_inactive = np.all(g[w <= 1e-9] <= lam + tol)
    ok_budget = lam < tol or abs(w.sum() - 1) < 1e-7
    return ok_active and ok_inactive and ok_budget and w.min() >= 0 and w.sum() <= 1 + 1e-12


def test_forecast_tilt_solves_the_long_only_mean_variance_problem(hand_panel):
    mu, u = _forecast_frames()
    spec = hand_spec(hand_panel, {"forecast": mu, "spread": u}, window=("2000-08", None))
    rule = ForecastTilt(uncertainty_block="spread", risk_aversion=3.0, window=6)
    from tests.agents.test_baselines_hand import ledoit_wolf_by_formula

    for t, w in targets(run_allocator(rule, spec)).items():
        cov = ledoit_wolf_by_formula(X[t - 5 : t + 1]) + np.diag(u.to_numpy()[t] ** 2)
        assert _kkt_ok(w, mu.to_numpy()[t], cov, 3.0)


def test_long_only_mean_variance_against_a_closed_form_interior_case():
    cov = np.diag([0.04, 0.09])
    mu = np.array([0.02, 0.03])
    w = long_only_mean_variance(mu, cov, 5.0)  # unconstrained mu / (g s^2) = (0.1, 0.0667)
    assert_allclose(w, [0.1, 0.2 / 3], rtol=1e-7)
    w = long_only_mean_variance(np.array([0.5, -0.1]), cov, 1.0)  # budget binds: all in A
    assert_allclose(w, [1.0, 0.0], atol=1e-9)


def test_forecast_tilt_long_short_is_the_capped_unconstrained_solution(hand_panel):
    mu, u = _forecast_frames()
    spec = hand_spec(
        hand_panel, {"forecast": mu}, window=("2000-08", None), action_mode="long_short"
    )
    rule = ForecastTilt(long_only=False, risk_aversion=2.0, window=6, max_weight=1.0, max_gross=2.0)
    from tests.agents.test_baselines_hand import ledoit_wolf_by_formula

    for t, w in targets(run_allocator(rule, spec)).items():
        raw = np.linalg.inv(ledoit_wolf_by_formula(X[t - 5 : t + 1])) @ mu.to_numpy()[t] / 2.0
        s = min(1.0, 1.0 / np.abs(raw).max(), 2.0 / np.abs(raw).sum())
        assert_allclose(w, raw * s, rtol=1e-9)


def test_forecast_tilt_needs_asset_columns(hand_panel):
    mu, _ = _forecast_frames()
    spec = hand_spec(
        hand_panel, {"forecast": mu.rename(columns={"A": "X"})}, window=("2000-08", None)
    )
    with pytest.raises(ConfigError, match=r"columns \['A'\] are not in feature block 'forecast'"):
        run_allocator(ForecastTilt(window=6), spec)
    both = hand_spec(hand_panel, {"forecast": mu, "forecasts": mu}, window=("2000-08", None))
    with pytest.raises(ConfigError, match="needs exactly one feature block with a name in"):
        run_allocator(ForecastTilt(window=6), both)
    assert len(run_allocator(ForecastTilt("forecasts", window=6), both).frame) == 11
    with pytest.raises(ConfigError, match="`uncertainty_block` must be None or a non-empty str"):
        ForecastTilt(uncertainty_block="")


# ----------------------------------------------------------------------------- regime oracle
def test_regime_oracle_holds_the_best_conditional_asset_per_true_state():
    means = np.array([[0.02, -0.01], [-0.01, 0.02]])
    covs = np.stack([np.diag([0.03**2, 0.03**2])] * 2)
    trans = np.array([[0.95, 0.05], [0.05, 0.95]])
    market = synthetic_market(120, seed=2, means=means, covs=covs, transmat=trans)
    oracle = RegimeOracle.from_synthetic(market)
    assert oracle.state_weights == ((1.0, 0.0), (0.0, 1.0))
    assert oracle.contender is False
    from factorgym.envs import EnvConfig, EnvSpec

    block = state_indicator_frame(market.states, market.panel.months, 2)
    spec = EnvSpec(market.panel, {"regime": block}, EnvConfig(costs="zero"))
    r = run_allocator(oracle, spec)
    rows = [
        market.panel.months.get_loc(m)
        for m in pd.DatetimeIndex(r.frame["decision_date"]).to_period("M")
    ]
    w = r.weights("target_weights").to_numpy()
    assert_allclose(w[:, 0], (market.states[rows] == 0).astype(float))
    with pytest.raises(ConfigError, match="`state_weights` must be an"):
        RegimeOracle([[0.7, 0.7]])
    with pytest.raises(DataError, match="`states` must have one state per month"):
        state_indicator_frame(market.states[:5], market.panel.months, 2)
