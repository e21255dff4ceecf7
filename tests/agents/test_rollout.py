"""The harness: one env path for every allocator, costs charged by the env and recorded as is.

The central test (:func:`test_no_allocator_bypasses_the_env_costs`) runs EVERY registered
baseline, a function-wrapped policy and a (tiny) PPO agent through :func:`run_allocator` and
recomputes, from the executed weights and the raw panel only, the gross return, the drifted
weights, each cost component and the wealth path; it fails if any allocator's returns were not
charged the env's costs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from factorgym.agents import (
    BASELINES,
    EqualWeight,
    FunctionAllocator,
    RegimeSwitch,
    SampleTangency,
    StaticWeights,
    TimeSeriesMomentum,
    WeightBounds,
    make_allocator,
    run_allocator,
)
from factorgym.agents.rollout import SCALAR_COLUMNS, WEIGHT_BLOCKS
from factorgym.envs import EnvConfig, EnvSpec, InvalidActionError, MarketHistory
from factorgym.errors import ConfigError
from tests.agents._hand import hand_spec

# Cost parameters set explicitly, so that the test recomputes them without asking the env.
C_BPS = (2.0, 20.0, 12.0, 15.0)
H_BPS = (0.0, 4.0, 5.0, 40.0)
Y = 0.5
SIGMA = (0.01, 0.025, 0.02, 0.025)
V = (30e9, 10e9, 20e9, 20e9)
LEGS = np.array([1.0, 2.0, 2.0, 2.0])  # Mkt-RF is traded as one leg; the factors long and short
D = 5.0
AUM = 1e9


def _features(panel) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(11)
    months = panel.months.rename("month")
    p1 = rng.uniform(0, 1, len(months))
    regime = pd.DataFrame({"regime_p0": 1 - p1, "regime_p1": p1}, index=months)
    fc = pd.DataFrame(rng.normal(0.004, 0.01, (len(months), 4)), index=months, columns=panel.assets)
    return {"regime": regime, "forecast": fc}


@pytest.fixture(scope="module")
def costly(french_panel):
    """Central-like explicit costs, impact at $1bn, no participation cap; 1990-1993 test."""
    cfg = EnvConfig(
        costs="central",
        cost_bps=C_BPS,
        internal_bps=H_BPS,
        impact_coef=Y,
        sigma_daily=SIGMA,
        capacity_usd=V,
        trade_days=D,
        participation_cap=float("inf"),
        aum=AUM,
        window=("1980-01", "1989-12"),
    )
    train = EnvSpec(french_panel, _features(french_panel), cfg)
    return train, train.replace(window=("1990-01", "1993-12"))


def _tiny_ppo():
    from factorgym.agents import SB3Allocator

    return SB3Allocator(
        "ppo",
        total_timesteps=128,
        hyperparams={"n_envs": 2, "n_steps": 32, "batch_size": 32, "n_epochs": 1},
    )


def _policy_allocator():
    def policy(obs, info):  # a deterministic non-SB3 policy: tanh of a fixed linear map
        w = np.linspace(-1, 1, obs.size * 4).reshape(4, obs.size) / obs.size
        return np.tanh(w @ np.nan_to_num(obs))

    return FunctionAllocator(policy, name="linear_policy")


ALLOCATORS = sorted(BASELINES) + ["linear_policy", "ppo"]


def _build(name):
    if name == "linear_policy":
        return _policy_allocator()
    if name == "ppo":
        return _tiny_ppo()
    return make_allocator(name)


def _lo_ok(alloc, n=4):
    """Whether the allocator runs in the default long-only env (actions always do)."""
    from factorgym.envs import ActionSpec

    if alloc.output != "weights":
        return True
    return not alloc.weight_bounds(n).mismatches(ActionSpec.from_config(EnvConfig(), n))


@pytest.mark.parametrize("name", ALLOCATORS)
def test_no_allocator_bypasses_the_env_costs(name, costly, french_panel):
    train, test = costly
    alloc = _build(name)
    if not _lo_ok(alloc):
        train, test = (
            train.replace(action_mode="long_short"),
            test.replace(action_mode="long_short"),
        )
    alloc.fit(train, seed=0)
    r = run_allocator(alloc, test)
    f = r.frame
    assert len(f) == 48 and f.index[0] == pd.Period("1990-01", "M")

    # 1. the env's own columns add up
    parts = f["cost_proportional"] + f["cost_internal"] + f["cost_impact"]
    assert_allclose(f["cost_total"], parts, rtol=0, atol=1e-15)
    assert_allclose(f["net_return"], f["gross_return"] - f["cost_total"], rtol=0, atol=1e-15)

    # 2. independent recomputation from the executed weights and the raw panel
    x = french_panel.returns
    rf = french_panel.rf
    w_exec = r.weights("executed_weights").to_numpy()
    if alloc.output == "weights":  # what the allocator asked for is what the env executed
        assert_allclose(w_exec, r.weights("action").to_numpy(), rtol=0, atol=1e-12)
    c = np.array(C_BPS) * 1e-4
    h = np.array(H_BPS) * 1e-4
    drifted = np.zeros(4)  # the episode starts in cash
    wealth = 1.0
    for i, month in enumerate(f.index):
        k = french_panel.months.get_loc(month)
        w = w_exec[i]
        dw = np.abs(w - drifted)
        gross = rf[k] + w @ x[k]
        prop = c @ dw
        internal = h @ np.abs(w)
        impact = float(
            np.sum(LEGS * Y * np.array(SIGMA) * np.sqrt(AUM * dw / (np.array(V) * D)) * dw)
        )
        net = gross - prop - internal - impact
        wealth *= 1 + net
        row = f.iloc[i]
        assert row["gross_return"] == pytest.approx(gross, rel=1e-12, abs=1e-15)
        assert row["cost_proportional"] == pytest.approx(prop, rel=1e-12, abs=1e-16)
        assert row["cost_internal"] == pytest.approx(internal, rel=1e-12, abs=1e-16)
        assert row["cost_impact"] == pytest.approx(impact, rel=1e-10, abs=1e-16)
        assert row["turnover"] == pytest.approx(dw.sum(), rel=1e-12, abs=1e-15)
        assert row["net_return"] == pytest.approx(net, rel=1e-12, abs=1e-15)
        assert row["wealth"] == pytest.approx(wealth, rel=1e-11)
        drifted = w * (1 + rf[k] + x[k]) / (1 + gross)
        assert_allclose(r.weights("drifted_weights").to_numpy()[i], drifted, rtol=1e-12, atol=1e-15)
    # costs were charged: a free ride would have net == gross
    assert f["cost_total"].sum() > 0


def test_rollout_frame_layout(french_small):
    spec = EnvSpec(french_small, config=EnvConfig(window=("1995-01", "1995-12")))
    r = run_allocator(EqualWeight(), spec)
    f = r.frame
    for col in SCALAR_COLUMNS:
        assert col in f.columns
    for block in WEIGHT_BLOCKS:
        assert list(r.weights(block).columns) == list(r.assets)
    assert f.index.name == "month" and isinstance(f.index, pd.PeriodIndex)
    earned = pd.DatetimeIndex(f["date"]).to_period("M")
    decided = pd.DatetimeIndex(f["decision_date"]).to_period("M")
    assert_array_equal(earned, f.index)
    assert all((e - d).n == 1 for e, d in zip(earned, decided, strict=True))  # t -> t + 1
    s = r.summary()
    assert s["months"] == 12 and s["final_wealth"] == pytest.approx(f["wealth"].iloc[-1])
    assert r.name == "equal_weight" and r.contender is True and r.params == {}
    assert r.config["window"] == ("1995-01", "1995-12") and r.config["random_start"] is False
    with pytest.raises(ConfigError, match="`block` must be one of"):
        r.weights("nope")


def test_harness_passes_the_point_in_time_history(french_small):
    seen = []

    def spy(obs, info):
        hist = info["history"]
        assert isinstance(hist, MarketHistory)
        assert not hist.excess.flags.writeable
        seen.append((hist.month, hist.n_months, pd.Timestamp(info["date"]).to_period("M")))
        return np.full(4, 0.25)

    alloc = FunctionAllocator(spy, output="weights", bounds=WeightBounds(True, 1.0, 1.0, True))
    spec = EnvSpec(french_small, config=EnvConfig(window=("1995-01", "1995-06")))
    r = run_allocator(alloc, spec)
    decided = pd.DatetimeIndex(r.frame["decision_date"]).to_period("M")
    assert [s[0] for s in seen] == list(decided)  # the history ends at the decision month
    assert [s[0] for s in seen] == [s[2] for s in seen]  # and matches the env's own date
    assert [s[1] for s in seen] == [french_small.months.get_loc(m) + 1 for m in decided]


@pytest.mark.parametrize(
    "name", [n for n in sorted(BASELINES) if n != "hindsight_oracle"] + ["linear_policy"]
)
def test_weights_up_to_t_ignore_data_after_t(name, french_panel):
    """Perturb every return after month t: every decision up to t is unchanged, to the bit."""
    t = french_panel.months.get_loc(pd.Period("1991-06", "M"))
    noisy = french_panel.returns.copy()
    noisy[t + 1 :] += np.random.default_rng(0).normal(0, 0.05, noisy[t + 1 :].shape)
    from factorgym import FactorPanel

    other = FactorPanel(
        noisy, french_panel.rf, french_panel.months, french_panel.assets, kind="excess"
    )
    feats = _features(french_panel)
    feats_other = {k: v.copy() for k, v in feats.items()}
    for v in feats_other.values():
        v.iloc[t + 1 :] = v.iloc[t + 1 :].to_numpy()[::-1]  # later feature rows change too
    outs = []
    for panel, fe in ((french_panel, feats), (other, feats_other)):
        alloc = _build(name)
        mode = "long_only" if _lo_ok(alloc) else "long_short"
        cfg = EnvConfig(costs="central", action_mode=mode, window=("1990-01", "1992-12"))
        spec = EnvSpec(panel, fe, cfg)
        alloc.fit(spec.replace(window=("1980-01", "1989-12")))
        outs.append(run_allocator(alloc, spec).frame)
    a, b = outs
    upto = pd.DatetimeIndex(a["decision_date"]).to_period("M") <= french_panel.months[t]
    cols = [c for c in a.columns if c.startswith(("target_weights:", "action:"))]
    assert upto.sum() == 19  # decisions 1989-12 .. 1991-06
    assert_array_equal(a.loc[upto, cols].to_numpy(), b.loc[upto, cols].to_numpy())
    # the decision at t itself is not affected, its outcome (month t + 1) is
    last = int(upto.sum()) - 1
    assert a["gross_return"].iloc[last] != b["gross_return"].iloc[last]


def test_harness_refuses_an_env_that_cannot_hold_the_weights(hand_panel):
    with pytest.raises(
        ConfigError,
        match=r"'dgu_tangency' cannot run in this env \(action_mode='long_only'.*negative weights",
    ):
        run_allocator(SampleTangency(window=6), hand_spec(hand_panel, window=("2000-08", None)))
    with pytest.raises(ConfigError, match="holds cash \\(needs allow_cash=True\\)"):
        run_allocator(
            TimeSeriesMomentum(lookback=2, long_only=True), hand_spec(hand_panel, allow_cash=False)
        )
    with pytest.raises(ConfigError, match="needs max_gross >= 1, env has 0.5"):
        run_allocator(
            SampleTangency(window=6), hand_spec(hand_panel, action_mode="long_short", max_gross=0.5)
        )
    with pytest.raises(ConfigError, match="needs max_weight >= 0.333333, env has 0.2"):
        run_allocator(
            TimeSeriesMomentum(lookback=2),
            hand_spec(hand_panel, action_mode="long_short", max_weight=0.2),
        )
    with pytest.raises(ConfigError, match="not tilts around a benchmark"):
        run_allocator(EqualWeight(), hand_spec(hand_panel, action_mode="tilt"))
    with pytest.raises(ConfigError, match="sum to up to 2 > 1"):
        run_allocator(make_allocator("dgu_minimum_variance_lw"), hand_spec(hand_panel))


def test_harness_errors(hand_panel):
    spec = hand_spec(hand_panel)
    with pytest.raises(ConfigError, match="`allocator` must implement the Allocator protocol"):
        run_allocator(object(), spec)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`env_spec` must be an EnvSpec"):
        run_allocator(EqualWeight(), "french")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`seed` must be an int >= 0"):
        run_allocator(EqualWeight(), spec, seed=-1)
    with pytest.raises(InvalidActionError, match=r"must return a finite array of shape \(3,\)"):
        run_allocator(FunctionAllocator(lambda o, i: np.zeros(2)), spec)
    with pytest.raises(InvalidActionError, match="must return a finite array"):
        run_allocator(FunctionAllocator(lambda o, i: np.full(3, np.nan)), spec)
    liar = FunctionAllocator(
        lambda o, i: np.array([0.8, 0.8, 0.0]),
        output="weights",
        bounds=WeightBounds(True, 1.0, 1.0),
    )
    with pytest.raises(InvalidActionError, match="sum of weights 1.6 exceeds 1"):
        run_allocator(liar, spec)  # infeasible weights are refused, never repaired

    class Sneaky(EqualWeight):
        @property
        def env_overrides(self):
            return {"costs": "zero"}

    with pytest.raises(ConfigError, match="may only set observation settings"):
        run_allocator(Sneaky(), spec)

    class BadOutput(EqualWeight):
        output = "probabilities"  # type: ignore[assignment]

    with pytest.raises(ConfigError, match="must be 'weights' or 'action'"):
        run_allocator(BadOutput(), spec)
    with pytest.raises(ConfigError, match="run it with factorgym.agents.run_allocator"):
        EqualWeight().act(np.zeros(3), {})
    with pytest.raises(ConfigError, match="`weights` must have one weight per asset"):
        run_allocator(StaticWeights((0.5, 0.5)), spec)


def test_same_allocator_same_spec_same_frame(french_small):
    spec = EnvSpec(french_small, {"regime": _features(french_small)["regime"]}, EnvConfig())
    a = run_allocator(RegimeSwitch(), spec, seed=1).frame
    b = run_allocator(RegimeSwitch(), spec, seed=1).frame
    pd.testing.assert_frame_equal(a, b)


def _perturbed_after(panel, month: str):
    from factorgym import FactorPanel

    t = panel.months.get_loc(pd.Period(month, "M"))
    noisy = panel.returns.copy()
    noisy[t + 1 :] += np.random.default_rng(1).normal(0, 0.05, noisy[t + 1 :].shape)
    return FactorPanel(noisy, panel.rf, panel.months, panel.assets, kind=panel.kind)


@pytest.mark.parametrize("name", ["volatility_managed", "regime_state_allocation"])
def test_fitted_state_ignores_months_after_the_training_window(name, french_panel):
    states = []
    inside = _perturbed_after(french_panel, "1978-12")  # control: the test can see a change
    for panel in (french_panel, _perturbed_after(french_panel, "1979-12"), inside):
        feats = {"regime": _features(french_panel)["regime"]}
        spec = EnvSpec(
            panel, feats, EnvConfig(action_mode="long_short", window=("1960-01", "1979-12"))
        )
        states.append(make_allocator(name).fit(spec)._fitted_state())
    for key in states[0]:
        assert_array_equal(np.asarray(states[0][key]), np.asarray(states[1][key]))
    key = next(iter(states[0]))
    assert not np.array_equal(np.asarray(states[0][key]), np.asarray(states[2][key]))


def test_rl_training_ignores_months_after_the_validation_window(french_panel):
    import torch

    params = []
    for panel in (french_panel, _perturbed_after(french_panel, "1989-12")):
        spec = EnvSpec(panel, {}, EnvConfig(window=("1975-01", "1984-12")))
        agent = _tiny_ppo().fit(
            spec, validation_env_factory=spec.replace(window=("1985-01", "1989-12")), seed=0
        )
        params.append([p.detach().clone() for p in agent.models_[0].policy.parameters()])
        assert agent.env_overrides["normalize_window"] == ("1974-12", "1984-11")
    assert all(torch.equal(a, b) for a, b in zip(*params, strict=True))
