"""RL agents and classical baseline allocators behind one Allocator protocol.

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
