"""Gymnasium registration of factorgym's environments (string entry points, no env import)."""

from __future__ import annotations

import gymnasium as gym

__all__ = ["ENV_IDS", "register_envs"]

#: Registered ids; bump the version when dynamics, reward or observation change.
ENV_IDS = ("factorgym/FactorTiming-v0",)


def register_envs() -> None:
    """Register every factorgym env id with Gymnasium (idempotent)."""
    if "factorgym/FactorTiming-v0" not in gym.registry:
        gym.register(
            id="factorgym/FactorTiming-v0",
            entry_point="factorgym.envs.factor_timing_env:FactorTimingEnv",
            disable_env_checker=True,  # checked in tests; the passive checker costs per step
        )
