"""One kernel: the single env is the batched env at N = 1, and the public maths is the kernel's.

Every comparison here is exact (``array_equal`` / ``==``), not ``allclose``: the single env, the
batched env at N = 1 and at N = 7, and the public pure functions all run the same compiled row
functions in the same order.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from factorgym.envs import (
    BatchedFactorTimingEnv,
    EnvConfig,
    FactorTimingEnv,
    capacity_fill,
    drawdown,
    drift_weights,
    grow_wealth,
    impact_cost,
    internal_cost,
    penalized,
    portfolio_return,
    proportional_cost,
)
from factorgym.envs import kernel as K
from factorgym.envs.info import RESET_KEYS, STEP_KEYS
from factorgym.envs.rewards import (
    DifferentialSharpe,
    ExcessLogReturn,
    MeanVariance,
    log_growth,
)
from factorgym.envs.transition import padded_rows

MODES = ("long_only", "long_short", "tilt")
REWARDS = ("log_return", "excess_return", "differential_sharpe", "mean_variance")
STARTS = ["1960-01", "1970-06", "1985-03", "1999-12", "2008-09", "1955-02", "1990-07"]
N_STEPS = 25


def _config(mode: str, reward: str) -> EnvConfig:
    """Costs, capacity, limits, band and penalties all active (each binds now and then)."""
    return EnvConfig(
        action_mode=mode,
        reward=reward,
        costs="high",
        aum=1e9,
        aum_grows_with_wealth=True,
        max_turnover=0.8,
        no_trade_band=0.03,
        max_position_notional=7e8,
        drawdown_penalty=0.2,
        turnover_penalty=0.01,
        max_drawdown_stop=0.9,
        episode_length=None,
        random_start=False,
        tilt_long_only=mode != "tilt",  # the tilt case is long-short
    )


def _same(a, b) -> bool:
    if isinstance(a, pd.Timestamp):
        return np.datetime64(a.date()) == b
    return np.array_equal(a, b)


@pytest.mark.parametrize("reward", REWARDS)
@pytest.mark.parametrize("mode", MODES)
def test_single_env_is_the_batched_env_bit_for_bit(french_panel, mode, reward):
    cfg = _config(mode, reward)
    rng = np.random.default_rng(7)
    actions = rng.uniform(-1.3, 1.3, (N_STEPS, len(STARTS), 4))
    singles = [FactorTimingEnv(french_panel, config=cfg) for _ in STARTS]
    one = BatchedFactorTimingEnv(french_panel, num_envs=1, config=cfg)
    seven = BatchedFactorTimingEnv(french_panel, num_envs=len(STARTS), config=cfg)
    resets = [env.reset(options={"start": s}) for env, s in zip(singles, STARTS, strict=True)]
    obs1, info1 = one.reset(options={"start": STARTS[:1]})
    obs7, info7 = seven.reset(options={"start": STARTS})
    for i, (obs, info) in enumerate(resets):
        assert set(info) == set(info7) == set(RESET_KEYS)
        assert np.array_equal(obs, obs7[i]) and (i > 0 or np.array_equal(obs, obs1[0]))
        for key in RESET_KEYS:
            assert _same(info[key], info7[key][i]), key
    n_fills = 0
    for step in range(N_STEPS):
        out1 = one.step(actions[step, :1])
        out7 = seven.step(actions[step])
        for i, env in enumerate(singles):
            obs, reward_i, term, trunc, info = env.step(actions[step, i])
            assert set(info) == set(STEP_KEYS)
            for batch, row in [(out7, i)] + ([(out1, 0)] if i == 0 else []):
                b_obs, b_rew, b_term, b_trunc, b_info = batch
                assert np.array_equal(obs, b_obs[row])
                assert reward_i == b_rew[row]  # exact
                assert (term, trunc) == (b_term[row], b_trunc[row])
                for key in STEP_KEYS:
                    assert _same(info[key], b_info[key][row]), key
            n_fills += info["fill_ratio"] < 1.0
            assert not term  # the 90 % drawdown stop never binds here
    assert n_fills > 0  # the cuts were exercised


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("reward", REWARDS)
def test_public_functions_equal_the_kernels_info_bit_for_bit(french_panel, mode, reward):
    cfg = _config(mode, reward)
    env = FactorTimingEnv(french_panel, config=cfg)
    _, info0 = env.reset(options={"start": "1975-01"})
    m, cm, spec = env.dynamics.market, env.cost_model, env.action_spec
    inv_max_trade = 1.0 / (cm.participation_cap * cm.capacity_usd * cm.trade_days)
    drifted, wealth, peak = info0["drifted_weights"], 1.0, 1.0
    state = env.dynamics.reward.initial_state()
    seen = set()
    rng = np.random.default_rng(3)
    action = rng.uniform(-1.3, 1.3, 4)
    for step in range(60):
        if step % 4:  # every fourth month repeats the action: a small trade, inside the band
            action = rng.uniform(-1.3, 1.3, 4)
        t = env.panel.month_position(env.month)
        _, reward_got, _, _, info = env.step(action)
        t1 = t + 1
        target = spec.to_weights(action)
        aum = cfg.aum * wealth
        lim = cfg.max_position_notional / aum
        held = np.minimum(np.maximum(target, -lim), lim)
        trade = held - drifted
        abs_trade = np.abs(trade)
        wanted = sum(abs_trade.tolist())
        fill = cfg.max_turnover / wanted if wanted > cfg.max_turnover else 1.0
        fill = min(fill, capacity_fill(abs_trade, aum, inv_max_trade))
        if wanted < cfg.no_trade_band and spec.is_feasible(drifted):
            fill = 0.0
        seen.add("band" if fill == 0.0 else "cut" if fill < 1.0 else "full")
        seen.add("limit" if np.any(held != target) else "no limit")
        cut = np.zeros(4) if fill == 1.0 else trade * (1.0 - fill)
        executed = drifted if fill == 0.0 else held - cut
        abs_exec = abs_trade * fill
        c_p = proportional_cost(abs_exec, cm.cost_rate)
        c_h = internal_cost(np.abs(executed), cm.internal_rate)
        c_i = impact_cost(abs_exec, aum, cm.impact_scale)
        gross = portfolio_return(executed, m.excess[t1], m.rf[t1])
        net = gross - (c_p + c_h + c_i)
        wealth = grow_wealth(wealth, net)
        peak = max(peak, wealth)
        dd = drawdown(wealth, peak)
        drifted = drift_weights(executed, m.growth[t1], 1.0 + gross)
        turnover = sum(abs_exec.tolist())
        lg, ex = log_growth(net), net - m.rf[t1]
        if reward == "log_return":
            r = lg
        elif reward == "excess_return":
            r, _ = ExcessLogReturn()(lg, ex, math.log1p(m.benchmark[t1]), 0.0, ())
        elif reward == "differential_sharpe":
            r, state = DifferentialSharpe()(lg, ex, 0.0, 0.0, state)
        else:  # w' S_t w: the kernel's quadratic form, with the public mean-variance formula
            r, _ = MeanVariance()(lg, ex, 0.0, K.quadratic_form(executed, m.cov[t]), ())
        expected = {
            "target_weights": target,
            "refused_weights": target - held,
            "executed_weights": executed,
            "trade_cut": cut,
            "trade_cut_notional": np.abs(cut) * aum,
            "fill_ratio": fill,
            "turnover": turnover,
            "aum": aum,
            "cost_proportional": c_p,
            "cost_internal": c_h,
            "cost_impact": c_i,
            "cost_total": c_p + c_h + c_i,
            "gross_return": gross,
            "net_return": net,
            "rf": m.rf[t1],
            "benchmark_return": m.benchmark[t1],
            "wealth": wealth,
            "drawdown": dd,
            "drifted_weights": drifted,
        }
        for key, value in expected.items():
            assert np.array_equal(info[key], value), key
        assert reward_got == penalized(r, dd, turnover, 0.2, 0.01)
    # every branch of the fill ran (a tilt's drifted weights leave its budget: never in the band)
    assert seen >= {"cut", "full", "limit", "no limit"} | ({"band"} if mode != "tilt" else set())


def test_large_batches_get_padded_but_contiguous_outputs(french_small):
    assert padded_rows(1, 32) == 1 and padded_rows(7, 8) == 7
    for n_envs, row_bytes in [(512, 8), (1024, 8), (1024, 32), (4096, 40)]:
        rows = padded_rows(n_envs, row_bytes)
        assert rows > n_envs and 256 <= (rows * row_bytes) % 4096 <= 3840
    env = BatchedFactorTimingEnv(french_small, num_envs=600, config=EnvConfig(episode_length=None))
    env.reset(seed=0)
    *_, info = env.step(np.zeros((600, 4)))
    for key in STEP_KEYS[2:]:
        assert info[key].shape[0] == 600 and info[key].flags.c_contiguous, key


_FIRST_USE = """
import numpy as np
from factorgym.envs import BatchedFactorTimingEnv, EnvConfig, FactorTimingEnv, grow_wealth
env = FactorTimingEnv(config=EnvConfig(reward="differential_sharpe"))
env.reset(seed=0)
env.step(np.zeros(4))
batched = BatchedFactorTimingEnv(num_envs=3)
batched.reset(seed=0)
batched.step(np.zeros((3, 4)))
grow_wealth(np.ones(2), np.zeros(2))
print("ok")
"""


@pytest.mark.slow
def test_numba_cache_in_a_user_folder_compiles_and_warns_nothing(tmp_path):
    """numba falls back to a user-wide folder when the package's is not writable: simulate it."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    for _ in range(2):  # cold (compile and write the cache), then warm (load it)
        done = subprocess.run(
            [sys.executable, "-W", "error", "-c", _FIRST_USE],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "ok" and "Warning" not in done.stderr, done.stderr
    assert any(p.suffix == ".nbi" for p in tmp_path.rglob("*"))
