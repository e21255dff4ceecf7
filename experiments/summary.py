"""The end-of-run summary: one row per agent, averaged over its seeds (and CPCV paths).

A first look only; the statistics a claim needs (deflated Sharpe ratio, PBO, SPA tests,
bootstrap intervals) are in :mod:`factorgym.evaluation`, which reads the same tables.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from factorgym.validation import check_int

__all__ = ["series_statistics", "summarize"]


def series_statistics(frame: pd.DataFrame, *, periods_per_year: int) -> dict[str, float]:
    """Statistics of one stitched out-of-sample series (rows in month order).

    Parameters
    ----------
    frame : DataFrame
        Columns ``net_return``, ``rf``, ``turnover``, ``cost_total``.
    periods_per_year : int
        12 for monthly data.

    Returns
    -------
    dict
        ``months``; ``ann_excess`` = mean(net - rf) x P; ``ann_vol`` = std(net - rf, ddof=1)
        x sqrt(P); ``sharpe`` = their ratio (Sharpe 1994); ``max_drawdown`` = largest fall of
        the compounded wealth prod(1 + net) from its running peak (a positive fraction);
        ``turnover`` = mean one-way turnover per month; ``cost_drag`` = mean(cost_total) x P.
    """
    excess = (frame["net_return"] - frame["rf"]).to_numpy(dtype=np.float64)
    n = excess.size
    mean = float(np.mean(excess)) if n else float("nan")
    sd = float(np.std(excess, ddof=1)) if n > 1 else float("nan")
    wealth = np.cumprod(1.0 + frame["net_return"].to_numpy(dtype=np.float64))
    peak = np.maximum.accumulate(np.concatenate([[1.0], wealth]))[1:]
    return {
        "months": float(n),
        "ann_excess": mean * periods_per_year,
        "ann_vol": sd * math.sqrt(periods_per_year),
        "sharpe": mean / sd * math.sqrt(periods_per_year) if sd > 0 else float("nan"),
        "max_drawdown": float(np.max(1.0 - wealth / peak)) if n else float("nan"),
        "turnover": float(frame["turnover"].mean()),
        "cost_drag": float(frame["cost_total"].mean()) * periods_per_year,
    }


def summarize(returns: pd.DataFrame, *, periods_per_year: int = 12) -> pd.DataFrame:
    """One row per agent (in the table's order), statistics averaged over seeds and paths.

    Parameters
    ----------
    returns : DataFrame
        The run's ``returns`` table (``agent``, ``seed``, ``path``, ``month`` and the columns
        of :func:`series_statistics`).
    periods_per_year : int
        12 for monthly data.

    Returns
    -------
    DataFrame indexed by agent
        ``series`` (seeds x paths), the means of :func:`series_statistics` and ``sharpe_sd``
        (standard deviation of the Sharpe ratio across seeds and paths; 0 for one series).
    """
    periods_per_year = check_int("periods_per_year", periods_per_year, minimum=1)
    rows = []
    for (agent, seed, path), frame in returns.groupby(
        ["agent", "seed", "path"], sort=False, observed=True
    ):
        stats = series_statistics(frame.sort_values("month"), periods_per_year=periods_per_year)
        rows.append({"agent": agent, "seed": seed, "path": path, **stats})
    per_series = pd.DataFrame(rows)
    grouped = per_series.groupby("agent", sort=False)
    out = grouped.mean(numeric_only=True).drop(columns=["seed", "path"])
    out.insert(0, "series", grouped.size())
    out["sharpe_sd"] = grouped["sharpe"].std(ddof=0).fillna(0.0)
    return out
