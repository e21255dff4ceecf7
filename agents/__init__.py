"""RL agents and classical baseline allocators behind one Allocator protocol.

Every allocator -- a baseline of the literature (:data:`BASELINES`), an RL agent
(:class:`SB3Allocator`, :data:`RL_AGENTS`) or any policy function (:class:`FunctionAllocator`) --
is fitted on a training :class:`~factorgym.envs.EnvSpec` and evaluated by :func:`run_allocator`
in one env built from the test spec, with the same costs, limits and months::

    import factorgym
    from factorgym.agents import SB3Allocator, make_allocator, run_allocator
    from factorgym.envs import EnvConfig, EnvSpec

    spec = EnvSpec(factorgym.load("french"), {}, EnvConfig(costs="central"))
    train = spec.replace(window=("1950-01", "1979-12"))
    val = spec.replace(window=("1980-01", "1989-12"))
    test = spec.replace(window=("1990-01", "2017-03"))
    for agent in (make_allocator("equal_weight"), SB3Allocator("ppo")):
        agent.fit(train, validation_env_factory=val, seed=0)
        print(agent.name, run_allocator(agent, test).summary()["sharpe"])

Baselines, the harness and the protocol import without torch; the stable-baselines3 pieces
(:class:`SB3Allocator`, :class:`SB3VecEnv`, :func:`make_sb3_vec_env`) are imported on first use.
"""

from __future__ import annotations

if __name__ != "factorgym.agents":  # agents/ is not a package of its own
    raise ImportError(f"import factorgym.agents, not {__name__} (one import path per module)")

from typing import Any

from factorgym.agents.base import Allocator, BaseAllocator, WeightBounds
from factorgym.agents.factor_momentum import CrossSectionalMomentum, TimeSeriesMomentum
from factorgym.agents.forecast_tilt import ForecastTilt
from factorgym.agents.function_allocator import FunctionAllocator
from factorgym.agents.oracles import HindsightOracle, RegimeOracle, state_indicator_frame
from factorgym.agents.regime_rules import RegimeStateAllocation, RegimeSwitch
from factorgym.agents.registry import BASELINES, RL_AGENTS, make_allocator
from factorgym.agents.risk_parity import EqualRiskContribution, InverseVolatility
from factorgym.agents.rollout import Rollout, run_allocator
from factorgym.agents.sample_based import MeanVarianceShrinkage, MinimumVarianceLW, SampleTangency
from factorgym.agents.static_rules import BuyAndHold, EqualWeight, StaticWeights
from factorgym.agents.volatility_managed import VolatilityManaged, VolatilityTarget

__all__ = [
    "BASELINES",
    "RL_AGENTS",
    "Allocator",
    "BaseAllocator",
    "BuyAndHold",
    "CrossSectionalMomentum",
    "EqualRiskContribution",
    "EqualWeight",
    "ForecastTilt",
    "FunctionAllocator",
    "HindsightOracle",
    "InverseVolatility",
    "MeanVarianceShrinkage",
    "MinimumVarianceLW",
    "RegimeOracle",
    "RegimeStateAllocation",
    "RegimeSwitch",
    "Rollout",
    "SB3Allocator",
    "SB3VecEnv",
    "SampleTangency",
    "StaticWeights",
    "TimeSeriesMomentum",
    "VolatilityManaged",
    "VolatilityTarget",
    "WeightBounds",
    "make_allocator",
    "make_sb3_vec_env",
    "run_allocator",
    "state_indicator_frame",
]

_LAZY = {
    "SB3VecEnv": "sb3_vec_env",
    "make_sb3_vec_env": "sb3_vec_env",
    "SB3Allocator": "sb3_agent",
}


def __getattr__(name: str) -> Any:
    """Import the stable-baselines3 pieces only when asked for (they import torch)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"factorgym.agents.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
