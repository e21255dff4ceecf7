"""FactorTimingEnv: checkers, determinism, pickling, episodes, limits, info and errors."""

from __future__ import annotations

import pickle

import gymnasium as gym
import numpy as np
import pandas as pd
import pytest
from gymnasium.error import ResetNeeded
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import factorgym
from factorgym.envs import EnvConfig, FactorTimingEnv, InvalidActionError
from factorgym.errors import ConfigError

MODES = ("long_only", "long_short", "tilt")
INFO_KEYS = {
    "date", "decision_date", "gross_return", "net_return", "rf", "benchmark_return",
    "cost_proportional", "cost_internal", "cost_impact", "cost_total", "turnover",
    "fill_ratio", "target_weights", "refused_weights", "executed_weights", "drifted_weights",
    "trade_cut", "trade_cut_notional", "aum", "wealth", "drawdown",
}  # fmt: skip


def _make(env_id, mode):
    kwargs = dict(gym.spec(env_id).kwargs)
    kwargs["config"] = {**kwargs.get("config", {}), "action_mode": mode}
    return gym.make(env_id, **kwargs)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("env_id", factorgym.ENV_IDS)
def test_checkers_pass_for_every_id_and_mode(env_id, mode):
    env = _make(env_id, mode)
    gym_check_env(env.unwrapped)
    sb3_check_env(env)
    assert env.unwrapped.config.action_mode == mode


def test_make_with_no_arguments_uses_french_defaults():
    env = gym.make("factorgym/FactorTiming-v0")
    assert env.unwrapped is env  # order enforcement is built in: no wrapper per step
    assert env.unwrapped.assets == ("MktRF", "SMB", "HML", "Mom")
    assert env.observation_space.shape == (56,)
    assert env.action_space == gym.spaces.Box(-1, 1, (4,), np.float32)
    assert env.unwrapped.cost_model.preset == "central"
    etf = gym.make("factorgym/FactorTimingETF-v0")
    assert etf.unwrapped.assets == ("MTUM", "QUAL", "SIZE", "USMV", "VLUE")
    assert etf.unwrapped.config.episode_length == 48


def _rollout(env, seed, n=80):
    rng = np.random.default_rng(seed)
    obs, info = env.reset(seed=seed)
    out = [obs]
    for _ in range(n):
        obs, r, term, trunc, info = env.step(rng.uniform(-1, 1, env.action_space.shape))
        out.append((obs, r, term, trunc, info["wealth"], info["executed_weights"]))
        if term or trunc:
            obs, info = env.reset()
            out.append(obs)
    return out


def _equal(a, b):
    if isinstance(a, tuple):
        return all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return np.array_equal(a, b)


@pytest.mark.parametrize("mode", MODES)
def test_seeded_determinism(french_small, mode):
    cfg = EnvConfig(action_mode=mode, episode_length=30, reward="differential_sharpe")
    a = _rollout(FactorTimingEnv(french_small, config=cfg), seed=7)
    b = _rollout(FactorTimingEnv(french_small, config=cfg), seed=7)
    assert all(_equal(x, y) for x, y in zip(a, b, strict=True))
    c = _rollout(FactorTimingEnv(french_small, config=cfg), seed=8)
    assert not all(_equal(x, y) for x, y in zip(a, c, strict=False))


def test_pickle_round_trip_mid_episode(french_small):
    env = FactorTimingEnv(french_small, config=EnvConfig(reward="differential_sharpe"))
    env.reset(seed=1)
    for _ in range(5):
        env.step(np.full(4, 0.3, np.float32))
    clone = pickle.loads(pickle.dumps(env))
    assert clone.month == env.month
    for _ in range(10):
        a = np.array([0.5, -0.2, 0.1, 0.9], np.float32)
        o1, r1, *_, i1 = env.step(a)
        o2, r2, *_, i2 = clone.step(a)
        assert np.array_equal(o1, o2) and r1 == r2 and i1["wealth"] == i2["wealth"]
    assert pickle.loads(pickle.dumps(gym.make("factorgym/FactorTiming-v0"))).spec.id == (
        "factorgym/FactorTiming-v0"
    )


