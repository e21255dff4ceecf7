"""Return attribution by asset and cost, and exposures by regime."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from factorgym.errors import DataError
from factorgym.evaluation.attribution import (
    asset_excess_returns,
    exposures_by_regime,
    return_attribution,
)
from factorgym.evaluation.run_series import run_panel, run_view, view_from_returns
from factorgym.experiments import load_run
from factorgym.experiments.units import BENCHMARK
from factorgym.panel import FactorPanel


def test_attribution_adds_up_to_the_recorded_net_return(tiny_run: Path) -> None:
    results = load_run(tiny_run)
    view = run_view(results)
    panel = run_panel(results.manifest)
    out = return_attribution(view, asset_excess_returns(panel))
    assert list(out.index) == [BENCHMARK, "fixed", "random", "trend"]
    assets = list(view.assets)
    parts = ["rf", *assets, "cost_proportional", "cost_internal", "cost_impact"]
    assert list(out.columns) == [*parts, "net", "recorded_net", "residual"]
    np.testing.assert_allclose(out[parts].sum(axis=1), out["net"], rtol=0, atol=1e-15)
    # the env's accounting, recomputed from weights and panel returns, to rounding
    assert out["residual"].abs().max() < 1e-12
    assert (out[["cost_proportional", "cost_internal", "cost_impact"]] <= 0).all().all()
    # trend holds fewer assets than 1/N: its contributions differ
    assert not np.allclose(out.loc["trend", assets], out.loc[BENCHMARK, assets])


def test_total_return_panels_subtract_rf() -> None:
    months = pd.period_range("2000-01", periods=3, freq="M")
    panel = FactorPanel(np.full((3, 2), 0.01), 0.004, months, ["A", "B"], kind="total")
    np.testing.assert_allclose(asset_excess_returns(panel).to_numpy(), 0.006)
    excess = FactorPanel(np.full((3, 2), 0.01), 0.004, months, ["A", "B"], kind="excess")
    np.testing.assert_allclose(asset_excess_returns(excess).to_numpy(), 0.01)


def _view_with_regimes():
    months = [str(m) for m in pd.period_range("2000-01", periods=4, freq="M")]
    rows = []
    for agent, w in ((BENCHMARK, (0.5, 0.5)), ("x", None)):
        for i, m in enumerate(months):
            wa = w[0] if w else (0.9 if i < 2 else 0.1)
            rows.append(
                {
                    "agent": agent,
                    "seed": 0,
                    "month": m,
                    "net_return": 0.01,
                    "gross_return": 0.011,
                    "rf": 0.001,
                    "turnover": 0.0,
                    "executed_weights:A": wa,
                    "executed_weights:B": 1.0 - wa,
                    "regime_p0": 0.7 if i < 2 else (0.4 if i == 2 else np.nan),
                    "regime_p1": 0.3 if i < 2 else (0.6 if i == 2 else np.nan),
                }
            )
    return view_from_returns(pd.DataFrame(rows))


def test_exposures_by_regime() -> None:
    out = exposures_by_regime(_view_with_regimes())
    assert out.loc[("x", "state 0"), "A"] == pytest.approx(0.9)
    assert out.loc[("x", "state 0"), "months"] == 2
    assert out.loc[("x", "state 1"), "A"] == pytest.approx(0.1)
    assert out.loc[("x", "state 1"), "months"] == 1  # the month without probabilities is left out
    assert out.loc[(BENCHMARK, "state 1"), "B"] == pytest.approx(0.5)


def test_attribution_refuses_what_it_cannot_reconcile(tiny_run: Path) -> None:
    results = load_run(tiny_run)
    view = run_view(results)
    excess = asset_excess_returns(run_panel(results.manifest))
    with pytest.raises(DataError, match=r"lacks the assets \['SMB'\]"):
        return_attribution(view, excess.drop(columns="SMB"))
    with pytest.raises(DataError, match="must cover every month the run earned"):
        return_attribution(view, excess.iloc[:-5])
    bare = view_from_returns(
        results.returns.drop(columns=[c for c in results.returns if c.startswith("executed")])
    )
    with pytest.raises(DataError, match="the run recorded no executed weights"):
        return_attribution(bare, excess)
    assert exposures_by_regime(bare).empty
