"""Rolling ratios, PSI and KS drift, validation gap and alerts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation.metrics import information_ratio, sharpe_ratio
from factorgym.evaluation.monitoring import (
    MonitoringThresholds,
    drift_table,
    monitoring_alerts,
    population_stability_index,
    psi_bins,
    rolling_ratios,
    validation_gap,
)
from factorgym.evaluation.run_series import view_from_returns
from factorgym.experiments.units import BENCHMARK


def test_psi_hand_example() -> None:
    # bins cut at the median of `expected` (1.5): expected shares 1/2, 1/2; actual 3/4, 1/4
    psi, p = population_stability_index([0.0, 1.0, 2.0, 3.0], [0.0, 0.0, 0.0, 3.0], bins=2)
    expected = 0.25 * math.log(1.5) + 0.25 * math.log(2.0)
    assert psi == pytest.approx(expected, rel=1e-12)
    assert p == pytest.approx(stats.chi2.sf(expected / 0.5, 1), rel=1e-12)
    same, p_same = population_stability_index(np.arange(100.0), np.arange(100.0))
    assert same == 0.0 and p_same == 1.0


def test_psi_pvalue_is_calibrated_without_shift() -> None:
    rng = np.random.default_rng(0)
    p = [
        population_stability_index(rng.normal(size=120), rng.normal(size=60), bins=6)[1]
        for _ in range(400)
    ]
    rate = float(np.mean(np.array(p) < 0.05))
    assert 0.02 <= rate <= 0.09
    shifted = population_stability_index(rng.normal(size=120), rng.normal(1.0, 1.0, 60), bins=6)
    assert shifted[0] > 0.25 and shifted[1] < 1e-3


@pytest.mark.parametrize(
    ("n", "m", "expected"), [(120, 48, 9), (500, 500, 10), (10, 7, 2), (60, 30, 6)]
)
def test_psi_bins_shrink_with_short_windows(n: int, m: int, expected: int) -> None:
    assert psi_bins(n, m) == expected


def test_psi_refuses_bad_samples() -> None:
    with pytest.raises(DataError, match="must hold >= 2 finite values, got 1 and 3"):
        population_stability_index([1.0], [1.0, 2.0, 3.0])
    with pytest.raises(DataError, match="must hold >= 2 finite values"):
        population_stability_index([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ConfigError, match="`bins` must be an int >= 2, got 1"):
        population_stability_index([1.0, 2.0], [1.0, 2.0], bins=1)


def _folds() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "fold": [0, 0, 0, 1, 1, 1],
            "role": ["train", "validation", "test", "train", "validation", "test"],
            "start": ["2000-01", "2004-01", "2005-01", "2000-01", "2009-01", "2010-01"],
            "end": ["2003-12", "2004-12", "2009-12", "2008-12", "2009-12", "2014-12"],
            "months": [48, 12, 60, 108, 12, 60],
            "path": [-1, -1, 0, -1, -1, 0],
        }
    )


def test_drift_table_finds_a_planted_shift() -> None:
    rng = np.random.default_rng(1)
    months = pd.period_range("2000-01", "2014-12", freq="M")
    data = pd.DataFrame(
        {"calm": rng.normal(0.0, 0.04, len(months)), "shift": rng.normal(0.0, 0.04, len(months))},
        index=months,
    )
    data.loc[data.index >= pd.Period("2010-01", freq="M"), "shift"] += 0.08
    out = drift_table(data, _folds())
    assert list(out[["fold", "column"]].itertuples(index=False, name=None)) == [
        (0, "calm"),
        (0, "shift"),
        (1, "calm"),
        (1, "shift"),
    ]
    row = out.set_index(["fold", "column"]).loc[(1, "shift")]
    assert row["train"] == "2000-01..2008-12" and row["test"] == "2010-01..2014-12"
    assert row["ks_pvalue"] < 1e-6 and row["psi"] > 1.0 and row["psi_pvalue"] < 1e-6
    assert row["mean_test"] == pytest.approx(data.loc["2010-01":, "shift"].mean())
    calm = out.set_index(["fold", "column"]).loc[(0, "calm")]
    assert calm["ks_pvalue"] > 0.01
    alerts = monitoring_alerts(pd.DataFrame(), pd.DataFrame(), agents=[], drift=out)
    assert [a.subject for a in alerts] == ["fold 1"]
    assert "shift (PSI" in alerts[0].message and "calm" not in alerts[0].message


def test_drift_table_refuses_bad_folds() -> None:
    data = pd.DataFrame({"x": np.zeros(3)}, index=pd.period_range("2000-01", periods=3, freq="M"))
    with pytest.raises(DataError, match=r"missing \['role'\]"):
        drift_table(data, _folds().drop(columns="role"))
    with pytest.raises(DataError, match="fold 0: `data` holds 3 training and 0 test months"):
        drift_table(data, _folds())


def _view(n: int = 60):
    rng = np.random.default_rng(2)
    months = [str(m) for m in pd.period_range("2000-01", periods=n, freq="M")]
    bench = rng.normal(0.006, 0.04, n)
    rows = []
    for agent, ret in ((BENCHMARK, bench), ("x", bench + rng.normal(-0.004, 0.01, n))):
        for m, r in zip(months, ret, strict=True):
            rows.append(
                {
                    "agent": agent,
                    "seed": 0,
                    "month": m,
                    "net_return": r,
                    "gross_return": r,
                    "rf": 0.002,
                    "turnover": 0.0,
                }
            )
    return view_from_returns(pd.DataFrame(rows))


def test_rolling_ratios_equal_the_metric_on_each_window() -> None:
    view = _view()
    sharpe, ir = rolling_ratios(view, window=36)
    assert sharpe.iloc[:35].isna().all().all() and ir.iloc[:35].isna().all().all()
    for end in (36, 47, 60):
        window = view.net.iloc[end - 36 : end]
        np.testing.assert_allclose(
            sharpe.iloc[end - 1]["x"], float(sharpe_ratio(window["x"], rf=0.002)), rtol=1e-12
        )
        np.testing.assert_allclose(
            ir.iloc[end - 1]["x"],
            float(information_ratio(window["x"], window[BENCHMARK])),
            rtol=1e-12,
        )


def test_performance_and_overfitting_alerts() -> None:
    view = _view()
    sharpe, ir = rolling_ratios(view, window=36)
    assert ir["x"].iloc[-1] < -0.5  # x lags 1/N by 4.8 % a year at 3.5 % tracking error
    gap = pd.DataFrame(
        {"validation_sharpe": [2.0], "test_sharpe": [0.3], "gap": [1.7]},
        index=pd.Index(["x"], name="agent"),
    )
    alerts = monitoring_alerts(sharpe, ir, agents=["x"], gap=gap)
    kinds = [(a.kind, a.subject) for a in alerts]
    assert ("performance", "x") in kinds and ("overfitting", "x") in kinds
    assert any("information ratio vs 1/N ends at" in a.message for a in alerts)
    lenient = MonitoringThresholds(min_information_ratio=-100.0, min_sharpe=-100.0)
    quiet = monitoring_alerts(sharpe, ir, agents=["x"], thresholds=lenient)
    assert quiet == []


def test_validation_gap_from_the_ledger() -> None:
    ledger = pd.DataFrame(
        {
            "agent": ["a", "a", "a", "b", "b"],
            "validation_sharpe": [1.0, 2.0, 3.0, 0.5, float("nan")],
            "test_sharpe": [0.1, 0.3, 0.2, 0.4, 0.2],
        }
    )
    out = validation_gap(ledger)
    assert out.loc["a", "gap"] == pytest.approx(2.0 - 0.2)
    assert out.loc["a", "rank_corr"] == pytest.approx(0.5)
    assert out.loc["b", "trials"] == 1 and math.isnan(out.loc["b", "rank_corr"])
    assert validation_gap(pd.DataFrame()).empty


def test_thresholds_are_checked() -> None:
    with pytest.raises(ConfigError, match="`window` must be an int >= 6, got 3"):
        MonitoringThresholds(window=3)
    with pytest.raises(ConfigError, match="`min_pvalue` must be a finite number > 0 and <= 1"):
        MonitoringThresholds(min_pvalue=0.0)
    with pytest.raises(ConfigError, match="`max_psi` must be a finite number > 0, got -1"):
        MonitoringThresholds(max_psi=-1)
