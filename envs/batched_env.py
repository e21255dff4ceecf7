"""`BatchedFactorTimingEnv`: N factor-timing envs stepped as array operations.

Not N sub-envs: one :class:`~factorgym.envs.transition.Dynamics` steps every portfolio at once
with weights of shape ``(num_envs, n_assets)``. :class:`~factorgym.envs.FactorTimingEnv` is the
same compiled kernel at ``num_envs = 1`` and builds its ``info`` with the same function, so the
two agree bit for bit for the same starts and actions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from gymnasium import spaces
from gymnasium.error import ResetNeeded
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from factorgym.envs import kernel
from factorgym.envs._views import DynamicsViews
from factorgym.envs.accounting import drawdown
from factorgym.envs.action_maps import as_actions
from factorgym.envs.config import EnvConfig
from factorgym.envs.episodes import check_options, parse_start_option, sample_starts, stop_rows
from factorgym.envs.factor_timing_env import (
    OBS_BOUND,
    build_dynamics,
    resolve_config,
    resolve_panel,
)
from factorgym.envs.info import STEP_KEYS, reset_info, step_info
from factorgym.errors import ConfigError
from factorgym.panel import FactorPanel

__all__ = ["BatchedFactorTimingEnv"]

#: Gymnasium's per-key masks of a step's info.
_MASK_KEYS = tuple("_" + key for key in STEP_KEYS)


class BatchedFactorTimingEnv(DynamicsViews, VectorEnv):
    """``num_envs`` copies of :class:`~factorgym.envs.FactorTimingEnv` in one set of arrays.

    Dynamics, costs, observation and reward are those of the single env (see its docstring);
    the spaces are the single env's batched: actions ``(num_envs, n_assets)`` in ``[-1, 1]``,
    observations ``(num_envs, n_obs)`` float32.

    Parameters
    ----------
    panel : FactorPanel, "french", "etf" or None
        Data (default: embedded French factors).
    num_envs : int
        Number of portfolios stepped together.
    features : DataFrame or mapping of str to DataFrame, optional
        Point-in-time feature frames.
    config : EnvConfig or mapping, optional
        As for the single env.
    autoreset_mode : AutoresetMode or str
        ``NEXT_STEP`` (Gymnasium's default: the step after an episode ends resets that env,
        ignoring its action, and returns its first observation with reward 0), ``SAME_STEP``
        (the ending step already returns the next episode's first observation; the last one is
        in ``info["final_obs"]``, masked by ``info["_final_obs"]``) or ``DISABLED`` (reset with
        ``reset(options={"reset_mask": mask})``).
    render_mode : None or "ansi"
        ``"ansi"``: :meth:`render` returns one line per env.

    Notes
    -----
    ``info`` holds arrays of shape ``(num_envs, ...)``: every key of the single env's info
    (:mod:`factorgym.envs.info`; ``date`` as ``datetime64[D]``), at a step and at a reset, plus
    Gymnasium's ``_key`` masks, which are False for envs that were reset rather than stepped
    (NEXT_STEP). ``reset(options={"start": m})`` takes one month or one per env. ``step`` raises
    :class:`~factorgym.errors.InvalidActionError` for actions that are not a
    ``(num_envs, n_assets)`` array of finite numbers.
    """

    metadata = {
        "render_modes": ["ansi"],
        "render_fps": 4,
        "autoreset_mode": AutoresetMode.NEXT_STEP,
    }

    def __init__(
        self,
        panel: FactorPanel | str | None = None,
        *,
        num_envs: int = 1,
        features: Mapping[str, pd.DataFrame] | pd.DataFrame | None = None,
        config: EnvConfig | Mapping[str, Any] | None = None,
        autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
        render_mode: str | None = None,
    ) -> None:
        if not isinstance(num_envs, int) or isinstance(num_envs, bool) or num_envs < 1:
            raise ConfigError(f"`num_envs` must be an int >= 1, got {num_envs!r}")
        try:
            mode = AutoresetMode(autoreset_mode)
        except ValueError as exc:
            raise ConfigError(
                f"`autoreset_mode` must be one of {[m.value for m in AutoresetMode]}, "
                f"got {autoreset_mode!r}"
            ) from exc
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(
                f"`render_mode` must be None or one of {self.metadata['render_modes']}, "
                f"got {render_mode!r}"
            )
        self.metadata = {**type(self).metadata, "autoreset_mode": mode}
        self.autoreset_mode = mode
        self.num_envs = num_envs
        self.render_mode = render_mode
        self.panel = resolve_panel(panel)
        self.config = resolve_config(config)
        self._dyn = build_dynamics(self.panel, features, self.config)
        market = self._dyn.market
        n = market.n_assets
        self._n = n
        self.single_action_space = spaces.Box(-1.0, 1.0, shape=(n,), dtype=np.float32)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self.single_observation_space = spaces.Box(
            -OBS_BOUND, OBS_BOUND, shape=(market.obs_dim,), dtype=np.float32
        )
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self._shape = (num_envs, n)
        self._t = np.full(num_envs, -1, dtype=np.int64)
        self._t_stop = np.full(num_envs, -1, dtype=np.int64)
        self._drifted, self._book, self._custom = self._dyn.initial_state(num_envs)
        self._prev_done = np.zeros(num_envs, dtype=bool)
        self._has_reset = False

    # ------------------------------------------------------------------ helpers
    def _reset_rows(self, mask: np.ndarray, starts: np.ndarray | None = None) -> None:
        """Start new episodes in the rows of ``mask`` (starts drawn from ``self.np_random``)."""
        k = int(mask.sum())
        if k == 0:
            return
        market = self._dyn.market
        if starts is None:
            starts = sample_starts(
                self.np_random,
                market.decision_range,
                self.config.episode_length,
                self.config.random_start,
                size=k,
            )
        self._t[mask] = starts
        self._t_stop[mask] = stop_rows(starts, market.decision_range, self.config.episode_length)
        self._dyn.reset_rows(mask, self._drifted, self._book, self._custom)
        self._prev_done[mask] = False

    def _parse_starts(self, value: Any, size: int) -> np.ndarray:
        dr = self._dyn.market.decision_range
        if isinstance(value, (str, pd.Period)) or not isinstance(value, Sequence):
            return np.full(size, parse_start_option(value, self.panel, dr), dtype=np.int64)
        if len(value) != size:
            raise ConfigError(
                f"`options['start']` must be one month or one per env reset ({size}), "
                f"got {len(value)}"
            )
        return np.array([parse_start_option(v, self.panel, dr) for v in value], dtype=np.int64)

    # ------------------------------------------------------------------ VectorEnv API
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset every env, or the rows of ``options["reset_mask"]``."""
        super().reset(seed=seed)
        opts = check_options(options)
        if "reset_mask" in opts and opts["reset_mask"] is not None:
            mask = np.asarray(opts["reset_mask"])
            if mask.shape != (self.num_envs,) or mask.dtype != np.bool_:
                raise ConfigError(
                    f"`options['reset_mask']` must be a bool array of shape ({self.num_envs},), "
                    f"got {mask.dtype} {mask.shape}"
                )
            if not self._has_reset and not mask.all():
                raise ConfigError("`options['reset_mask']` must be all True on the first reset")
        else:
            mask = np.ones(self.num_envs, dtype=bool)
        k = int(mask.sum())
        starts = None if opts.get("start") is None else self._parse_starts(opts["start"], k)
        self._reset_rows(mask, starts)
        self._has_reset = True
        market = self._dyn.market
        obs = market.observe(self._t, self._drifted)
        wealth, peak = self._book[kernel.B_WEALTH], self._book[kernel.B_PEAK]
        info = reset_info(
            market.dates64[self._t],
            wealth.copy(),
            drawdown(wealth, peak),
            self._drifted.copy(),
            market.dates64[self._t_stop],
        )
        return obs, info

    def step(
        self, actions: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step every env (see the class docstring for autoreset)."""
        if not self._has_reset:
            raise ResetNeeded("Cannot call step() before calling reset()")
        a = as_actions(actions, self._shape, "actions")
        market = self._dyn.market
        mode = self.autoreset_mode
        reset_now = None
        if mode is AutoresetMode.NEXT_STEP and self._prev_done.any():
            reset_now = self._prev_done.copy()
            self._reset_rows(reset_now)
            saved = (self._t[reset_now].copy(), self._drifted[reset_now].copy())
        elif mode is AutoresetMode.DISABLED and self._prev_done.any():
            raise ConfigError(
                "envs whose episode ended must be reset with options={'reset_mask': mask} "
                "before stepping (autoreset_mode=DISABLED)"
            )
        t = self._t
        weights, scalars, self._book, obs, self._custom = self._dyn.step(
            a, t, self._drifted, self._book, self._custom, name="actions"
        )
        n_envs = self.num_envs
        weights, scalars = weights[:, :n_envs], scalars[:, :n_envs]
        self._t = t1 = t + 1
        self._drifted = weights[kernel.W_STATE]
        terminated = scalars[kernel.S_TERMINATED] != 0.0
        truncated = t1 >= self._t_stop
        rewards = scalars[kernel.S_REWARD]
        info = step_info(
            market.dates64.take(t1),
            market.dates64.take(t),
            scalars,
            weights,
        )
        if reset_now is not None:
            # NEXT_STEP: these envs were reset, not stepped; undo their step.
            t0, w0 = saved
            self._t[reset_now] = t0
            self._dyn.reset_rows(reset_now, self._drifted, self._book, self._custom)
            self._drifted[reset_now] = w0
            rewards[reset_now] = 0.0
            terminated[reset_now] = False
            truncated[reset_now] = False
            obs[reset_now] = market.observe(t0, w0)
        done = terminated | truncated
        if mode is AutoresetMode.SAME_STEP and done.any():
            info["final_obs"] = obs.copy()
            info["_final_obs"] = done.copy()
            self._reset_rows(done)
            obs[done] = market.observe(self._t[done], self._drifted[done])
            self._prev_done = np.zeros(n_envs, dtype=bool)
        else:
            self._prev_done = done
        stepped = ~reset_now if reset_now is not None else np.ones(n_envs, dtype=bool)
        info.update(dict.fromkeys(_MASK_KEYS, stepped))
        return obs, rewards, terminated, truncated, info

    def render(self) -> tuple[str, ...] | None:
        """``"ansi"``: one line per env (month, wealth, weights)."""
        if self.render_mode != "ansi":
            return None
        months = self.panel.months
        lines = []
        for i in range(self.num_envs):
            if self._t[i] < 0:
                lines.append(f"[{i}] not reset")
                continue
            w = " ".join(
                f"{a}={x:+.3f}" for a, x in zip(self.assets, self._drifted[i], strict=True)
            )
            wealth = self._book[kernel.B_WEALTH, i]
            lines.append(f"[{i}] {months[self._t[i]]} wealth={wealth:.4f} | {w}")
        return tuple(lines)
