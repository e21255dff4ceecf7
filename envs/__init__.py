"""The factor-timing environment: FactorTimingEnv, costs, impact, capacity, rewards, batched env.

``__all__`` is what a user calls: the two envs and their config, the ``TargetWeights`` wrapper,
the read-only ``MarketHistory`` view, the cost model and action spec, the reward strategies, the
pure maths functions (the env's own compiled formulas) and the name constants. Helpers live in
their modules (``factorgym.envs.market_data``, ``.observation``, ``.cost_presets``,
``.transition``, ``.kernel``, ...).
"""

from __future__ import annotations

if __name__ != "factorgym.envs":  # envs/ is not a package of its own
    raise ImportError(f"import factorgym.envs, not {__name__} (one import path per module)")

from factorgym.envs.accounting import drawdown, drift_weights, grow_wealth, portfolio_return
from factorgym.envs.action_maps import (
    ActionSpec,
    long_only_action,
    long_only_weights,
    long_short_action,
    long_short_weights,
    tilt_action,
    tilt_weights,
)
from factorgym.envs.batched_env import BatchedFactorTimingEnv
from factorgym.envs.config import ACTION_MODES, COST_PRESETS, OBSERVATION_BLOCKS, EnvConfig
from factorgym.envs.cost_presets import PRESET_TABLES
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
from factorgym.envs.wrappers import TargetWeights
from factorgym.errors import InvalidActionError

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
    "EnvConfig",
    "EnvSpec",
    "ExcessLogReturn",
    "FactorTimingEnv",
    "InvalidActionError",
    "LogReturn",
    "MarketHistory",
    "MeanVariance",
    "RewardStrategy",
    "TargetWeights",
    "break_even_aum",
    "capacity_fill",
    "drawdown",
    "drift_weights",
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
    "proportional_cost",
    "rebalance_cost",
    "tilt_action",
    "tilt_weights",
]