# --- episodes ---------------------------------------------------------------------------------
def test_truncation_at_episode_length_and_start_option(french_small):
    env = FactorTimingEnv(french_small, config=EnvConfig(episode_length=12))
    obs, info = env.reset(seed=0, options={"start": "1995-01"})
    assert info["date"] == pd.Timestamp("1994-12-31")
    assert info["episode_end"] == pd.Timestamp("1995-12-31")
    for k in range(12):
        _, _, term, trunc, info = env.step(np.zeros(4, np.float32))
        assert trunc == (k == 11) and not term
    assert info["date"] == pd.Timestamp("1995-12-31")
    with pytest.raises(ResetNeeded, match="The episode has ended"):
        env.step(np.zeros(4, np.float32))


def test_truncation_at_the_window_end(french_small):
    cfg = EnvConfig(window=("1999-01", None), episode_length=None, random_start=False)
    env = FactorTimingEnv(french_small, config=cfg)
    _, info = env.reset()
    assert info["date"] == pd.Timestamp("1998-12-31")
    steps = 0
    trunc = False
    while not trunc:
        _, _, _, trunc, info = env.step(np.zeros(4, np.float32))
        steps += 1
    assert steps == 12 and info["date"] == pd.Timestamp("1999-12-31")


def test_random_starts_are_seeded_and_inside_the_window(french_small):
    cfg = EnvConfig(window=("1993-01", "1998-12"), episode_length=24)
    env = FactorTimingEnv(french_small, config=cfg)
    starts = {env.reset(seed=s)[1]["date"] for s in range(30)}
    assert len(starts) > 5
    assert min(starts) >= pd.Timestamp("1992-12-31")
    assert max(starts) <= pd.Timestamp("1996-12-31")  # leaves 24 months in the window
    assert env.reset(seed=3)[1]["date"] == env.reset(seed=3)[1]["date"]


def test_termination_by_drawdown_stop(french_small):
    cfg = EnvConfig(
        action_mode="long_short", max_drawdown_stop=0.05, random_start=False, episode_length=None
    )
    env = FactorTimingEnv(french_small, config=cfg)
    env.reset()
    term = trunc = False
    while not (term or trunc):
        _, _, term, trunc, info = env.step(np.array([1.0, -1.0, 0.0, 0.0], np.float32))
    assert term and info["drawdown"] >= 0.05


def test_termination_by_ruin():
    months = pd.period_range("2000-01", periods=6, freq="M")
    x = np.array([[0.01], [0.01], [0.01], [-0.6], [0.01], [0.01]])
    panel = factorgym.FactorPanel(x, 0.0, months, ["MktRF"], kind="excess")
    cfg = EnvConfig(
        action_mode="long_short",
        max_weight=2.0,
        max_gross=2.0,
        lookback=1,
        vol_lookback=2,
        random_start=False,
        costs="zero",
        ruin_wealth=0.5,
    )
    env = FactorTimingEnv(panel, config=cfg)
    env.reset()
    _, _, term, _, info = env.step(np.array([1.0], np.float32))
    assert not term
    _, r, term, _, info = env.step(np.array([1.0], np.float32))
    assert term and info["net_return"] == pytest.approx(-1.2)
    assert info["wealth"] == 0.0 and np.isfinite(r)  # a -120 % month: wealth floored at 0
    assert np.array_equal(info["drifted_weights"], [0.0])


# --- limits -------------------------------------------------------------------------------
def test_position_limit_refuses_the_excess(french_small):
    cfg = EnvConfig(aum=1e9, max_position_notional=2e8, random_start=False)
    env = FactorTimingEnv(french_small, config=cfg)
    env.reset()
    _, _, _, _, info = env.step(np.array([1.0, -1.0, -1.0, -1.0], np.float32))
    assert info["target_weights"][0] == 1.0
    assert info["executed_weights"][0] == pytest.approx(0.2)
    assert info["refused_weights"][0] == pytest.approx(0.8)
    assert env.action_spec.violations(info["executed_weights"], allow_refusals=True) == []


