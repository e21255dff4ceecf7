"""A user's RewardStrategy runs in both envs; malformed actions raise InvalidActionError."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

import factorgym
from factorgym.envs import (
    BatchedFactorTimingEnv,
    EnvConfig,
    FactorTimingEnv,
    InvalidActionError,
    LogReturn,
    RewardStrategy,
)
from factorgym.errors import FactorGymError


@dataclass(frozen=True)
class CountingExcess(RewardStrategy):
    """100 x the log return over the benchmark, plus the number of months already stepped."""

    name: ClassVar[str] = "counting_excess"
    needs_benchmark: ClassVar[bool] = True

    def initial_state(self) -> tuple[float, ...]:
        return (0.0,)

    def __call__(self, log_growth, excess_return, benchmark_log_growth, risk, state):
        (count,) = state
        return 100.0 * (log_growth - benchmark_log_growth) + count, (count + 1.0,)


class DoubledLog(LogReturn):
    """A subclass of a built-in strategy overriding __call__: runs in Python, not the kernel."""

    def __call__(self, log_growth, excess_return, benchmark_log_growth, risk, state):
        return 2.0 * log_growth, state


def _run_single(panel, cfg, actions, start):
    env = FactorTimingEnv(panel, config=cfg)
    env.reset(options={"start": start})
    return [env.step(a) for a in actions]


@pytest.mark.parametrize("strategy", [CountingExcess(), DoubledLog()], ids=lambda s: s.name)
def test_custom_strategy_in_both_envs(french_small, strategy):
    cfg = EnvConfig(reward=strategy, turnover_penalty=0.01, episode_length=6, random_start=False)
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, (14, 3, 4))
    batched = BatchedFactorTimingEnv(french_small, num_envs=3, config=cfg)
    starts = ["1992-01", "1994-06", "1996-03"]
    batched.reset(options={"start": starts})
    out = [batched.step(a) for a in actions]
    assert batched.dynamics.custom_reward is strategy
    for i, start in enumerate(starts):
        singles = _run_single(french_small, cfg, actions[:6, i], start)
        for k, (_, r, _, trunc, info) in enumerate(singles):
            _, rewards, _, b_trunc, b_info = out[k]
            assert r == rewards[i] and trunc == b_trunc[i]
            base = np.log1p(info["net_return"])
            if isinstance(strategy, CountingExcess):
                expected = 100.0 * (base - np.log1p(info["benchmark_return"])) + k
            else:
                expected = 2.0 * base
            assert r == pytest.approx(expected - 0.01 * info["turnover"], rel=1e-12, abs=1e-14)
    # NEXT_STEP autoreset at step 6, then a new episode whose count starts again at 0
    assert out[5][3].all() and not out[6][1].any()
    _, r7, _, _, i7 = out[7]
    excess = np.log1p(i7["net_return"]) - np.log1p(i7["benchmark_return"])
    if isinstance(strategy, CountingExcess):
        np.testing.assert_allclose(r7, 100.0 * excess - 0.01 * i7["turnover"], rtol=1e-12)


BAD_ACTIONS = [
    (["a", "b", "c", "d"], r"must be an array of numbers of shape \(4,\), got \['a', 'b'"),
    ({"w": 1}, r"must be an array of numbers of shape \(4,\), got \{'w': 1\}"),
    (None, r"must have shape \(4,\), got \(\) \(value None\)"),
    (np.zeros(3), r"must have shape \(4,\), got \(3,\)"),
    (np.zeros((1, 4)), r"must have shape \(4,\), got \(1, 4\)"),
    ([0.0, np.nan, 0.0, 0.0], r"must be finite \(no NaN or inf\), got \[0.0, nan, 0.0, 0.0\]"),
    ([0.0, 0.0, -np.inf, 0.0], r"must be finite \(no NaN or inf\), got \[0.0, 0.0, -inf, 0.0\]"),
]


@pytest.mark.parametrize("action,message", BAD_ACTIONS, ids=range(len(BAD_ACTIONS)))
def test_bad_actions_raise_in_the_single_env(french_small, action, message):
    env = FactorTimingEnv(french_small)
    env.reset(seed=0)
    with pytest.raises(InvalidActionError, match=r"^`action` " + message):
        env.step(action)
    _, _, _, _, info = env.step(np.zeros(4))  # the failed step changed nothing
    assert info["decision_date"] == env.reset(seed=0)[1]["date"]


BAD_BATCHES = [
    ([["a", "b", "c", "d"]] * 2, r"must be an array of numbers of shape \(2, 4\), got"),
    ({"w": 1}, r"must be an array of numbers of shape \(2, 4\), got \{'w': 1\}"),
    (None, r"must have shape \(2, 4\), got \(\) \(value None\)"),
    (np.zeros(4), r"must have shape \(2, 4\), got \(4,\)"),
    ([[0, 0, 0, 0], [0, 0, np.nan, 0]], r"must be finite \(no NaN or inf\), got \[0.0, 0.0, nan"),
    (
        [[np.inf, 0, 0, 0], [0, 0, 0, 0]],
        r"must be finite \(no NaN or inf\), got \[inf, .*\(env 0\)",
    ),
]


@pytest.mark.parametrize("actions,message", BAD_BATCHES, ids=range(len(BAD_BATCHES)))
def test_bad_actions_raise_in_the_batched_env(french_small, actions, message):
    env = BatchedFactorTimingEnv(french_small, num_envs=2)
    env.reset(seed=0)
    t_before = env._t.copy()
    with pytest.raises(InvalidActionError, match=r"^`actions` " + message):
        env.step(actions)
    np.testing.assert_array_equal(env._t, t_before)


def test_invalid_action_error_is_a_typed_value_error():
    assert factorgym.InvalidActionError is InvalidActionError
    assert issubclass(InvalidActionError, FactorGymError) and issubclass(
        InvalidActionError, ValueError
    )
