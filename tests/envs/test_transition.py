"""Dynamics.step is pure: it never mutates its inputs, and one row equals the batch row."""

from __future__ import annotations

import numpy as np

from factorgym.envs import EnvConfig, FactorTimingEnv


def test_step_does_not_mutate_inputs_and_rows_match(french_small):
    env = FactorTimingEnv(
        french_small,
        config=EnvConfig(action_mode="long_short", aum=1e11, reward="differential_sharpe"),
    )
    dyn = env.dynamics
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, (5, 4))
    drifted = rng.uniform(-0.5, 0.5, (5, 4))
    t = np.array([20, 30, 40, 50, 60])
    wealth = np.array([1.0, 1.2, 0.9, 1.1, 1.0])
    peak = np.array([1.0, 1.3, 1.0, 1.1, 1.2])
    state = tuple(np.full(5, v) for v in dyn.reward.initial_state())
    copies = [x.copy() for x in (actions, drifted, t, wealth, peak)]
    batch = dyn.step(actions, t, drifted, wealth, peak, state)
    for x, c in zip((actions, drifted, t, wealth, peak), copies, strict=True):
        np.testing.assert_array_equal(x, c)
    for i in range(5):
        one = dyn.step(
            actions[i],
            int(t[i]),
            drifted[i],
            float(wealth[i]),
            float(peak[i]),
            dyn.reward.initial_state(),
        )
        for field in one._fields:
            a, b = getattr(one, field), getattr(batch, field)
            if field == "reward_state":
                np.testing.assert_allclose([s[i] for s in b], a, rtol=1e-13)
            else:
                np.testing.assert_allclose(
                    np.asarray(b)[i] if np.ndim(b) else b, a, rtol=1e-13, atol=1e-15, err_msg=field
                )
    assert batch.fill.min() < 1.0  # the capacity cut was exercised
