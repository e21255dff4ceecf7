"""Allocators by name: the baselines of the literature and the RL agents, one factory.

``make_allocator("dgu_tangency", window=60)`` builds a baseline; ``make_allocator("ppo",
n_seeds=3)`` an :class:`~factorgym.agents.SB3Allocator` (imported only then: baselines never
import torch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from factorgym.agents.base import BaseAllocator
from factorgym.agents.factor_momentum import CrossSectionalMomentum, TimeSeriesMomentum
from factorgym.agents.forecast_tilt import ForecastTilt
from factorgym.agents.oracles import HindsightOracle
from factorgym.agents.regime_rules import RegimeStateAllocation, RegimeSwitch
from factorgym.agents.risk_parity import EqualRiskContribution, InverseVolatility
from factorgym.agents.sample_based import MeanVarianceShrinkage, MinimumVarianceLW, SampleTangency
from factorgym.agents.static_rules import BuyAndHold, EqualWeight
from factorgym.agents.volatility_managed import VolatilityManaged, VolatilityTarget
from factorgym.errors import ConfigError

__all__ = ["BASELINES", "RL_AGENTS", "make_allocator"]


def _long_only(cls: type[BaseAllocator]) -> Callable[..., BaseAllocator]:
    def build(**params: Any) -> BaseAllocator:
        return cls(long_only=True, **params)  # type: ignore[call-arg]

    return build


#: Baseline name -> factory (keyword parameters of the class).
BASELINES: dict[str, Callable[..., BaseAllocator]] = {
    "equal_weight": EqualWeight,
    "buy_and_hold": BuyAndHold,
    "inverse_volatility": InverseVolatility,
    "equal_risk_contribution": EqualRiskContribution,
    "dgu_tangency": SampleTangency,
    "dgu_minimum_variance_lw": MinimumVarianceLW,
    "dgu_mean_variance_shrinkage": MeanVarianceShrinkage,
    "volatility_managed": VolatilityManaged,
    "volatility_target": VolatilityTarget,
    "ts_factor_momentum": TimeSeriesMomentum,
    "ts_factor_momentum_long_only": _long_only(TimeSeriesMomentum),
    "xs_factor_momentum": CrossSectionalMomentum,
    "xs_factor_momentum_long_only": _long_only(CrossSectionalMomentum),
    "regime_switch": RegimeSwitch,
    "regime_state_allocation": RegimeStateAllocation,
    "forecast_tilt": ForecastTilt,
    "hindsight_oracle": HindsightOracle,
}

#: RL agent names (stable-baselines3 / sb3-contrib algorithms).
RL_AGENTS = ("ppo", "a2c", "sac", "td3", "ddpg", "recurrent_ppo")


def make_allocator(name: str, **params: Any) -> BaseAllocator:
    """A baseline of :data:`BASELINES` or an RL agent of :data:`RL_AGENTS`, by name.

    Raises
    ------
    ConfigError
        For an unknown name (or, from the class, a bad parameter).
    """
    if name in BASELINES:
        return BASELINES[name](**params)
    if name in RL_AGENTS:
        from factorgym.agents.sb3_agent import SB3Allocator

        return SB3Allocator(name, **params)
    raise ConfigError(f"`name` must be one of {sorted(BASELINES) + list(RL_AGENTS)}, got {name!r}")
