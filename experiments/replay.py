"""Replay recorded decisions through the same env at another AUM or another cost level.

The capacity curve and the cost sensitivity of a run re-run each agent's **recorded target
weights**, month by month, through the fold's test env with one thing changed: the assets under
management (``aum``: the square-root impact and the participation cap scale with it) or the
proportional and internal costs (the resolved per-asset ``cost_bps`` and ``internal_bps`` of the
preset, times a multiplier; impact is left at the run's level, it is what the capacity curve
varies). Everything else is the env's own accounting: drift, position limits, turnover cap,
no-trade band, capacity cuts and costs, through :class:`~factorgym.envs.TargetWeights`.

This is the *paper portfolio at scale*: the policy does not adapt to its own impact (an agent
trained at $10bn might trade less). It answers "what would these decisions have earned at that
size", not "what would an agent managing that much have done".

Before replaying at other levels, :func:`replay_unit` replays the decisions once with the
test env unchanged and checks that the recorded net returns come back (to ``1e-10``); a run
whose decisions do not reproduce is refused, since its other levels would mean nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from factorgym.envs.env_spec import EnvSpec
from factorgym.envs.wrappers import TargetWeights
from factorgym.errors import ConfigError, DataError
from factorgym.experiments.fold_envs import FoldEnvs
from factorgym.experiments.results_store import RunResults
from factorgym.validation import check_real, check_real_sequence, check_seed

if TYPE_CHECKING:
    from factorgym.experiments.runner import ExperimentPlan

__all__ = [
    "DEFAULT_AUM_LEVELS",
    "DEFAULT_COST_MULTIPLIERS",
    "REPLAY_COLUMNS",
    "rebuild_plan",
    "replay_decisions",
    "replay_plan",
    "replay_run",
    "replay_unit",
    "scaled_cost_spec",
]

#: AUM levels of the capacity curve, $10m to $100bn in half-decade steps.
DEFAULT_AUM_LEVELS = (1e7, 3e7, 1e8, 3e8, 1e9, 3e9, 1e10, 3e10, 1e11)
#: Multipliers of the proportional and internal costs in the cost sensitivity.
DEFAULT_COST_MULTIPLIERS = (0.0, 0.5, 1.0, 2.0, 4.0)
#: Per-month columns of a replay (from the env's ``info``).
REPLAY_COLUMNS = (
    "date",
    "decision_date",
    "gross_return",
    "net_return",
    "rf",
    "cost_proportional",
    "cost_internal",
    "cost_impact",
    "cost_total",
    "turnover",
    "fill_ratio",
)
#: Largest difference between a recorded and a replayed net return at the run's own settings.
REPRODUCE_TOL = 1e-10


def scaled_cost_spec(spec: EnvSpec, multiplier: float) -> EnvSpec:
    """``spec`` with its resolved per-asset ``cost_bps`` and ``internal_bps`` times ``multiplier``.

    Parameters
    ----------
    spec : EnvSpec
        The env whose costs are scaled (the preset's resolved values, after any override).
    multiplier : float
        ``>= 0``; 1 gives the same costs, 0 removes proportional and internal costs (impact
        stays).

    Raises
    ------
    ConfigError
        For a negative or non-finite ``multiplier``, or scaled costs outside the env's range.
    """
    m = check_real("multiplier", multiplier, low=0.0)
    costs = spec().cost_model
    return spec.replace(
        cost_bps=tuple(float(c) * m for c in costs.cost_bps),
        internal_bps=tuple(float(h) * m for h in costs.internal_bps),
    )


def _weights_matrix(records: pd.DataFrame, assets: Sequence[str]) -> np.ndarray:
    cols = [f"target_weights:{a}" for a in assets]
    missing = [c for c in cols if c not in records.columns]
    if missing:
        raise DataError(
            f"`records` must hold the recorded target weights {cols}; missing {missing}"
        )
    w = records[cols].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(w)):
        raise DataError("`records` target weights must be finite")
    return w


def replay_decisions(
    spec: EnvSpec,
    target_weights: object,
    *,
    decision_dates: Sequence[object] | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Run fixed target weights through a fresh env of ``spec``, one row per month earned.

    Parameters
    ----------
    spec : EnvSpec
        The env (its window is run from its start, ``random_start=False``, to its end).
    target_weights : array-like of shape (n_months, n_assets)
        The weights decided at each month-end, in the env's asset order.
    decision_dates : sequence of dates, optional
        The recorded decision month-ends; each step's ``decision_date`` must equal them.
    seed : int, optional
        Seed of the env's ``reset``.

    Returns
    -------
    DataFrame of shape (n_steps, len(REPLAY_COLUMNS))
        :data:`REPLAY_COLUMNS`. ``n_steps < n_months`` only if the episode terminated (ruin
        or a drawdown stop) before the decisions ran out.

    Raises
    ------
    DataError
        If the weights do not have one column per asset, there are more decisions than months
        in the window, or a step's decision month differs from ``decision_dates``.
    InvalidActionError
        If a row is infeasible for the env's action mode.
    """
    if not isinstance(spec, EnvSpec):
        raise ConfigError(f"`spec` must be an EnvSpec, got {type(spec).__name__}")
    seed = check_seed("seed", seed)
    env = spec.replace(random_start=False, episode_length=None)()
    w = np.asarray(target_weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[1] != len(env.assets):
        raise DataError(
            f"`target_weights` must have shape (n_months, {len(env.assets)}), got {w.shape}"
        )
    dates = None if decision_dates is None else pd.to_datetime(pd.Index(decision_dates))
    if dates is not None and len(dates) != len(w):
        raise DataError(
            f"`decision_dates` must have one date per row of `target_weights` ({len(w)}), "
            f"got {len(dates)}"
        )
    wrapped = TargetWeights(env)
    wrapped.reset(seed=seed)
    rows: list[dict[str, Any]] = []
    for i in range(len(w)):
        _, _, terminated, truncated, info = wrapped.step(w[i])
        if dates is not None and pd.Timestamp(info["decision_date"]) != dates[i]:
            raise DataError(
                f"replayed decision {i} is at {pd.Timestamp(info['decision_date']).date()}, "
                f"the recorded one at {dates[i].date()}: the records do not belong to this "
                "window"
            )
        rows.append({c: info[c] for c in REPLAY_COLUMNS})
        if terminated:
            break
        if truncated and i + 1 < len(w):
            raise DataError(
                f"`target_weights` has {len(w)} rows but the window "
                f"{spec.config.window} earns only {i + 1} months"
            )
    return pd.DataFrame(rows, columns=list(REPLAY_COLUMNS))


def _window_rows(records: pd.DataFrame, window: Any) -> pd.DataFrame:
    months = pd.PeriodIndex(pd.to_datetime(records["date"]), freq="M")
    mask = (months >= window.start) & (months <= window.end)
    if "path" in records.columns:
        mask &= records["path"].to_numpy() == window.path
    rows = records.loc[mask].sort_values("date", kind="mergesort")
    if rows.empty:
        raise DataError(
            f"`records` hold no month of the test window {window.start}..{window.end} "
            f"(path {window.path})"
        )
    return rows


def _unit_key(records: pd.DataFrame) -> dict[str, Any]:
    key: dict[str, Any] = {}
    for col in ("fold", "agent", "seed"):
        if col not in records.columns:
            raise DataError(f"`records` must have a {col!r} column (one unit's records)")
        values = records[col].unique()
        if len(values) != 1:
            raise DataError(f"`records` must hold one unit; column {col!r} has {list(values)}")
        key[col] = values[0].item() if isinstance(values[0], np.generic) else values[0]
    return key


def replay_unit(
    envs: FoldEnvs,
    records: pd.DataFrame,
    *,
    aum_levels: Sequence[float] = DEFAULT_AUM_LEVELS,
    cost_multipliers: Sequence[float] = DEFAULT_COST_MULTIPLIERS,
) -> dict[str, pd.DataFrame]:
    """The capacity and cost-sensitivity tables of one (fold, agent, seed) unit.

    Parameters
    ----------
    envs : FoldEnvs
        The fold's env specs (its test windows are replayed).
    records : DataFrame
        The unit's test months as the runner records them: ``fold``, ``agent``, ``seed``,
        ``path`` (optional), ``date``, ``decision_date``, ``net_return`` and
        ``target_weights:{asset}``.
    aum_levels : sequence of float
        Dollar AUM of the capacity curve (each within the env's ``aum`` range).
    cost_multipliers : sequence of float
        Multipliers (>= 0) of the proportional and internal costs.

    Returns
    -------
    dict
        ``"capacity"`` and ``"cost_sensitivity"``: tidy frames with columns ``fold``,
        ``agent``, ``seed``, ``path``, ``level`` (AUM in dollars, or the multiplier), then
        :data:`REPLAY_COLUMNS`; rows ordered by level, path and date.

    Raises
    ------
    DataError
        If the records are not one unit of this fold, or replaying them with the test env
        unchanged does not give back the recorded net returns (to ``1e-10``).
    ConfigError
        For a bad level.
    """
    aums = check_real_sequence("aum_levels", aum_levels, low=1.0, high=1e15)
    mults = check_real_sequence("cost_multipliers", cost_multipliers, low=0.0)
    key = _unit_key(records)
    if key["fold"] != envs.fold.index:
        raise DataError(f"`records` are of fold {key['fold']}, `envs` of fold {envs.fold.index}")
    seed = int(key["seed"])
    parts: dict[str, list[pd.DataFrame]] = {"capacity": [], "cost_sensitivity": []}
    for window in envs.tests:
        rows = _window_rows(records, window)
        assets = window.spec.panel.assets
        w = _weights_matrix(rows, assets)
        dates = rows["decision_date"].to_numpy()
        base = replay_decisions(window.spec, w, decision_dates=dates, seed=seed)
        recorded = rows["net_return"].to_numpy(dtype=np.float64)
        if len(base) != len(recorded) or not np.allclose(
            base["net_return"].to_numpy(), recorded, rtol=0.0, atol=REPRODUCE_TOL
        ):
            gap = (
                float(np.max(np.abs(base["net_return"].to_numpy() - recorded)))
                if len(base) == len(recorded)
                else float("nan")
            )
            raise DataError(
                f"replaying unit {key} on {window.start}..{window.end} with its own env does not "
                f"reproduce the recorded net returns (max gap {gap:.3g}, {len(base)} vs "
                f"{len(recorded)} months): the run's data or env differ from this build"
            )
        specs = [("capacity", a, window.spec.replace(aum=a)) for a in aums]
        specs += [("cost_sensitivity", m, scaled_cost_spec(window.spec, m)) for m in mults]
        for table, level, spec in specs:
            frame = replay_decisions(spec, w, decision_dates=dates[: len(w)], seed=seed)
            frame.insert(0, "level", float(level))
            frame.insert(0, "path", int(window.path))
            for col in ("seed", "agent", "fold"):
                frame.insert(0, col, key[col])
            parts[table].append(frame)
    out = {}
    for table, frames in parts.items():
        joined = pd.concat(frames, ignore_index=True)
        out[table] = joined.sort_values(["level", "path", "date"], kind="mergesort").reset_index(
            drop=True
        )
    return out


def rebuild_plan(run_dir: str | os.PathLike[str]) -> tuple[RunResults, ExperimentPlan]:
    """A finished run and its plan rebuilt from the manifest (as a resume rebuilds it).

    The config is the manifest's (checked against its hash); the data are loaded again and
    checked against the recorded content hash; features come through the feature cache.

    Raises
    ------
    DataError
        If the run is incomplete or damaged, or the data changed since the run.
    """
    from factorgym.experiments.config import parse_config
    from factorgym.experiments.results_store import load_run
    from factorgym.experiments.runner import plan_experiment

    root = Path(run_dir).expanduser()
    results = load_run(root)
    manifest = results.manifest
    doc = dict(manifest["config_document"])
    config = parse_config(doc, name=str(doc.get("name", "experiment")))
    if config.experiment_hash != manifest["experiment_hash"]:
        raise DataError(f"{str(root / 'manifest.json')!r}: its config does not match its hash")
    plan = plan_experiment(config)
    if plan.panel.content_hash != manifest["data"]["content_hash"]:
        raise DataError(
            f"the data changed since the run in {str(root)!r} (content hash "
            f"{plan.panel.content_hash[:12]} != {manifest['data']['content_hash'][:12]}); "
            "cannot replay its decisions on other data"
        )
    return results, plan


def replay_plan(
    results: RunResults,
    plan: ExperimentPlan,
    *,
    aum_levels: Sequence[float] = DEFAULT_AUM_LEVELS,
    cost_multipliers: Sequence[float] = DEFAULT_COST_MULTIPLIERS,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """:func:`replay_unit` for every unit of ``results`` with the fold envs of ``plan``.

    Returns
    -------
    dict
        ``"capacity"`` and ``"cost_sensitivity"`` of all units, in the returns table's order.
    """
    by_fold = {fe.fold.index: fe for fe in plan.folds}
    returns = results.returns
    units = list(returns.groupby(["fold", "agent", "seed"], sort=False).groups.items())
    parts: dict[str, list[pd.DataFrame]] = {"capacity": [], "cost_sensitivity": []}
    for i, (_, index) in enumerate(units):
        records = returns.loc[index]
        fold = int(records["fold"].iloc[0])
        if fold not in by_fold:
            raise DataError(f"the returns table has fold {fold}, the rebuilt plan does not")
        tables = replay_unit(
            by_fold[fold], records, aum_levels=aum_levels, cost_multipliers=cost_multipliers
        )
        for name, frame in tables.items():
            parts[name].append(frame)
        if progress is not None:
            progress(i + 1, len(units))
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def replay_run(
    run_dir: str | os.PathLike[str],
    *,
    aum_levels: Sequence[float] = DEFAULT_AUM_LEVELS,
    cost_multipliers: Sequence[float] = DEFAULT_COST_MULTIPLIERS,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Capacity and cost-sensitivity tables of every unit of a finished run, after the fact.

    The fold envs are rebuilt from the run's manifest (:func:`rebuild_plan`), then every
    unit's records are replayed (:func:`replay_unit`).

    Parameters
    ----------
    run_dir : path
        A complete run directory.
    aum_levels, cost_multipliers : sequence of float
        As in :func:`replay_unit`.
    progress : callable, optional
        Called as ``progress(done, total)`` after each unit.

    Returns
    -------
    dict
        ``"capacity"`` and ``"cost_sensitivity"`` of all units, in the returns table's order.

    Raises
    ------
    DataError
        If the run is incomplete or damaged, the data changed since the run, or a unit does
        not reproduce.
    """
    results, plan = rebuild_plan(run_dir)
    return replay_plan(
        results,
        plan,
        aum_levels=aum_levels,
        cost_multipliers=cost_multipliers,
        progress=progress,
    )
