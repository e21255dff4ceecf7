"""TargetWeights: allocators hand weights to the env and share its accounting."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from factorgym.envs import EnvConfig, FactorTimingEnv, InvalidActionError, TargetWeights

CONFIGS = [
    EnvConfig(random_start=False),
    EnvConfig(random_start=False, allow_cash=False),
    EnvConfig(random_start=False, action_mode="long_short", max_weight=0.8, max_gross=1.5),
    EnvConfig(random_start=False, action_mode="tilt", max_deviation=0.2),
]


def _feasible(spec, rng):
    if spec.mode == "long_only":
        w = rng.dirichlet(np.ones(4))
        return w if not spec.allow_cash else w * rng.uniform(0.5, 1.0)
    if spec.mode == "long_short":
        w = rng.uniform(-0.8, 0.8, 4)
        return w * min(1.0, 1.5 / np.abs(w).sum())
    x = rng.uniform(-0.2, 0.2, 4)
    return spec.benchmark + (x - x.mean()) * 0.5


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c.action_mode}-cash{c.allow_cash}")
def test_weights_pass_through_with_the_same_accounting(french_small, cfg):
    wrapped = TargetWeights(FactorTimingEnv(french_small, config=cfg))
    plain = FactorTimingEnv(french_small, config=cfg)
    spec = plain.action_spec
    wrapped.reset()
    plain.reset()
    rng = np.random.default_rng(0)
    for _ in range(24):
        w = _feasible(spec, rng)
        _, r1, *_, i1 = wrapped.step(w)
        _, r2, *_, i2 = plain.step(spec.to_action(w))
        np.testing.assert_allclose(i1["target_weights"], w, atol=1e-15)
        assert r1 == r2 and i1["wealth"] == i2["wealth"]
        assert i1["cost_total"] > 0  # costs still apply


def test_infeasible_weights_raise(french_small):
    env = TargetWeights(FactorTimingEnv(french_small, config=EnvConfig(allow_cash=False)))
    env.reset(seed=0)
    with pytest.raises(InvalidActionError, match="infeasible for action_mode='long_only': sum"):
        env.step(np.array([0.5, 0.6, 0.0, 0.0]))
    with pytest.raises(InvalidActionError, match="w\\[2\\] = -0.1 is below its bound 0"):
        env.step(np.array([0.6, 0.5, -0.1, 0.0]))
    with pytest.raises(InvalidActionError, match="shape must be \\(4,\\)"):
        env.step(np.array([1.0]))
    ls = TargetWeights(
        FactorTimingEnv(french_small, config=EnvConfig(action_mode="long_short", max_gross=1.0))
    )
    ls.reset(seed=0)
    with pytest.raises(InvalidActionError, match="gross leverage 1.5 exceeds max_gross 1"):
        ls.step(np.array([0.5, -0.5, 0.5, 0.0]))


def test_action_space_and_make(french_small):
    env = TargetWeights(
        gym.make(
            "factorgym/FactorTiming-v0", config={"action_mode": "long_short", "max_weight": 0.5}
        )
    )
    assert env.action_space == gym.spaces.Box(-0.5, 0.5, (4,), np.float64)
    env.reset(seed=0)
    _, _, _, _, info = env.step(np.array([0.5, -0.5, 0.25, 0.0]))
    np.testing.assert_allclose(info["executed_weights"], [0.5, -0.5, 0.25, 0.0], atol=1e-15)
    with pytest.raises(TypeError, match="TargetWeights needs a FactorTimingEnv"):
        TargetWeights(gym.make("CartPole-v1"))