def test_max_turnover_scales_the_trade(french_small):
    env = FactorTimingEnv(french_small, config=EnvConfig(max_turnover=0.25, random_start=False))
    env.reset()
    _, _, _, _, info = env.step(np.array([1.0, -1.0, -1.0, -1.0], np.float32))
    assert info["turnover"] == pytest.approx(0.25)
    assert info["fill_ratio"] == pytest.approx(0.25)
    np.testing.assert_allclose(info["trade_cut"], [0.75, 0, 0, 0])


def test_no_trade_band_skips_small_rebalances(french_small):
    cfg = EnvConfig(no_trade_band=0.05, random_start=False, costs="central")
    env = FactorTimingEnv(french_small, config=cfg)
    env.reset()
    _, _, _, _, first = env.step(np.array([0.0, -1.0, 0.0, -1.0], np.float32))  # 50/50
    drifted = first["drifted_weights"]
    near = 2 * (drifted + np.array([0.01, 0.0, -0.01, 0.0])) - 1
    _, _, _, _, info = env.step(near.astype(np.float64))
    assert info["fill_ratio"] == 0.0 and info["turnover"] == 0.0
    np.testing.assert_array_equal(info["executed_weights"], drifted)
    assert info["cost_proportional"] == 0.0 and info["cost_impact"] == 0.0
    assert info["cost_internal"] > 0  # holding factors still costs their own turnover


def test_initial_weights_benchmark(french_small):
    cfg = EnvConfig(initial_weights="benchmark", random_start=False)
    env = FactorTimingEnv(french_small, config=cfg)
    obs, info = env.reset()
    np.testing.assert_array_equal(info["drifted_weights"], np.full(4, 0.25))
    np.testing.assert_array_equal(obs[-4:], np.full(4, 0.25, np.float32))
    _, _, _, _, info = env.step(np.full(4, -0.5, np.float32))  # a = 2 * 0.25 - 1
    assert info["turnover"] == pytest.approx(0.0, abs=1e-15)


def test_aum_grows_with_wealth(french_small):
    cfg = EnvConfig(aum=1e9, aum_grows_with_wealth=True, random_start=False)
    env = FactorTimingEnv(french_small, config=cfg)
    env.reset()
    _, _, _, _, i1 = env.step(np.ones(4, np.float32))
    _, _, _, _, i2 = env.step(np.ones(4, np.float32))
    assert i1["aum"] == 1e9 and i2["aum"] == pytest.approx(1e9 * i1["wealth"])


# --- rewards through the env ---------------------------------------------------------------
@pytest.mark.parametrize(
    "reward", ["log_return", "excess_return", "differential_sharpe", "mean_variance"]
)
def test_every_reward_runs_and_penalties_apply(french_small, reward):
    base = EnvConfig(reward=reward, random_start=False)
    pen = base.replace(drawdown_penalty=0.5, turnover_penalty=0.01)
    e1, e2 = FactorTimingEnv(french_small, config=base), FactorTimingEnv(french_small, config=pen)
    e1.reset()
    e2.reset()
    rng = np.random.default_rng(0)
    for _ in range(24):
        a = rng.uniform(-1, 1, 4).astype(np.float32)
        _, r1, *_ = e1.step(a)
        _, r2, *_, info = e2.step(a)
        assert np.isfinite(r1)
        expected = r1 - 0.5 * info["drawdown"] - 0.01 * info["turnover"]
        assert r2 == pytest.approx(expected, abs=1e-15)


def test_excess_reward_is_log_return_over_benchmark(french_small):
    env = FactorTimingEnv(french_small, config=EnvConfig(reward="excess_return"))
    env.reset(seed=0)
    _, r, *_, info = env.step(np.zeros(4, np.float32))
    assert r == pytest.approx(
        np.log1p(info["net_return"]) - np.log1p(info["benchmark_return"]), abs=1e-15
    )


