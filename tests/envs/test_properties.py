"""Property tests: 10k random actions per action mode.

Hypothesis draws the action-mode parameters, the cost preset, AUM and limits, and a seed; each
example then pushes 1,000 actions (uniform, out-of-range, vertices, zeros) through the pure map
and 1,000 more through the batched env (20 portfolios x 50 months), so 10 examples give 10k
actions per mode for each. Checked: target weights always feasible, executed weights feasible
whenever the trade starts from feasible drifted weights or is filled in full (a partial fill
from drifted-out-of-bounds weights, or from the initial all-cash holding when the budget must be
fully invested, can only move part of the way), nothing NaN or inf,
costs non-negative, and wealth equal to the product of (1 + net return).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factorgym.envs import ActionSpec, BatchedFactorTimingEnv, EnvConfig, FactorTimingEnv

N_ASSETS = 4
SETTINGS = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _actions(rng: np.random.Generator, n: int) -> np.ndarray:
    k = n // 4
    return np.vstack(
        [
            rng.uniform(-1, 1, (k, N_ASSETS)),
            rng.uniform(-3, 3, (k, N_ASSETS)),  # out of range: clipped
            rng.choice([-1.0, 1.0], (k, N_ASSETS)),  # vertices of the action box
            rng.choice([-1.0, 0.0, 1.0], (n - 3 * k, N_ASSETS)) * rng.random((n - 3 * k, 1)),
        ]
    )


mode_params = {
    "long_only": st.fixed_dictionaries({"allow_cash": st.booleans()}),
    "long_short": st.fixed_dictionaries(
        {"max_weight": st.floats(0.1, 2.0), "max_gross": st.floats(0.2, 4.0)}
    ),
    "tilt": st.fixed_dictionaries(
        {"max_deviation": st.floats(0.01, 1.0), "tilt_long_only": st.booleans()}
    ),
}
common = st.fixed_dictionaries(
    {
        "costs": st.sampled_from(["zero", "low", "central", "high"]),
        "aum": st.floats(1e6, 1e12),
        "max_turnover": st.none() | st.floats(0.05, 2.0),
        "no_trade_band": st.sampled_from([0.0, 0.0, 0.02, 0.1]),
        "max_position_notional": st.none() | st.floats(1e5, 1e11),
        "aum_grows_with_wealth": st.booleans(),
    }
)


def _check_map(spec: ActionSpec, actions: np.ndarray) -> None:
    w = spec.to_weights(actions)
    assert np.all(np.isfinite(w))
    assert spec.is_feasible(w, tol=1e-12).all()


def _check_env(french_panel, cfg: EnvConfig, actions: np.ndarray, seed: int) -> None:
    n_envs, n_steps = 20, 50
    env = BatchedFactorTimingEnv(french_panel, num_envs=n_envs, config=cfg)
    spec = env.dynamics.spec
    limited = cfg.max_position_notional is not None
    obs, _ = env.reset(seed=seed)
    wealth = np.ones(n_envs)
    drifted = np.zeros((n_envs, N_ASSETS))
    for a in actions.reshape(n_steps, n_envs, N_ASSETS):
        start_strict = spec.is_feasible(drifted, tol=1e-9)
        start_relaxed = spec.is_feasible(drifted, tol=1e-9, allow_refusals=True)
        obs, r, term, trunc, info = env.step(a)
        assert not (term | trunc).any()  # 50 steps fit in the 60-month episodes
        for key, v in info.items():
            if not key.startswith("_") and v.dtype.kind == "f":
                assert np.all(np.isfinite(v)), key
        assert np.all(np.isfinite(obs)) and np.all(np.isfinite(r))
        assert spec.is_feasible(info["target_weights"], tol=1e-12).all()
        # executed = drifted + fill * (target - drifted) lies on a segment of a convex set
        full = info["fill_ratio"] == 1.0
        executed = info["executed_weights"]
        relaxed = spec.is_feasible(executed, tol=1e-9, allow_refusals=True)
        assert relaxed[start_relaxed | full].all()
        if not limited:
            assert spec.is_feasible(executed, tol=1e-9)[start_strict | full].all()
        for key in ("cost_proportional", "cost_internal", "cost_impact", "turnover"):
            assert np.all(info[key] >= 0.0), key
        if cfg.max_turnover is not None:
            assert np.all(info["turnover"] <= cfg.max_turnover * (1 + 1e-12))
        wealth = wealth * (1.0 + info["net_return"])
        np.testing.assert_allclose(info["wealth"], wealth, rtol=1e-12)
        drifted = info["drifted_weights"]


def _run(mode, params, extra, seed, french_panel):
    cfg = EnvConfig(action_mode=mode, episode_length=60, **params, **extra)
    rng = np.random.default_rng(seed)
    _check_map(ActionSpec.from_config(cfg, N_ASSETS), _actions(rng, 1000))
    _check_env(french_panel, cfg, _actions(rng, 1000), seed)


@SETTINGS
@given(params=mode_params["long_only"], extra=common, seed=st.integers(0, 2**32 - 1))
def test_long_only_properties(french_panel, params, extra, seed):
    _run("long_only", params, extra, seed, french_panel)


@SETTINGS
@given(params=mode_params["long_short"], extra=common, seed=st.integers(0, 2**32 - 1))
def test_long_short_properties(french_panel, params, extra, seed):
    _run("long_short", params, extra, seed, french_panel)


@SETTINGS
@given(params=mode_params["tilt"], extra=common, seed=st.integers(0, 2**32 - 1))
def test_tilt_properties(french_panel, params, extra, seed):
    _run("tilt", params, extra, seed, french_panel)


@pytest.mark.parametrize("mode", ["long_only", "long_short", "tilt"])
def test_single_env_wealth_is_the_product_of_net_returns(french_small, mode):
    env = FactorTimingEnv(
        french_small, config=EnvConfig(action_mode=mode, episode_length=None, random_start=False)
    )
    env.reset()
    rng = np.random.default_rng(0)
    growth = 1.0
    done = False
    while not done:
        _, r, term, trunc, info = env.step(rng.uniform(-1.2, 1.2, 4))
        growth *= 1.0 + info["net_return"]
        assert info["wealth"] == pytest.approx(growth, rel=1e-12)
        assert np.isfinite(r)
        done = term or trunc
