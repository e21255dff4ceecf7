"""A finished run's tables reshaped for analysis: one series per agent, one per trial.

The results store keeps one row per (fold, agent, seed, path, month). The statistics need
*wide* frames over the out-of-sample months:

- an **agent's series** is its net return each month averaged over its seeds (and CPCV
  backtest paths): the return of holding its seeds in equal parts (costs are each seed's own,
  so trades that would net across seeds are charged twice: a conservative view);
- a **trial** is one (agent, seed), averaged over paths only: the unit the trial ledger
  counts, and the columns the deflated Sharpe ratio and PBO are computed from;
- the **benchmark** is the 1/N unit (``BENCHMARK``), run through the same test envs and
  charged the same costs.

Agents whose ledger rows say ``contender=False``, or whose name starts with ``oracle``, are not
contenders: shown, never part of a verdict. Those whose name or kind mentions an oracle (they
see the future) are labelled upper bounds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from factorgym.errors import DataError, FactorGymError
from factorgym.experiments.results_store import RunResults, read_table
from factorgym.experiments.units import BENCHMARK
from factorgym.panel import FactorPanel

__all__ = [
    "CONTENDER",
    "NOT_CONTENDER",
    "UPPER_BOUND",
    "RunView",
    "optional_table",
    "run_panel",
    "run_view",
    "view_from_returns",
]

CONTENDER = "contender"
UPPER_BOUND = "upper bound"
NOT_CONTENDER = "not a contender"
_REQUIRED = ("agent", "seed", "month", "net_return", "gross_return", "rf", "turnover")
COST_COMPONENTS = ("cost_proportional", "cost_internal", "cost_impact")


@dataclass(frozen=True, eq=False)
class RunView:
    """Wide, month-indexed frames of a run's out-of-sample results.

    Attributes
    ----------
    months : PeriodIndex of shape (n_months,)
        Out-of-sample months earned (monthly periods), ascending.
    agents : tuple of str
        Agent labels in the run's order, without the benchmark.
    roles : dict of str to str
        ``"contender"``, ``"upper bound"`` (an oracle) or ``"not a contender"``.
    net, gross, turnover : DataFrame of shape (n_months, 1 + n_agents)
        Seed- and path-averaged net return, gross return, turnover; first column the
        benchmark (``BENCHMARK``), then ``agents``.
    costs : dict of str to DataFrame of shape (n_months, 1 + n_agents)
        Each cost component (``cost_proportional``, ``cost_internal``, ``cost_impact``).
    rf : Series of shape (n_months,)
        Risk-free return of each month.
    trials : DataFrame of shape (n_months, n_trials)
        Net returns of every (agent, seed), columns ``"agent/seed"``, in the run's order.
    trial_agent : dict of str to str
        The agent of each trial column.
    weights : dict of str to DataFrame of shape (n_months, n_assets)
        Seed- and path-averaged executed weights of each agent and of the benchmark.
    first_seed_weights : dict of str to DataFrame of shape (n_months, n_assets)
        Executed weights of each agent's first seed (first path): what one investor held.
    regimes : DataFrame of shape (n_months, n_states)
        Filtered regime probabilities at each earned month's *decision* month
        (``regime_p{k}``); no columns if the run had no regime features.
    assets : tuple of str
    seeds : dict of str to tuple of int
    folds : DataFrame
        The run's folds table (empty if not given).
    ledger : DataFrame
        The run's trial ledger (empty if not given).
    manifest : dict
    notes : tuple of str
        What was imputed or dropped while reshaping (reported in the report).
    """

    months: pd.PeriodIndex
    agents: tuple[str, ...]
    roles: dict[str, str]
    net: pd.DataFrame
    gross: pd.DataFrame
    turnover: pd.DataFrame
    costs: dict[str, pd.DataFrame]
    rf: pd.Series
    trials: pd.DataFrame
    trial_agent: dict[str, str]
    weights: dict[str, pd.DataFrame]
    first_seed_weights: dict[str, pd.DataFrame]
    regimes: pd.DataFrame
    assets: tuple[str, ...]
    seeds: dict[str, tuple[int, ...]]
    folds: pd.DataFrame = field(default_factory=pd.DataFrame)
    ledger: pd.DataFrame = field(default_factory=pd.DataFrame)
    manifest: dict[str, Any] = field(default_factory=dict)
    returns: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    notes: tuple[str, ...] = ()

    @property
    def benchmark(self) -> pd.Series:
        """Net returns of the 1/N benchmark."""
        return self.net[BENCHMARK]

    @property
    def contenders(self) -> tuple[str, ...]:
        """Agents that may win (not upper bounds)."""
        return tuple(a for a in self.agents if self.roles[a] == CONTENDER)

    @property
    def contender_trials(self) -> pd.DataFrame:
        """Trials of the contenders (the trials every deflation counts)."""
        keep = [c for c in self.trials.columns if self.roles[self.trial_agent[c]] == CONTENDER]
        return self.trials[keep]


def _role(agent: str, ledger: pd.DataFrame) -> str:
    rows = pd.DataFrame()
    if not ledger.empty and "agent" in ledger.columns:
        rows = ledger.loc[ledger["agent"] == agent]
    kinds = " ".join(str(k) for k in rows["kind"]) if "kind" in rows.columns else ""
    oracle = "oracle" in agent.lower() or "oracle" in kinds.lower()
    flagged = "contender" in rows.columns and not bool(rows["contender"].astype(bool).all())
    if agent.lower().startswith("oracle") or (flagged and oracle):
        return UPPER_BOUND
    return NOT_CONTENDER if flagged else CONTENDER


def _assets_of(returns: pd.DataFrame) -> tuple[str, ...]:
    prefix = "executed_weights:"
    return tuple(c[len(prefix) :] for c in returns.columns if c.startswith(prefix))


def _wide(
    frame: pd.DataFrame, column: str, keys: list[str], months: pd.PeriodIndex
) -> pd.DataFrame:
    table = frame.pivot_table(index="_month", columns=keys, values=column, aggfunc="mean")
    return table.reindex(months)


def view_from_returns(
    returns: pd.DataFrame,
    *,
    ledger: pd.DataFrame | None = None,
    folds: pd.DataFrame | None = None,
    manifest: dict[str, Any] | None = None,
    agents: Sequence[str] | None = None,
) -> RunView:
    """Reshape a returns table (as the results store writes it) into a :class:`RunView`.

    Parameters
    ----------
    returns : DataFrame
        One row per (fold, agent, seed, path, month) with at least ``agent``, ``seed``,
        ``month`` (``"YYYY-MM"``), ``net_return``, ``gross_return``, ``rf``, ``turnover``; the
        benchmark's rows under ``agent == BENCHMARK``. Optional: ``path``, the cost
        components, ``executed_weights:{asset}``, ``regime_p{k}``.
    ledger, folds : DataFrame, optional
        The trial ledger (``agent``, ``contender``) and the folds table.
    manifest : dict, optional
    agents : sequence of str, optional
        Agent order (default: order of first appearance).

    Raises
    ------
    DataError
        If a required column or the benchmark is missing, or the benchmark lacks a month
        that an agent has.
    """
    missing = [c for c in _REQUIRED if c not in returns.columns]
    if missing:
        raise DataError(f"`returns` must have the columns {list(_REQUIRED)}; missing {missing}")
    frame = returns.copy()
    if "path" not in frame.columns:
        frame["path"] = 0
    frame["_month"] = pd.PeriodIndex(frame["month"].astype(str), freq="M")
    if not (frame["agent"] == BENCHMARK).any():
        raise DataError(f"`returns` hold no rows of the benchmark {BENCHMARK!r}")
    ledger = pd.DataFrame() if ledger is None else ledger
    order = list(dict.fromkeys(frame["agent"]))
    names = [a for a in (order if agents is None else agents) if a != BENCHMARK]
    unknown = [a for a in names if a not in order]
    if unknown:
        raise DataError(f"`agents` {unknown} have no rows in `returns`")
    bench_months = pd.PeriodIndex(
        sorted(set(frame.loc[frame["agent"] == BENCHMARK, "_month"])), freq="M"
    )
    all_months = pd.PeriodIndex(sorted(set(frame["_month"])), freq="M")
    notes: list[str] = []
    if len(all_months) != len(bench_months):
        extra = all_months.difference(bench_months)
        raise DataError(
            f"the benchmark has no return in {len(extra)} month(s) the agents earned "
            f"(first {extra[0]}): the run is incomplete"
        )
    months = bench_months
    cols = [BENCHMARK, *names]
    rf = frame.groupby("_month")["rf"].mean().reindex(months)

    def agent_wide(column: str) -> pd.DataFrame:
        return _wide(frame, column, ["agent"], months)[cols]

    net = agent_wide("net_return")
    gross = agent_wide("gross_return")
    turnover = agent_wide("turnover")
    costs = {c: agent_wide(c) for c in COST_COMPONENTS if c in frame.columns}
    trial_frame = _wide(frame, "net_return", ["agent", "seed"], months)
    trial_cols = [
        (a, s) for a in names for s in sorted({s for (b, s) in trial_frame.columns if b == a})
    ]
    trials = trial_frame[trial_cols]
    trials.columns = [f"{a}/{s}" for a, s in trial_cols]
    trial_agent = {f"{a}/{s}": a for a, s in trial_cols}
    # months a trial did not earn (its episode ended early: ruin) count as cash
    gaps = trials.isna()
    if gaps.to_numpy().any():
        for col in trials.columns[gaps.any().to_numpy()]:
            notes.append(
                f"trial {col}: {int(gaps[col].sum())} month(s) without a return (episode ended "
                "early) counted as cash (earning rf)"
            )
        trials = trials.apply(lambda s: s.fillna(rf))
    for name, wide in [("net", net), ("gross", gross)]:
        if wide.isna().to_numpy().any():
            wide.fillna({c: rf for c in wide.columns}, inplace=True)
            notes.append(f"{name} returns: months an agent did not earn counted as cash")
    turnover = turnover.fillna(0.0)
    costs = {k: v.fillna(0.0) for k, v in costs.items()}
    assets = _assets_of(frame)
    weights: dict[str, pd.DataFrame] = {}
    first_seed: dict[str, pd.DataFrame] = {}
    if assets:
        wcols = [f"executed_weights:{a}" for a in assets]
        for agent in cols:
            rows = frame.loc[frame["agent"] == agent]
            mean = rows.groupby("_month")[wcols].mean().reindex(months).fillna(0.0)
            mean.columns = list(assets)
            weights[agent] = mean
            s0, p0 = rows["seed"].min(), rows.loc[rows["seed"] == rows["seed"].min(), "path"].min()
            one = rows.loc[(rows["seed"] == s0) & (rows["path"] == p0)].set_index("_month")[wcols]
            one = one[~one.index.duplicated()].reindex(months).fillna(0.0)
            one.columns = list(assets)
            first_seed[agent] = one
    regime_cols = sorted(c for c in frame.columns if str(c).startswith("regime_p"))
    if regime_cols:
        regimes = frame.groupby("_month")[regime_cols].first().reindex(months)
    else:
        regimes = pd.DataFrame(index=months)
    seeds = {
        a: tuple(sorted(int(s) for s in frame.loc[frame["agent"] == a, "seed"].unique()))
        for a in cols
    }
    roles = {a: _role(a, ledger) for a in names}
    return RunView(
        months=months,
        agents=tuple(names),
        roles=roles,
        net=net,
        gross=gross,
        turnover=turnover,
        costs=costs,
        rf=rf,
        trials=trials,
        trial_agent=trial_agent,
        weights=weights,
        first_seed_weights=first_seed,
        regimes=regimes,
        assets=assets,
        seeds=seeds,
        folds=pd.DataFrame() if folds is None else folds,
        ledger=ledger,
        manifest=dict(manifest or {}),
        returns=returns,
        notes=tuple(notes),
    )


def run_view(results: RunResults) -> RunView:
    """The :class:`RunView` of a loaded run (agents in the config's order)."""
    config = results.manifest.get("config", {})
    order = None
    if isinstance(config, dict) and isinstance(config.get("agents"), list):
        listed = [str(a.get("name")) for a in config["agents"] if isinstance(a, dict)]
        present = set(results.returns["agent"])
        if listed:
            order = [a for a in listed if a in present]
    return view_from_returns(
        results.returns,
        ledger=results.ledger,
        folds=results.folds,
        manifest=results.manifest,
        agents=order,
    )


def optional_table(results: RunResults, name: str) -> pd.DataFrame | None:
    """A table the manifest lists beyond the three every run has (verified), or None.

    Raises
    ------
    DataError
        If the manifest lists it but the file is missing or does not match its SHA-256.
    """
    tables = results.manifest.get("tables", {})
    if not isinstance(tables, dict) or name not in tables:
        return None
    entry = tables[name]
    return read_table(results.run_dir / entry["path"], entry["sha256"])


def active_returns(view: RunView) -> pd.DataFrame:
    """Each agent's net return minus the benchmark's, shape (n_months, n_agents)."""
    return view.net[list(view.agents)].sub(view.benchmark, axis=0)


def nonzero_columns(frame: pd.DataFrame, *, tol: float = 1e-12) -> list[str]:
    """Columns whose values are not all within ``tol`` of zero."""
    arr = frame.to_numpy(dtype=np.float64)
    return [c for c, keep in zip(frame.columns, np.abs(arr).max(axis=0) > tol, strict=True) if keep]


def run_panel(manifest: Mapping[str, Any]) -> FactorPanel:
    """The run's data, loaded again from its recorded configuration and checked.

    Raises
    ------
    DataError
        If the manifest has no data record, the data cannot be loaded (a moved file), or
        they differ from the run's (content hash).
    """
    from factorgym.experiments.config import parse_config

    try:
        document = dict(manifest["config_document"])
        expected = manifest["data"]["content_hash"]
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"the run's manifest has no data record ({exc!r})") from exc
    try:
        config = parse_config(document, name=str(document.get("name", "experiment")))
        panel = config.data.load()
    except FactorGymError as exc:
        raise DataError(f"the run's data cannot be loaded again: {exc}") from exc
    if panel.content_hash != expected:
        raise DataError(
            f"the run's data changed since the run (content hash {panel.content_hash[:16]} != "
            f"{str(expected)[:16]})"
        )
    return panel
