"""Gymnasium registration of factorgym's environments (string entry points, no env import)."""

from __future__ import annotations

import gymnasium as gym

__all__ = ["ENV_IDS", "register_envs"]

#: Registered ids; bump the version when dynamics, reward or observation change.
ENV_IDS = ("factorgym/FactorTiming-v0", "factorgym/FactorTimingETF-v0")

_ENTRY_POINT = "factorgym.envs.factor_timing_env:FactorTimingEnv"
_VECTOR_ENTRY_POINT = "factorgym.envs.batched_env:BatchedFactorTimingEnv"
_KWARGS: dict[str, dict[str, object]] = {
    # Embedded Ken French factors (MktRF, SMB, HML, Mom), 1949-01..2017-03, central costs.
    "factorgym/FactorTiming-v0": {},
    # Embedded iShares factor ETFs (MTUM, QUAL, SIZE, USMV, VLUE), 2014-02..2022-11: 93 months
    # can be earned after the 12-month lookback, so episodes are 48 months long.
    "factorgym/FactorTimingETF-v0": {"panel": "etf", "config": {"episode_length": 48}},
}


def register_envs() -> None:
    """Register every factorgym env id with Gymnasium (idempotent).

    ``order_enforce=False``: the env itself raises ``ResetNeeded`` on a step before reset, so
    Gymnasium's ``OrderEnforcing`` wrapper would only add a call per step; ``gym.make`` then
    returns the env unwrapped. ``disable_env_checker=True``: the checkers run in the tests, and
    the passive checker would cost time on every step.
    """
    for env_id in ENV_IDS:
        if env_id not in gym.registry:
            gym.register(
                id=env_id,
                entry_point=_ENTRY_POINT,
                vector_entry_point=_VECTOR_ENTRY_POINT,
                disable_env_checker=True,
                order_enforce=False,
                kwargs=_KWARGS[env_id],
            )
