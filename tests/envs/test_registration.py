"""Registered ids: string entry points, idempotent registration, no per-step wrappers."""

from __future__ import annotations

import gymnasium as gym

import factorgym
from factorgym.registration import register_envs


def test_ids_are_registered_with_string_entry_points():
    assert factorgym.ENV_IDS == ("factorgym/FactorTiming-v0", "factorgym/FactorTimingETF-v0")
    for env_id in factorgym.ENV_IDS:
        spec = gym.spec(env_id)
        assert spec.entry_point == "factorgym.envs.factor_timing_env:FactorTimingEnv"
        assert spec.vector_entry_point == "factorgym.envs.batched_env:BatchedFactorTimingEnv"
        assert spec.order_enforce is False and spec.disable_env_checker is True


def test_registration_is_idempotent():
    before = len(gym.registry)
    register_envs()
    register_envs()
    assert len(gym.registry) == before
