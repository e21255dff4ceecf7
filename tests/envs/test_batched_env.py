"""BatchedFactorTimingEnv: equal to N single envs, autoreset modes, make_vec, errors."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.error import ResetNeeded
from gymnasium.vector import AutoresetMode

from factorgym.envs import BatchedFactorTimingEnv, EnvConfig, FactorTimingEnv, InvalidActionError
from factorgym.errors import ConfigError

CASES = {
    "long_only": EnvConfig(),
    "long_only_no_cash_band": EnvConfig(allow_cash=False, no_trade_band=0.05, costs="high"),
    "long_short_capacity": EnvConfig(action_mode="long_short", aum=5e10,
                                     aum_grows_with_wealth=True, reward="differential_sharpe"),
    "long_short_limits": EnvConfig(action_mode="long_short", max_turnover=0.4,
                                   max_position_notional=5e7, reward="mean_variance",
                                   drawdown_penalty=0.2, turnover_penalty=0.01),
    "tilt": EnvConfig(action_mode="tilt", max_deviation=0.3, reward="excess_return",
                      initial_weights="benchmark", max_drawdown_stop=0.15),
    "tilt_ls_normalised": EnvConfig(action_mode="tilt", tilt_long_only=False, normalize=True,
                                    normalize_window=("1990-01", "1994-12"), costs="low"),
}  # fmt: skip
SCALARS = ("gross_return", "net_return", "cost_proportional", "cost_internal", "cost_impact",
           "cost_total", "turnover", "fill_ratio", "wealth", "drawdown", "aum",
           "benchmark_return")  # fmt: skip
ARRAYS = ("target_weights", "executed_weights", "drifted_weights", "trade_cut",
          "refused_weights", "trade_cut_notional")  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_batched_equals_single_envs_step_by_step(french_panel, name):
    n_envs, n_steps = 6, 150
    cfg = CASES[name].replace(episode_length=40, random_start=False)
    starts = ["1960-01", "1970-06", "1985-03", "1999-12", "2008-09", "1955-02"]
    batched = BatchedFactorTimingEnv(french_panel, num_envs=n_envs, config=cfg)
    singles = [FactorTimingEnv(french_panel, config=cfg) for _ in range(n_envs)]
    obs_b, _ = batched.reset(seed=0, options={"start": starts})
    obs_s = [e.reset(seed=0, options={"start": s})[0] for e, s in zip(singles, starts, strict=True)]
    np.testing.assert_array_equal(obs_b, np.array(obs_s))
    rng = np.random.default_rng(1)
    done = np.zeros(n_envs, dtype=bool)
    n_resets = 0
    for _ in range(n_steps):
        actions = rng.uniform(-1.2, 1.2, (n_envs, 4))
        obs_b, rew_b, term_b, trunc_b, info_b = batched.step(actions)
        for i, env in enumerate(singles):
            if done[i]:  # NEXT_STEP autoreset: the batched env resets this row now
                obs, _ = env.reset()
                rew, term, trunc, info = 0.0, False, False, None
                n_resets += 1
                assert not info_b["_wealth"][i]
            else:
                obs, rew, term, trunc, info = env.step(actions[i])
            np.testing.assert_allclose(obs_b[i], obs, rtol=0, atol=1e-12)
            assert rew_b[i] == pytest.approx(rew, abs=1e-12)
            assert (term_b[i], trunc_b[i]) == (term, trunc)
            if info is not None:
                for key in SCALARS:
                    assert info_b[key][i] == pytest.approx(info[key], rel=1e-12, abs=1e-12), key
                for key in ARRAYS:
                    np.testing.assert_allclose(info_b[key][i], info[key], rtol=1e-12, atol=1e-12)
                assert info_b["date"][i] == np.datetime64(info["date"].date())
        done = term_b | trunc_b
    assert n_resets >= n_envs  # every env went through at least one autoreset


def test_random_starts_are_seeded(french_panel):
    env = BatchedFactorTimingEnv(french_panel, num_envs=16, config=EnvConfig())
    d1 = env.reset(seed=5)[1]["date"]
    d2 = env.reset(seed=5)[1]["date"]
    assert np.array_equal(d1, d2) and len(set(d1.tolist())) > 4


def test_same_step_autoreset(french_small):
    cfg = EnvConfig(episode_length=3, random_start=False)
    env = BatchedFactorTimingEnv(
        french_small, num_envs=2, config=cfg, autoreset_mode=AutoresetMode.SAME_STEP
    )
    assert env.metadata["autoreset_mode"] is AutoresetMode.SAME_STEP
    first, _ = env.reset(seed=0)
    for _k in range(3):
        obs, rew, term, trunc, info = env.step(np.zeros((2, 4)))
    assert trunc.all() and rew.all()
    assert info["_final_obs"].all()
    np.testing.assert_array_equal(obs, first)  # already the next episode's first observation
    assert not np.array_equal(info["final_obs"], obs)
    obs, rew, *_ = env.step(np.zeros((2, 4)))
    assert rew.all()  # a real step, not a reset step


def test_next_step_autoreset_returns_reset_obs_and_zero_reward(french_small):
    cfg = EnvConfig(episode_length=2, random_start=False)
    env = BatchedFactorTimingEnv(french_small, num_envs=2, config=cfg)
    first, _ = env.reset(seed=0)
    env.step(np.zeros((2, 4)))
    _, _, _, trunc, _ = env.step(np.zeros((2, 4)))
    assert trunc.all()
    obs, rew, term, trunc, info = env.step(np.ones((2, 4)))
    np.testing.assert_array_equal(obs, first)
    assert not rew.any() and not term.any() and not trunc.any()
    assert not info["_net_return"].any()


def test_disabled_autoreset_and_reset_mask(french_small):
    cfg = EnvConfig(episode_length=2, random_start=False)
    env = BatchedFactorTimingEnv(french_small, num_envs=3, config=cfg, autoreset_mode="Disabled")
    env.reset(seed=0)
    with pytest.raises(ConfigError, match="must be all True on the first reset"):
        BatchedFactorTimingEnv(french_small, num_envs=2).reset(
            options={"reset_mask": np.array([True, False])}
        )
    env.step(np.zeros((3, 4)))
    env.step(np.zeros((3, 4)))
    with pytest.raises(ConfigError, match="must be reset with options=\\{'reset_mask': mask\\}"):
        env.step(np.zeros((3, 4)))
    obs, info = env.reset(
        options={
            "reset_mask": np.array([True, True, True]),
            "start": ["1995-01", "1996-01", "1997-01"],
        }
    )
    assert [str(d) for d in info["date"]] == ["1994-12-31", "1995-12-31", "1996-12-31"]
    env.step(np.zeros((3, 4)))
    obs, info = env.reset(options={"reset_mask": np.array([False, True, False])})
    assert [str(d) for d in info["date"]] == ["1995-01-31", "1990-12-31", "1997-01-31"]


def test_make_vec_uses_the_batched_env():
    envs = gym.make_vec(
        "factorgym/FactorTiming-v0", num_envs=8, vectorization_mode="vector_entry_point"
    )
    assert isinstance(envs.unwrapped, BatchedFactorTimingEnv)
    obs, _ = envs.reset(seed=0)
    assert obs.shape == (8, 56) and obs.dtype == np.float32
    obs, rew, term, trunc, info = envs.step(envs.action_space.sample())
    assert rew.shape == (8,) and envs.observation_space.contains(obs)
    etf = gym.make_vec(
        "factorgym/FactorTimingETF-v0", num_envs=2, vectorization_mode="vector_entry_point"
    )
    assert etf.unwrapped.assets[0] == "MTUM"


def test_render_ansi(french_small):
    env = BatchedFactorTimingEnv(
        french_small, num_envs=2, render_mode="ansi", config=EnvConfig(random_start=False)
    )
    assert env.render() == ("[0] not reset", "[1] not reset")
    env.reset()
    lines = env.render()
    assert len(lines) == 2 and lines[1].startswith("[1] 1990-12 wealth=1.0000 | MktRF=")
    assert BatchedFactorTimingEnv(french_small).render() is None


def test_errors(french_small):
    with pytest.raises(ConfigError, match="`num_envs` must be an int >= 1, got 0"):
        BatchedFactorTimingEnv(french_small, num_envs=0)
    with pytest.raises(ConfigError, match="`autoreset_mode` must be one of"):
        BatchedFactorTimingEnv(french_small, autoreset_mode="sometimes")
    with pytest.raises(ConfigError, match="`render_mode` must be None or one of"):
        BatchedFactorTimingEnv(french_small, render_mode="rgb_array")
    env = BatchedFactorTimingEnv(french_small, num_envs=2)
    with pytest.raises(ResetNeeded, match="before calling reset"):
        env.step(np.zeros((2, 4)))
    env.reset(seed=0)
    with pytest.raises(InvalidActionError, match=r"`actions` must have shape \(2, 4\)"):
        env.step(np.zeros(4))
    with pytest.raises(InvalidActionError, match="`actions` must be finite"):
        env.step(np.array([[0, 0, 0, 0], [np.nan, 0, 0, 0]]))
    with pytest.raises(ConfigError, match="`options\\['reset_mask'\\]` must be a bool array"):
        env.reset(options={"reset_mask": np.array([1, 0])})
    with pytest.raises(ConfigError, match="must be one month or one per env reset \\(2\\)"):
        env.reset(options={"start": ["1995-01"]})


def test_pickle_round_trip(french_small):
    import pickle

    env = BatchedFactorTimingEnv(french_small, num_envs=3, config=EnvConfig(episode_length=5))
    env.reset(seed=2)
    env.step(np.zeros((3, 4)))
    clone = pickle.loads(pickle.dumps(env))
    a = np.full((3, 4), 0.3)
    for _ in range(8):
        o1, r1, *_ = env.step(a)
        o2, r2, *_ = clone.step(a)
        np.testing.assert_array_equal(o1, o2)
        np.testing.assert_array_equal(r1, r2)