# --- total-return panels -------------------------------------------------------------------
def test_total_panel_cash_earns_rf(total_panel):
    env = FactorTimingEnv(total_panel, config=EnvConfig(costs="zero", random_start=False))
    env.reset()
    _, _, _, _, info = env.step(-np.ones(3, np.float32))  # all cash
    assert info["gross_return"] == pytest.approx(0.002)
    _, _, _, _, info = env.step(np.array([1.0, -1.0, -1.0], np.float32))
    t = total_panel.month_position(info["date"])
    assert info["gross_return"] == pytest.approx(total_panel.returns[t, 0], abs=1e-15)


# --- render, repr, errors -------------------------------------------------------------------
def test_render_ansi_and_info_keys(french_small):
    env = FactorTimingEnv(french_small, config=EnvConfig(random_start=False), render_mode="ansi")
    assert env.render() == "FactorTimingEnv (not reset)"
    env.reset()
    assert env.render().startswith("1990-12 wealth=1.0000 |")
    _, _, _, _, info = env.step(np.zeros(4, np.float32))
    assert set(info) == INFO_KEYS
    text = env.render()
    assert text.startswith("1991-01 wealth=") and "cost=" in text and "MktRF=" in text
    assert FactorTimingEnv(french_small).render() is None
    assert "FactorTimingEnv(assets=['MktRF'" in repr(env)


def test_errors(french_small):
    env = FactorTimingEnv(french_small)
    with pytest.raises(ResetNeeded, match="before calling env.reset"):
        env.step(np.zeros(4, np.float32))
    env.reset(seed=0)
    with pytest.raises(InvalidActionError, match=r"`action` must have shape \(4,\), got \(3,\)"):
        env.step(np.zeros(3, np.float32))
    with pytest.raises(InvalidActionError, match="`action` must be finite"):
        env.step(np.array([np.nan, 0, 0, 0], np.float32))
    with pytest.raises(ConfigError, match="`options` keys must be among"):
        env.reset(options={"begin": "1995-01"})
    with pytest.raises(ConfigError, match="`options` must be a dict"):
        env.reset(options=["start"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`options\\['reset_mask'\\]` is for the batched env"):
        env.reset(options={"reset_mask": None})
    with pytest.raises(ConfigError, match="`options\\['start'\\]` must lie in 1991-01..1999-12"):
        env.reset(options={"start": "1990-06"})
    with pytest.raises(ConfigError, match="`options\\['start'\\]` must be a month"):
        env.reset(options={"start": "June"})
    with pytest.raises(ConfigError, match="`render_mode` must be None or one of"):
        FactorTimingEnv(french_small, render_mode="human")
    with pytest.raises(ConfigError, match="`panel` must be a FactorPanel, 'french' or 'etf'"):
        FactorTimingEnv("ff5")
    with pytest.raises(ConfigError, match="`panel` must be a FactorPanel, 'french' or 'etf'"):
        FactorTimingEnv(np.zeros((10, 2)))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`window` must start after the first complete"):
        FactorTimingEnv(french_small, config=EnvConfig(window=("1990-03", None)))
    with pytest.raises(ConfigError, match="`window` must hold at least one month"):
        FactorTimingEnv(french_small, config=EnvConfig(window=("1995-01", "1994-01")))
    with pytest.raises(ConfigError, match="`window\\[1\\]` must lie in"):
        FactorTimingEnv(french_small, config=EnvConfig(window=(None, "2001-01")))
    with pytest.raises(ConfigError, match="`a` is not an EnvConfig field"):
        FactorTimingEnv(french_small, config={"a": 1})


def test_mean_variance_needs_covariance_history(french_small):
    env = FactorTimingEnv(
        french_small, config=EnvConfig(reward="mean_variance", vol_lookback=24, lookback=1)
    )
    assert env.dynamics.market.first_obs == 23
    assert env.dynamics.market.cov is not None
