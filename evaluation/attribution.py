"""Where the return came from: factors, costs, and the exposures held in each regime.

The env's accounting (``ARCHITECTURE.md``) is ``r_gross = rf + sum_k w_k x_k`` with ``w`` the
executed weights held over the month and ``x`` the assets' excess returns of the month earned,
and ``r_net = r_gross - (proportional + internal + impact costs)``. So the annualised mean net
return splits exactly into ``rf``, one term ``mean(w_k x_k)`` per asset and one per cost
component; :func:`return_attribution` computes the split and reports how far it is from the
recorded net return (``residual``, zero to rounding when the panel is the run's).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorgym.errors import DataError
from factorgym.evaluation.run_series import COST_COMPONENTS, RunView
from factorgym.experiments.units import BENCHMARK
from factorgym.panel import FactorPanel
from factorgym.validation import check_int

__all__ = [
    "asset_excess_returns",
    "exposures_by_regime",
    "return_attribution",
]


def asset_excess_returns(panel: FactorPanel) -> pd.DataFrame:
    """``x[t, k]``: each asset's return over the risk-free rate, indexed by month.

    An ``"excess"`` panel holds excess returns already (long-short factors, Mkt-RF); a
    ``"total"`` panel's ``R - rf``.
    """
    values = panel.returns
    if panel.kind == "total":
        values = values - panel.rf[:, None]
    return pd.DataFrame(values, index=panel.months, columns=list(panel.assets))


def return_attribution(
    view: RunView, asset_excess: pd.DataFrame, *, periods_per_year: int = 12
) -> pd.DataFrame:
    """Annualised mean net return of each agent split into rf, assets and costs.

    Parameters
    ----------
    view : RunView
        With executed weights (``view.weights``) and cost components.
    asset_excess : DataFrame of shape (n_panel_months, n_assets)
        :func:`asset_excess_returns` of the run's panel (must cover the months earned).
    periods_per_year : int

    Returns
    -------
    DataFrame indexed by agent (1/N first)
        ``rf``, one column per asset (``mean(w_k x_k) x periods_per_year``), one per cost
        component (negative), ``net`` (their sum), ``recorded_net`` (the annualised mean of
        the recorded net returns) and ``residual`` (``recorded_net - net``).

    Raises
    ------
    DataError
        If the run recorded no weights, or ``asset_excess`` lacks an asset or a month.
    """
    ppy = check_int("periods_per_year", periods_per_year, minimum=1)
    if not view.weights:
        raise DataError("the run recorded no executed weights: no attribution")
    missing = [a for a in view.assets if a not in asset_excess.columns]
    if missing:
        raise DataError(f"`asset_excess` lacks the assets {missing}")
    x = asset_excess.reindex(view.months)[list(view.assets)]
    if x.isna().to_numpy().any():
        raise DataError("`asset_excess` must cover every month the run earned")
    rows = {}
    for agent in [BENCHMARK, *view.agents]:
        w = view.weights[agent]
        contrib = (w.to_numpy() * x.to_numpy()).mean(axis=0) * ppy
        row: dict[str, float] = {"rf": float(view.rf.mean()) * ppy}
        row |= {a: float(c) for a, c in zip(view.assets, contrib, strict=True)}
        for comp in COST_COMPONENTS:
            if comp in view.costs:
                row[comp] = -float(view.costs[comp][agent].mean()) * ppy
        row["net"] = float(sum(row.values()))
        row["recorded_net"] = float(view.net[agent].mean()) * ppy
        row["residual"] = row["recorded_net"] - row["net"]
        rows[agent] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "agent"
    return out


def exposures_by_regime(view: RunView) -> pd.DataFrame:
    """Mean executed weights of every agent in each regime state.

    The state of a month is the one with the highest filtered probability at its decision
    month (the information the agent acted on).

    Returns
    -------
    DataFrame indexed by (agent, state)
        One column per asset and ``months``; empty if the run recorded no regime
        probabilities or no weights.
    """
    if not view.regimes.shape[1] or not view.weights:
        return pd.DataFrame()
    probs = view.regimes
    ok = probs.notna().all(axis=1).to_numpy()
    state = np.where(ok, np.argmax(np.nan_to_num(probs.to_numpy(), nan=-1.0), axis=1), -1)
    rows = []
    for agent in [BENCHMARK, *view.agents]:
        w = view.weights[agent]
        for k in sorted(set(state[ok].tolist())):
            mask = state == k
            row = {"agent": agent, "state": f"state {k}", "months": int(mask.sum())}
            row |= {a: float(v) for a, v in w[mask].mean(axis=0).items()}
            rows.append(row)
    return pd.DataFrame(rows).set_index(["agent", "state"])
