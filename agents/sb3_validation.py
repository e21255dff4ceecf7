"""Validation of an SB3 model during training: Sharpe on the validation window, early stopping.

Every ``eval_every`` steps the deterministic policy runs one episode over the validation window
(the same env, costs and limits as :func:`~factorgym.agents.run_allocator`); the best policy
weights are kept and training stops after ``patience`` evaluations without improvement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback

from factorgym.envs.env_spec import EnvSpec

__all__ = ["Member", "ValidationStop", "evaluate_policy_sharpe", "policy_state"]


def policy_state(model: BaseAlgorithm) -> dict[str, torch.Tensor]:
    """A detached copy of the policy's weights (a checkpoint)."""
    return {k: v.detach().clone() for k, v in model.policy.state_dict().items()}


def _sharpe(x: np.ndarray) -> float:
    sd = float(np.std(x, ddof=1)) if len(x) > 1 else 0.0
    return float(np.mean(x) / sd * np.sqrt(12.0)) if sd > 0 else float("-inf")


class Member:
    """One trained model and its recurrent state."""

    def __init__(self, model: BaseAlgorithm, recurrent: bool) -> None:
        self.model = model
        self.recurrent = recurrent
        self.state: Any = None
        self.start = np.ones((1,), dtype=bool)

    def reset(self) -> None:
        """Forget the recurrent state (a new episode starts)."""
        self.state = None
        self.start = np.ones((1,), dtype=bool)

    def predict(self, obs: np.ndarray) -> np.ndarray:
        """The deterministic action for ``obs`` (float64), carrying the recurrent state."""
        if self.recurrent:
            action, self.state = self.model.predict(
                obs, state=self.state, episode_start=self.start, deterministic=True
            )
            self.start = np.zeros((1,), dtype=bool)
        else:
            action, _ = self.model.predict(obs, deterministic=True)
        return np.asarray(action, dtype=np.float64)


def evaluate_policy_sharpe(predict: Callable[[np.ndarray], np.ndarray], spec: EnvSpec) -> float:
    """Annualised Sharpe ratio of net excess returns of ``predict`` over the spec's window.

    One deterministic episode in an env built from ``spec`` (raw actions, so the env's costs
    and limits apply exactly as in :func:`~factorgym.agents.run_allocator`).
    """
    env = spec.replace(random_start=False, episode_length=None)()
    obs, _ = env.reset(seed=0)
    out: list[float] = []
    done = False
    while not done:
        obs, _r, terminated, truncated, info = env.step(predict(obs))
        out.append(float(info["net_return"]) - float(info["rf"]))
        done = terminated or truncated
    return _sharpe(np.asarray(out))


class ValidationStop(BaseCallback):
    """Evaluate on the validation window every ``eval_every`` steps; keep the best; stop early."""

    def __init__(self, spec: EnvSpec, eval_every: int, patience: int, recurrent: bool) -> None:
        super().__init__(verbose=0)
        self.spec = spec
        self.eval_every = eval_every
        self.patience = patience
        self.recurrent = recurrent
        self.best = float("-inf")
        self.best_state: dict[str, torch.Tensor] | None = None
        self.best_step = 0
        self.bad = 0
        self.last = 0
        self.history: list[tuple[int, float]] = []
        self.stopped_early = False

    def evaluate(self) -> None:
        """Score the current policy on the validation window; checkpoint it if best so far."""
        member = Member(self.model, self.recurrent)
        score = evaluate_policy_sharpe(member.predict, self.spec)
        self.history.append((int(self.num_timesteps), score))
        if score > self.best:
            self.best, self.best_step, self.bad = score, int(self.num_timesteps), 0
            self.best_state = policy_state(self.model)
        else:
            self.bad += 1

    def _on_step(self) -> bool:
        if self.num_timesteps - self.last < self.eval_every:
            return True
        self.last = int(self.num_timesteps)
        self.evaluate()
        if self.bad >= self.patience:
            self.stopped_early = True
            return False
        return True
