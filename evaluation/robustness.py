"""Robustness of an edge: subperiods, cost levels and fund size.

- :func:`subperiod_table`: Sharpe ratio and the difference to 1/N by decade and by regime
  (the state with the highest *filtered* probability at each decision month, as recorded by
  the run);
- :func:`level_summary`: the same statistics at each level of a replay table
  (:mod:`factorgym.experiments.replay`: cost multipliers or AUM), with the 1/N benchmark
  replayed at the same level;
- :func:`break_even`: the level at which the edge over 1/N vanishes, interpolated between the
  levels tried (linearly in the multiplier, in ``log10`` of AUM).

Replaying fixed decisions at a larger AUM is the *paper portfolio at scale*: the policy does
not adapt to its own impact (:data:`PAPER_PORTFOLIO_NOTE`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from factorgym.errors import DataError
from factorgym.evaluation.metrics import annualized_volatility, sharpe_ratio
from factorgym.evaluation.run_series import RunView
from factorgym.evaluation.spanning import spanning_regression
from factorgym.experiments.units import BENCHMARK
from factorgym.validation import check_bool, check_int

__all__ = [
    "MIN_SUBPERIOD_MONTHS",
    "PAPER_PORTFOLIO_NOTE",
    "BreakEven",
    "break_even",
    "level_summary",
    "subperiod_table",
]

#: Fewest months of a subperiod in :func:`subperiod_table` (fewer say little about a Sharpe ratio).
MIN_SUBPERIOD_MONTHS = 12

PAPER_PORTFOLIO_NOTE = (
    "The capacity curve replays each agent's recorded target weights at every AUM through the "
    "same env (square-root impact and participation cap at that size): the paper portfolio at "
    "scale. The policy does not adapt to its own impact, so the curve shows what these decisions "
    "would have earned at that size, not what an agent trained at that size would have done."
)


def _stats(x: pd.Series, bench: pd.Series, rf: pd.Series, ppy: int) -> dict[str, float]:
    sr = float(sharpe_ratio(x, rf=rf, periods_per_year=ppy))
    sr_b = float(sharpe_ratio(bench, rf=rf, periods_per_year=ppy))
    return {
        "months": float(len(x)),
        "ann_excess": float((x - rf).mean()) * ppy,
        "ann_vol": float(annualized_volatility(x, periods_per_year=ppy)),
        "sharpe": sr,
        "sharpe_1n": sr_b,
        "sharpe_diff": sr - sr_b,
        "active_return": float((x - bench).mean()) * ppy,
    }


def subperiod_table(
    view: RunView, *, periods_per_year: int = 12, min_months: int = MIN_SUBPERIOD_MONTHS
) -> pd.DataFrame:
    """Statistics of every agent and 1/N by decade and by regime.

    Parameters
    ----------
    view : RunView
    periods_per_year : int
    min_months : int
        Subperiods with fewer months are left out (their Sharpe ratio says little).

    Returns
    -------
    DataFrame
        One row per (``split``, ``period``, ``agent``): ``split`` is ``"decade"`` or
        ``"regime"`` (``"state k"``: the most probable filtered state at the decision month),
        with ``months``, ``ann_excess``, ``ann_vol``, ``sharpe``, ``sharpe_1n``,
        ``sharpe_diff`` and ``active_return`` (annualised mean net return over 1/N).
    """
    ppy = check_int("periods_per_year", periods_per_year, minimum=1)
    min_months = check_int("min_months", min_months, minimum=2)
    labels: list[tuple[str, pd.Series]] = []
    decades = pd.Series([f"{(m.year // 10) * 10}s" for m in view.months], index=view.months)
    labels.append(("decade", decades))
    if view.regimes.shape[1]:
        probs = view.regimes
        ok = probs.notna().all(axis=1)
        state = pd.Series(
            [
                f"state {int(np.argmax(r))}" if k else ""
                for r, k in zip(probs.to_numpy(), ok, strict=True)
            ],
            index=view.months,
        )
        labels.append(("regime", state))
    rows = []
    cols = [BENCHMARK, *view.agents]
    for split, lab in labels:
        for period in sorted(p for p in lab.unique() if p):
            mask = (lab == period).to_numpy()
            if mask.sum() < min_months:
                continue
            rf = view.rf[mask]
            bench = view.benchmark[mask]
            for agent in cols:
                stats = _stats(view.net[agent][mask], bench, rf, ppy)
                rows.append({"split": split, "period": period, "agent": agent, **stats})
    return pd.DataFrame(
        rows,
        columns=[
            "split",
            "period",
            "agent",
            "months",
            "ann_excess",
            "ann_vol",
            "sharpe",
            "sharpe_1n",
            "sharpe_diff",
            "active_return",
        ],
    )


def level_summary(
    table: pd.DataFrame, *, agents: Sequence[str] | None = None, periods_per_year: int = 12
) -> pd.DataFrame:
    """Statistics of each agent at each level of a replay table, against 1/N at that level.

    Parameters
    ----------
    table : DataFrame
        A replay table (``capacity`` or ``cost_sensitivity``): ``agent``, ``seed``, ``level``,
        ``date``, ``net_return``, ``rf``, ``cost_total``, ``turnover`` (optional ``path``),
        with the benchmark's rows under ``BENCHMARK``.
    agents : sequence of str, optional
        Agents to summarise (default all, in order of appearance).
    periods_per_year : int

    Returns
    -------
    DataFrame indexed by (level, agent)
        ``sharpe``, ``sharpe_1n``, ``sharpe_diff``, ``active_return`` (annualised),
        ``alpha_1n`` (annualised intercept of the agent's excess return on 1/N's),
        ``cost_drag`` (annualised mean cost), ``turnover`` (mean monthly), ``months``.

    Raises
    ------
    DataError
        If a column is missing, the benchmark has no rows, or a level's agents and benchmark
        do not cover the same months.
    """
    ppy = check_int("periods_per_year", periods_per_year, minimum=1)
    need = ("agent", "seed", "level", "date", "net_return", "rf", "cost_total", "turnover")
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise DataError(f"replay table must have the columns {list(need)}; missing {missing}")
    if not (table["agent"] == BENCHMARK).any():
        raise DataError(f"replay table holds no rows of the benchmark {BENCHMARK!r}")
    frame = table.assign(_month=pd.PeriodIndex(pd.to_datetime(table["date"]), freq="M"))
    names = [a for a in dict.fromkeys(frame["agent"]) if a != BENCHMARK]
    if agents is not None:
        names = [a for a in agents if a in set(names)]
    rows = []
    for level, part in frame.groupby("level", sort=True):
        wide = part.pivot_table(index="_month", columns="agent", values="net_return")
        if wide[[BENCHMARK, *names]].isna().to_numpy().any():
            raise DataError(
                f"replay level {level:g}: the agents and the benchmark do not cover the same months"
            )
        rf = part.groupby("_month")["rf"].mean().reindex(wide.index)
        cost = part.pivot_table(index="_month", columns="agent", values="cost_total")
        turn = part.pivot_table(index="_month", columns="agent", values="turnover")
        bench = wide[BENCHMARK]
        for agent in [BENCHMARK, *names]:
            x = wide[agent]
            row = {"level": float(level), "agent": agent, **_stats(x, bench, rf, ppy)}
            if agent == BENCHMARK:
                row["alpha_1n"] = 0.0
            else:
                reg = spanning_regression(
                    x, (bench - rf).rename("1/N"), rf=rf, periods_per_year=ppy
                )
                row["alpha_1n"] = float(reg["alpha_annualized"].iloc[0])
            row["cost_drag"] = float(cost[agent].mean()) * ppy
            row["turnover"] = float(turn[agent].mean())
            rows.append(row)
    out = pd.DataFrame(rows).set_index(["level", "agent"])
    return out[
        [
            "sharpe",
            "sharpe_1n",
            "sharpe_diff",
            "active_return",
            "alpha_1n",
            "cost_drag",
            "turnover",
            "months",
        ]
    ]


@dataclass(frozen=True)
class BreakEven:
    """Where an edge over 1/N vanishes along a grid of levels.

    Attributes
    ----------
    level : float
        The interpolated level where the edge first falls to 0 (NaN unless ``status`` is
        ``"crossed"``).
    status : {"crossed", "never positive", "positive throughout"}
        ``"never positive"``: no edge even at the lowest level tried; ``"positive
        throughout"``: the edge survives the highest level tried.
    """

    level: float
    status: str

    def describe(self, fmt: str = "{:.3g}") -> str:
        """``"1.8"``, ``"none (no edge at the lowest level)"`` or ``"> 4 (highest tried)"``."""
        if self.status == "crossed":
            return fmt.format(self.level)
        if self.status == "never positive":
            return "none (no edge even at the lowest level)"
        return f"> {fmt.format(self.level)} (edge at every level tried)"


def break_even(levels: Sequence[float], edge: Sequence[float], *, log: bool = False) -> BreakEven:
    """The level where ``edge`` (e.g. Sharpe minus 1/N's) first falls from > 0 to <= 0.

    Linear interpolation between the two levels around the first sign change, in
    ``log10(level)`` if ``log``.

    Parameters
    ----------
    levels : sequence of float
        Increasing levels (cost multipliers, or AUM with ``log=True``: all > 0).
    edge : sequence of float
        The edge at each level.
    log : bool

    Raises
    ------
    DataError
        If the sequences differ in length, are empty, hold NaN, or the levels do not increase
        (or are not > 0 with ``log``).
    """
    log = check_bool("log", log)
    x = np.asarray(levels, dtype=np.float64)
    y = np.asarray(edge, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or x.size == 0:
        raise DataError(
            f"`levels` and `edge` must be 1-D of the same non-zero length, got {x.shape} "
            f"and {y.shape}"
        )
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise DataError("`levels` and `edge` must be finite")
    if np.any(np.diff(x) <= 0) or (log and np.any(x <= 0)):
        raise DataError(f"`levels` must increase{' and be > 0' if log else ''}, got {x.tolist()}")
    if y[0] <= 0:
        return BreakEven(float("nan"), "never positive")
    below = np.flatnonzero(y <= 0)
    if below.size == 0:
        return BreakEven(float(x[-1]), "positive throughout")
    j = int(below[0])
    u = np.log10(x) if log else x
    frac = y[j - 1] / (y[j - 1] - y[j])
    at = u[j - 1] + frac * (u[j] - u[j - 1])
    return BreakEven(float(10.0**at if log else at), "crossed")
