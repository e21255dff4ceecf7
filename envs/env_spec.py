"""`EnvSpec`: everything needed to build the same env again — the env factory of the harness.

An experiment hands every allocator env factories for its fold's windows (train, validation,
test). A factory must be able to build a single env for a rollout and a batched env for RL
training over *the same* data, features and configuration, so it is a small frozen record of
those three things rather than a bare callable: ``spec()`` builds a :class:`FactorTimingEnv`,
``spec.batched(num_envs)`` a :class:`BatchedFactorTimingEnv`, and ``spec.replace(...)`` a copy
with some config fields changed (e.g. the window or the observation normaliser's training window).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from gymnasium.vector import AutoresetMode

from factorgym.envs.batched_env import BatchedFactorTimingEnv
from factorgym.envs.config import EnvConfig
from factorgym.envs.factor_timing_env import FactorTimingEnv
from factorgym.errors import ConfigError
from factorgym.panel import FactorPanel

__all__ = ["EnvSpec"]


@dataclass(frozen=True, eq=False)
class EnvSpec:
    """Panel, feature frames and config of an env; calling it builds the env.

    Parameters
    ----------
    panel : FactorPanel
        The data (all months; the config's ``window`` selects the months earned).
    features : mapping of str to DataFrame
        Point-in-time feature blocks aligned on the panel's months (may be empty).
    config : EnvConfig
        The env's configuration.
    """

    panel: FactorPanel
    features: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    config: EnvConfig = field(default_factory=EnvConfig)

    def __post_init__(self) -> None:
        if not isinstance(self.panel, FactorPanel):
            raise ConfigError(f"`panel` must be a FactorPanel, got {type(self.panel).__name__}")
        if not isinstance(self.config, EnvConfig):
            raise ConfigError(f"`config` must be an EnvConfig, got {type(self.config).__name__}")
        if not isinstance(self.features, Mapping):
            raise ConfigError(
                f"`features` must be a mapping of block name to DataFrame, "
                f"got {type(self.features).__name__}"
            )
        object.__setattr__(self, "features", dict(self.features))

    def __call__(self) -> FactorTimingEnv:
        """A new single env."""
        return FactorTimingEnv(self.panel, features=self.features or None, config=self.config)

    def batched(
        self, num_envs: int, *, autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP
    ) -> BatchedFactorTimingEnv:
        """A new batched env of ``num_envs`` portfolios over the same data and config."""
        return BatchedFactorTimingEnv(
            self.panel,
            num_envs=num_envs,
            features=self.features or None,
            config=self.config,
            autoreset_mode=autoreset_mode,
        )

    def replace(self, **config_changes: Any) -> EnvSpec:
        """The same spec with some config fields changed (validated)."""
        return EnvSpec(self.panel, self.features, self.config.replace(**config_changes))

    def __repr__(self) -> str:
        blocks = ", ".join(f"{k}: {v.shape[1]} cols" for k, v in self.features.items())
        return (
            f"EnvSpec(panel={self.panel!r}, features={{{blocks}}}, window={self.config.window}, "
            f"costs={self.config.costs!r})"
        )
