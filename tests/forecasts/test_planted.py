"""Must-show (3): ridge finds a planted linear predictor out of sample, and nothing in noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorgym import FactorPanel
from factorgym.forecasts import WalkForwardForecaster, skill_table

from .conftest import planted


def _skill(panel: FactorPanel, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    fc = WalkForwardForecaster("ridge").fit(panel, extra_features=extra)  # library defaults
    return skill_table({"ridge": fc.forecast_}, panel).loc["ridge"]


def test_planted_external_predictor_gives_positive_oos_r2() -> None:
    panel, signal = planted(480, beta=0.02, seed=0)  # population R² of factor A: 0.2
    table = _skill(panel, signal)
    assert table.loc["A", "r2_hm"] > 0.1 and table.loc["A", "r2_zero"] > 0.1
    assert table.loc["A", "ic"] > 0.3 and table.loc["A", "cw_pvalue"] < 1e-4
    assert table.loc["B", "r2_hm"] < 0.01  # the unrelated factor stays unpredictable


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pure_noise_gives_no_oos_r2(seed: int) -> None:
    panel, signal = planted(480, beta=0.0, seed=seed)
    table = _skill(panel, signal)
    assert (table["r2_hm"] < 0.01).all()
    assert (table["cw_pvalue"] > 0.01).all()


def test_planted_autoregression_is_found_by_the_lag_features() -> None:
    rng = np.random.default_rng(11)
    e = rng.normal(0.0, 0.04, size=(480, 2))
    x = e.copy()
    for t in range(1, 480):
        x[t, 0] = 0.004 + 0.4 * x[t - 1, 0] + e[t, 0]
    panel = FactorPanel(x, 0.0, pd.period_range("1970-01", periods=480, freq="M"), ["AR", "N"])
    table = _skill(panel)
    assert table.loc["AR", "r2_hm"] > 0.08
    assert table.loc["N", "r2_hm"] < 0.01
