"""Dynamics.step is pure, and a row of a batch is the same portfolio stepped alone, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from factorgym.envs import EnvConfig, FactorTimingEnv, InvalidActionError
from factorgym.envs import kernel as K


def _batch(dyn, n_envs, rng):
    actions = rng.uniform(-1.2, 1.2, (n_envs, 4))
    drifted = rng.uniform(-0.5, 0.5, (n_envs, 4))
    t = rng.integers(20, 100, n_envs).astype(np.int64)
    _, book, custom = dyn.initial_state(n_envs)
    book[K.B_WEALTH] = rng.uniform(0.8, 1.3, n_envs)
    book[K.B_PEAK] = np.maximum(book[K.B_WEALTH], rng.uniform(0.8, 1.3, n_envs))
    return actions, t, drifted, book, custom


@pytest.mark.parametrize(
    "cfg",
    [
        EnvConfig(action_mode="long_short", aum=1e11, reward="differential_sharpe"),
        EnvConfig(action_mode="tilt", max_turnover=0.3, no_trade_band=0.02, reward="mean_variance",
                  max_position_notional=3e7, drawdown_penalty=0.3, turnover_penalty=0.01),
    ],
    ids=["capacity-dsr", "limits-mv"],
)  # fmt: skip
def test_step_is_pure_and_rows_are_independent(french_small, cfg):
    dyn = FactorTimingEnv(french_small, config=cfg).dynamics
    rng = np.random.default_rng(0)
    actions, t, drifted, book, custom = _batch(dyn, 9, rng)
    before = [x.copy() for x in (actions, t, drifted, book)]
    weights, scalars, book1, obs, _ = dyn.step(actions, t, drifted, book, custom, name="actions")
    for x, c in zip((actions, t, drifted, book), before, strict=True):
        np.testing.assert_array_equal(x, c)  # the inputs are never written
    assert weights.shape == (K.N_WEIGHTS, 9, 4) and scalars.shape == (K.N_SCALARS, 9)
    for i in range(9):  # each row alone gives the same bits
        w1, s1, b1, o1, _ = dyn.step(
            actions[i : i + 1], t[i : i + 1], drifted[i : i + 1],
            np.ascontiguousarray(book[:, i : i + 1]), custom, name="action",
        )  # fmt: skip
        np.testing.assert_array_equal(w1[:, 0], weights[:, i])
        np.testing.assert_array_equal(s1[:, 0], scalars[:, i])
        np.testing.assert_array_equal(o1[0], obs[i])
        np.testing.assert_array_equal(b1[:, 0], book1[:, i])
    # the next book is the outputs' wealth and peak
    np.testing.assert_array_equal(book1[K.B_WEALTH], scalars[K.S_WEALTH])
    assert all(scalars[k].flags.c_contiguous for k in range(K.N_SCALARS))
    assert all(weights[k].flags.c_contiguous for k in range(K.N_WEIGHTS))
    np.testing.assert_array_equal(weights[K.W_STATE], weights[K.W_DRIFTED])
    np.testing.assert_array_equal(obs, dyn.market.observe(t + 1, weights[K.W_DRIFTED]))
    assert not np.shares_memory(weights[K.W_STATE], weights[K.W_DRIFTED])
    if cfg.aum == 1e11:
        assert scalars[K.S_FILL].min() < 1.0  # the capacity cut was exercised


def test_step_refuses_non_finite_actions_before_computing(french_small):
    dyn = FactorTimingEnv(french_small).dynamics
    actions, t, drifted, book, custom = _batch(dyn, 3, np.random.default_rng(1))
    actions[2, 1] = np.inf
    with pytest.raises(InvalidActionError, match=r"`actions` must be finite .* \(env 2\)"):
        dyn.step(actions, t, drifted, book, custom, name="actions")


def test_kernel_layout_matches_info_keys():
    from factorgym.envs.info import STEP_KEYS

    assert K.SCALAR_ROWS[K.S_WEALTH] == "wealth" and K.SCALAR_ROWS[K.S_FILL] == "fill_ratio"
    assert K.WEIGHT_SLABS[K.W_CUT_NOTIONAL] == "trade_cut_notional"
    assert len(K.SCALAR_ROWS) == K.N_SCALARS and len(K.WEIGHT_SLABS) == K.N_WEIGHTS
    assert len(STEP_KEYS) == 21 and len(set(STEP_KEYS)) == 21
