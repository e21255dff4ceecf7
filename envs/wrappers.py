"""`TargetWeights`: let an allocator hand the env target weights instead of actions.

Baselines and RL agents then share one accounting: the weights go through the same position
limits, turnover cap, no-trade band, participation cap, costs, impact and drift as an RL agent's
actions. Infeasible weights raise instead of being silently repaired.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from factorgym.envs.action_maps import ActionSpec
from factorgym.errors import InvalidActionError

__all__ = ["TargetWeights"]


class TargetWeights(gym.ActionWrapper):
    """Action wrapper whose actions are target weights in the env's feasible set.

    Parameters
    ----------
    env : gymnasium.Env
        A :class:`~factorgym.envs.FactorTimingEnv`, possibly wrapped.
    tol : float
        Tolerance of the feasibility check (weights may exceed a bound by ``tol``).

    Notes
    -----
    ``action_space`` is a float64 ``Box`` of the per-asset weight bounds (the budget and gross
    constraints are checked in :meth:`action`). Feasible weights ``w`` are converted with the
    mode's inverse map into the action whose weights are ``w`` (to rounding, ~1e-16), so
    ``info["target_weights"]`` equals ``w``.

    Raises
    ------
    InvalidActionError
        From :meth:`action`, if the weights have the wrong shape, are not finite, or violate a
        constraint of the action mode (the message names it).
    """

    def __init__(self, env: gym.Env, *, tol: float = 1e-9) -> None:
        super().__init__(env)
        spec = getattr(env.unwrapped, "action_spec", None)
        if not isinstance(spec, ActionSpec):
            raise TypeError(f"TargetWeights needs a FactorTimingEnv, got {type(env.unwrapped)}")
        self._spec = spec
        self._tol = float(tol)
        lo, hi = spec.bounds()
        self.action_space = spaces.Box(lo, hi, shape=lo.shape, dtype=np.float64)

    def action(self, action: Any) -> np.ndarray:
        """Check ``action`` (target weights) and return the equivalent env action."""
        w = np.asarray(action, dtype=np.float64)
        problems = self._spec.violations(w, tol=self._tol)
        if problems:
            raise InvalidActionError(
                f"target weights are infeasible for action_mode={self._spec.mode!r}: "
                + "; ".join(problems)
            )
        return self._spec.to_action(w)
