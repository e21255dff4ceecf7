"""`run_allocator`: the one harness every allocator, baseline or RL agent, is evaluated through.

One deterministic episode over the spec's whole window (``random_start=False``,
``episode_length=None``) in ONE env built from the spec. An allocator with ``output="weights"``
acts through :class:`~factorgym.envs.TargetWeights` (its weights are checked for feasibility,
never repaired), one with ``output="action"`` hands the env its raw action. Either way the env
applies the same position limits, turnover cap, capacity cut, costs, impact and drift, and the
:class:`Rollout` records what the env's ``info`` reports -- nothing is recomputed here, so no
allocator can be scored on returns the env did not charge.

Before every ``act`` the harness puts ``info["history"] = env.unwrapped.history()`` (rows up to
the decision month only); baselines read the past only through it, RL agents ignore it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from factorgym.agents.base import OBSERVATION_OVERRIDES, Allocator, Scalar, check_spec
from factorgym.envs.env_spec import EnvSpec
from factorgym.envs.info import STEP_SCALAR_KEYS, STEP_WEIGHT_KEYS
from factorgym.envs.wrappers import TargetWeights
from factorgym.errors import ConfigError, InvalidActionError
from factorgym.validation import check_seed

__all__ = ["SCALAR_COLUMNS", "WEIGHT_BLOCKS", "Rollout", "run_allocator"]

#: Per-month scalar columns of :attr:`Rollout.frame` (from the env's ``info``).
SCALAR_COLUMNS = ("date", "decision_date", *STEP_SCALAR_KEYS)
#: Per-asset blocks of :attr:`Rollout.frame`, columns ``"{block}:{asset}"``.
WEIGHT_BLOCKS = ("action", *STEP_WEIGHT_KEYS)


@dataclass(frozen=True, eq=False)
class Rollout:
    """One allocator's episode over a spec's window, month by month.

    Attributes
    ----------
    name : str
        The allocator's name.
    params : dict of str to scalar
        Its flat parameters.
    contender : bool
        False for upper bounds (oracles).
    frame : DataFrame of shape (n_months, ...)
        Indexed by the month earned (``PeriodIndex`` named ``month``); columns
        :data:`SCALAR_COLUMNS` (``date`` = month-end earned, ``decision_date`` = month-end of
        the decision) and, per asset ``a``, ``"{block}:{a}"`` for every block of
        :data:`WEIGHT_BLOCKS` (``action`` is what the allocator handed the env: weights for
        ``output="weights"``). Any further scalar key of ``info`` is kept as a column too.
    assets : tuple of str
        Asset names.
    config : dict
        The resolved :class:`~factorgym.envs.EnvConfig` of the env, as a dict.
    terminated : bool
        Whether the episode ended by ruin or a drawdown stop rather than at the window's end.
    """

    name: str
    params: dict[str, Scalar]
    contender: bool
    frame: pd.DataFrame
    assets: tuple[str, ...]
    config: dict[str, Any] = field(repr=False)
    terminated: bool = False

    def weights(self, block: str = "executed_weights") -> pd.DataFrame:
        """One per-asset block as a frame with the assets as columns."""
        if block not in WEIGHT_BLOCKS:
            raise ConfigError(f"`block` must be one of {WEIGHT_BLOCKS}, got {block!r}")
        cols = [f"{block}:{a}" for a in self.assets]
        out = self.frame[cols].copy()
        out.columns = list(self.assets)
        return out

    @property
    def net_excess(self) -> pd.Series:
        """Net return minus the risk-free rate, per month."""
        return self.frame["net_return"] - self.frame["rf"]

    def summary(self, *, periods_per_year: int = 12) -> dict[str, float]:
        """Headline figures of the episode, from the env's own columns.

        Annualised mean and volatility of net excess returns, Sharpe ratio, mean turnover,
        annual cost drag, final wealth and maximum drawdown.

        ``sharpe = mean / std * sqrt(periods_per_year)`` of monthly net excess returns
        (``ddof=1``); ``cost_drag = mean(cost_total) * periods_per_year``.
        """
        x = self.net_excess.to_numpy()
        sd = float(np.std(x, ddof=1)) if len(x) > 1 else float("nan")
        mean = float(np.mean(x))
        return {
            "months": float(len(x)),
            "mean_excess": mean * periods_per_year,
            "volatility": float(sd * np.sqrt(periods_per_year)),
            "sharpe": float(mean / sd * np.sqrt(periods_per_year)) if sd > 0 else float("nan"),
            "turnover": float(self.frame["turnover"].mean()),
            "cost_drag": float(self.frame["cost_total"].mean()) * periods_per_year,
            "final_wealth": float(self.frame["wealth"].iloc[-1]),
            "max_drawdown": float(self.frame["drawdown"].max()),
        }


def _check_overrides(allocator: Any) -> dict[str, Any]:
    overrides = dict(getattr(allocator, "env_overrides", {}) or {})
    bad = [k for k in overrides if k not in OBSERVATION_OVERRIDES]
    if bad:
        raise ConfigError(
            f"`env_overrides` of allocator {allocator.name!r} may only set observation settings "
            f"{OBSERVATION_OVERRIDES} (returns, costs and limits are the spec's), got {bad}"
        )
    return overrides


def _record(
    rows: list[dict[str, Any]], info: Mapping[str, Any], action: np.ndarray, assets: tuple[str, ...]
) -> None:
    row: dict[str, Any] = {}
    n = len(assets)
    for key, value in info.items():
        if isinstance(value, np.ndarray) and value.shape == (n,):
            for a, v in zip(assets, value.tolist(), strict=True):
                row[f"{key}:{a}"] = v
        elif isinstance(value, (pd.Timestamp, np.datetime64)):
            row[key] = pd.Timestamp(value)
        elif np.ndim(value) == 0 and not isinstance(value, (str, bytes)):
            row[key] = value.item() if isinstance(value, np.generic) else value
    for a, v in zip(assets, action.tolist(), strict=True):
        row[f"action:{a}"] = v
    rows.append(row)


def run_allocator(allocator: Allocator, env_spec: EnvSpec, *, seed: int | None = None) -> Rollout:
    """Run ``allocator`` through one env built from ``env_spec`` over the spec's whole window.

    Parameters
    ----------
    allocator : Allocator
        Fitted if it needs fitting.
    env_spec : EnvSpec
        Data, features and config of the evaluation env; the episode is made deterministic
        (``random_start=False``, ``episode_length=None``). The allocator's
        ``env_overrides`` (observation normalisation only) are applied.
    seed : int, optional
        Seed of the env's ``reset``.

    Returns
    -------
    Rollout

    Raises
    ------
    ConfigError
        If ``allocator`` is not an Allocator, ``env_spec`` not an EnvSpec, the allocator's
        weights do not fit the env's action mode (e.g. a long-short rule in a long-only env), or
        it asks for env overrides beyond observation settings.
    InvalidActionError
        If ``act`` returns something of the wrong shape or non-finite values, or infeasible
        target weights (from :class:`~factorgym.envs.TargetWeights`).
    """
    if not isinstance(allocator, Allocator):
        raise ConfigError(
            "`allocator` must implement the Allocator protocol (name, output, contender, "
            f"params, fit, act), got {type(allocator).__name__}"
        )
    check_spec("env_spec", env_spec)
    seed = check_seed("seed", seed)
    if allocator.output not in ("weights", "action"):
        raise ConfigError(
            f"`output` of allocator {allocator.name!r} must be 'weights' or 'action', "
            f"got {allocator.output!r}"
        )
    overrides = _check_overrides(allocator)
    spec = env_spec.replace(random_start=False, episode_length=None, **overrides)
    base_env = spec()
    check_env = getattr(allocator, "check_env", None)
    if check_env is not None:
        check_env(base_env)
    env = TargetWeights(base_env) if allocator.output == "weights" else base_env
    n = len(base_env.assets)
    assets = tuple(base_env.assets)
    obs, info = env.reset(seed=seed)
    begin = getattr(allocator, "begin_episode", None)
    if begin is not None:
        begin()
    rows: list[dict[str, Any]] = []
    terminated = truncated = False
    while not (terminated or truncated):
        info = dict(info)
        info["history"] = base_env.history()
        raw = allocator.act(obs, info)
        action = np.array(raw, dtype=np.float64, copy=True)
        if action.shape != (n,) or not np.all(np.isfinite(action)):
            raise InvalidActionError(
                f"allocator {allocator.name!r} must return a finite array of shape ({n},) from "
                f"act(), got shape {action.shape} with values {action!r}"
            )
        obs, _reward, terminated, truncated, info = env.step(action)
        _record(rows, info, action, assets)
    frame = pd.DataFrame(rows)
    frame.index = pd.PeriodIndex(frame["date"], freq="M", name="month")
    return Rollout(
        name=allocator.name,
        params=dict(allocator.params),
        contender=bool(allocator.contender),
        frame=frame,
        assets=assets,
        config=spec.config.to_dict(),
        terminated=bool(terminated),
    )
