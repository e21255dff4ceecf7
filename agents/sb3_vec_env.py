"""`SB3VecEnv`: stable-baselines3's ``VecEnv`` interface over `BatchedFactorTimingEnv`.

It lives in ``agents/`` because it imports an RL library: ``factorgym.envs`` knows nothing of
agents. ``factorgym.agents`` imports it lazily, on first access to ``SB3VecEnv`` or
``make_sb3_vec_env``.

SB3 expects same-step autoreset: when env ``i`` ends, ``step_wait`` returns the first
observation of its next episode and puts the last one in ``infos[i]["terminal_observation"]``,
with ``infos[i]["TimeLimit.truncated"]`` true for truncation (so that SB3 bootstraps the value
on truncation only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
import pandas as pd
from gymnasium.vector import AutoresetMode
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices, VecEnvStepReturn

from factorgym.envs.batched_env import BatchedFactorTimingEnv
from factorgym.envs.config import EnvConfig
from factorgym.errors import ConfigError
from factorgym.panel import FactorPanel

__all__ = ["SB3VecEnv", "make_sb3_vec_env"]


class SB3VecEnv(VecEnv):
    """Adapter: a :class:`BatchedFactorTimingEnv` (``SAME_STEP`` autoreset) as an SB3 ``VecEnv``.

    Parameters
    ----------
    env : BatchedFactorTimingEnv
        Must use ``autoreset_mode=AutoresetMode.SAME_STEP``.

    Notes
    -----
    One random generator serves all envs: ``seed(s)`` seeds the batched env with ``s`` at the
    next ``reset``. ``infos`` are empty dicts except for the envs whose episode just ended.
    ``get_attr``/``env_method`` act on the one batched env and repeat the answer per index.
    """

    def __init__(self, env: BatchedFactorTimingEnv) -> None:
        if not isinstance(env, BatchedFactorTimingEnv):
            raise ConfigError(f"`env` must be a BatchedFactorTimingEnv, got {type(env).__name__}")
        if env.autoreset_mode is not AutoresetMode.SAME_STEP:
            raise ConfigError(
                "`env` must use autoreset_mode=AutoresetMode.SAME_STEP for stable-baselines3, "
                f"got {env.autoreset_mode}"
            )
        self.env = env
        self._actions: np.ndarray | None = None
        super().__init__(env.num_envs, env.single_observation_space, env.single_action_space)

    def reset(self) -> np.ndarray:
        """Reset every env (seeded by the last :meth:`seed` call, if any)."""
        seed = self._seeds[0]
        options = self._options[0] or None
        obs, _ = self.env.reset(seed=seed, options=options)
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        """Store the actions for :meth:`step_wait`."""
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        """Step all envs; SB3's ``(obs, rewards, dones, infos)``."""
        assert self._actions is not None, "step_async must be called before step_wait"
        obs, rewards, terminated, truncated, info = self.env.step(self._actions)
        dones = terminated | truncated
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        if dones.any():
            final = info["final_obs"]
            for i in np.flatnonzero(dones):
                infos[i]["terminal_observation"] = final[i]
                infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
                infos[i]["episode_wealth"] = float(info["wealth"][i])
        return obs, rewards.astype(np.float32), dones, infos

    def close(self) -> None:
        """Close the batched env."""
        self.env.close()

    def _indices(self, indices: VecEnvIndices) -> list[int]:
        return list(self._get_indices(indices))

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        """The batched env's attribute, once per index."""
        value = getattr(self.env, attr_name)
        return [value for _ in self._indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        """Set an attribute of the (one) batched env."""
        setattr(self.env, attr_name, value)

    def env_method(
        self,
        method_name: str,
        *method_args: Any,
        indices: VecEnvIndices = None,
        **method_kwargs: Any,
    ) -> list[Any]:
        """Call a method of the batched env once; its result is repeated per index."""
        result = getattr(self.env, method_name)(*method_args, **method_kwargs)
        return [result for _ in self._indices(indices)]

    def env_is_wrapped(
        self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None
    ) -> list[bool]:
        """No sub-env is wrapped."""
        return [False for _ in self._indices(indices)]

    def get_images(self) -> Sequence[np.ndarray | None]:
        """No image rendering."""
        return [None for _ in range(self.num_envs)]


def make_sb3_vec_env(
    panel: FactorPanel | str | None = None,
    *,
    num_envs: int = 8,
    features: Mapping[str, pd.DataFrame] | pd.DataFrame | None = None,
    config: EnvConfig | Mapping[str, Any] | None = None,
    seed: int | None = None,
) -> SB3VecEnv:
    """A batched env with same-step autoreset, wrapped for stable-baselines3.

    Parameters
    ----------
    panel, features, config
        As for :class:`BatchedFactorTimingEnv`.
    num_envs : int
        Portfolios stepped together.
    seed : int, optional
        Seed of the first reset.
    """
    env = BatchedFactorTimingEnv(
        panel,
        num_envs=num_envs,
        features=features,
        config=config,
        autoreset_mode=AutoresetMode.SAME_STEP,
    )
    vec = SB3VecEnv(env)
    if seed is not None:
        vec.seed(seed)
    return vec
