"""The factor-timing environment: FactorTimingEnv, costs, impact, capacity, rewards, batched env."""

from __future__ import annotations

if __name__ != "factorgym.envs":  # envs/ is not a package of its own
    raise ImportError(f"import factorgym.envs, not {__name__} (one import path per module)")

from factorgym.envs.accounting import drawdown, drift_weights, grow_wealth, portfolio_return
from factorgym.envs.action_maps import (
    ActionSpec,
    InvalidActionError,
    long_only_action,
    long_only_weights,
    long_short_action,
    long_short_weights,
    tilt_action,
    tilt_weights,
)
from factorgym.envs.batched_env import BatchedFactorTimingEnv
from factorgym.envs.config import ACTION_MODES, COST_PRESETS, OBSERVATION_BLOCKS, EnvConfig
from factorgym.envs.cost_presets import PRESET_TABLES, asset_class, preset_row, resolve_cost_model
from factorgym.envs.costs import (
    BPS,
    CostModel,
    internal_cost,
    proportional_cost,
    rebalance_cost,
)
from factorgym.envs.env_spec import EnvSpec
from factorgym.envs.factor_timing_env import FactorTimingEnv
from factorgym.envs.history import MarketHistory
from factorgym.envs.impact import (
    break_even_aum,
    capacity_fill,
    impact_cost,
    impact_rate,
    participation,
)
from factorgym.envs.market_data import MarketData, build_market_data
from factorgym.envs.observation import (
    ObservationNormalizer,
    fit_normalizer,
)
from factorgym.envs.rewards import (
    REWARD_NAMES,
    DifferentialSharpe,
    ExcessLogReturn,
    LogReturn,
    MeanVariance,
    RewardStrategy,
    make_reward,
    penalized,
)
from factorgym.envs.transition import Dynamics, Transition
from factorgym.envs.wrappers import TargetWeights

__all__ = [
    "ACTION_MODES",
    "BPS",
    "COST_PRESETS",
    "OBSERVATION_BLOCKS",
    "PRESET_TABLES",
    "REWARD_NAMES",
    "ActionSpec",
    "BatchedFactorTimingEnv",
    "CostModel",
    "DifferentialSharpe",
    "Dynamics",
    "EnvConfig",
    "EnvSpec",
    "ExcessLogReturn",
    "FactorTimingEnv",
    "InvalidActionError",
    "LogReturn",
    "MarketData",
    "MarketHistory",
    "MeanVariance",
    "ObservationNormalizer",
    "RewardStrategy",
    "TargetWeights",
    "Transition",
    "asset_class",
    "break_even_aum",
    "build_market_data",
    "capacity_fill",
    "drawdown",
    "drift_weights",
    "fit_normalizer",
    "grow_wealth",
    "impact_cost",
    "impact_rate",
    "internal_cost",
    "long_only_action",
    "long_only_weights",
    "long_short_action",
    "long_short_weights",
    "make_reward",
    "participation",
    "penalized",
    "portfolio_return",
    "preset_row",
    "proportional_cost",
    "rebalance_cost",
    "resolve_cost_model",
    "tilt_action",
    "tilt_weights",
]
