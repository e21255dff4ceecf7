from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from factorgym import ConfigError, DataError, FactorPanel, LookAheadError
from factorgym.forecasts import build_features, check_extra_features, next_month_labels

from .conftest import perturbed


def test_columns_and_hand_computed_values(random_panel: FactorPanel) -> None:
    f = build_features(random_panel)
    x = np.asarray(random_panel.returns)
    assert list(f.index) == list(random_panel.months)
    assert f.index.name == "month"
    assert list(f.columns[:6]) == [
        "A:ret_1",
        "A:ret_3",
        "A:ret_12",
        "A:vol_12",
        "A:tsmom_12",
        "A:xsmom_12",
    ]
    assert f.columns[-1] == "rf"
    t = 40
    assert f.loc[random_panel.months[t], "B:ret_1"] == x[t, 1]
    assert_allclose(f["B:ret_3"].iloc[t], x[t - 2 : t + 1, 1].sum(), rtol=1e-14)
    assert_allclose(f["C:ret_12"].iloc[t], x[t - 11 : t + 1, 2].sum(), rtol=1e-14)
    assert_allclose(f["A:vol_12"].iloc[t], np.std(x[t - 11 : t + 1, 0], ddof=1), rtol=1e-14)
    tsmom = x[t - 11 : t + 1, 0].sum() / (np.std(x[t - 11 : t + 1, 0], ddof=1) * np.sqrt(12))
    assert_allclose(f["A:tsmom_12"].iloc[t], tsmom, rtol=1e-12)
    # cross-sectional momentum: ranks of the 12-month sums across the three factors
    sums = x[t - 11 : t + 1].sum(axis=0)
    ranks = sums.argsort().argsort() + 1.0
    assert_allclose(f.iloc[t][["A:xsmom_12", "B:xsmom_12", "C:xsmom_12"]], (ranks - 2.0) / 2.0)
    assert_allclose(f["rf"], random_panel.rf)


def test_nan_until_windows_are_full(random_panel: FactorPanel) -> None:
    f = build_features(random_panel)
    complete = f.notna().all(axis=1).to_numpy()
    assert not complete[:11].any()
    assert complete[11:].all()
    assert f["A:ret_1"].notna().all()
    assert f["A:ret_3"].iloc[:2].isna().all() and f["A:ret_3"].iloc[2:].notna().all()


def test_xsmom_ties_and_single_asset() -> None:
    months = pd.period_range("2000-01", periods=14, freq="M")
    x = np.tile([0.01, 0.01, 0.03], (14, 1))
    f = build_features(FactorPanel(x, 0.0, months, ["a", "b", "c"]), return_windows=(1,))
    assert_allclose(f.iloc[-1][["a:xsmom_12", "b:xsmom_12", "c:xsmom_12"]], [-0.25, -0.25, 0.5])
    one = build_features(FactorPanel(x[:, :1] + np.arange(14)[:, None] * 1e-3, 0.0, months, ["a"]))
    assert (one["a:xsmom_12"].iloc[11:] == 0.0).all()


@pytest.mark.parametrize("t", [11, 30, 60, 118])
def test_rows_up_to_t_ignore_later_months(random_panel: FactorPanel, t: int) -> None:
    base = build_features(random_panel).to_numpy()
    other = build_features(perturbed(random_panel, t)).to_numpy()
    assert np.array_equal(base[: t + 1], other[: t + 1], equal_nan=True)
    assert not np.array_equal(base[t + 1 :], other[t + 1 :], equal_nan=True)


def test_labels_are_next_month(random_panel: FactorPanel) -> None:
    y = next_month_labels(random_panel)
    assert np.array_equal(y.to_numpy()[:-1], random_panel.returns[1:])
    assert y.iloc[-1].isna().all()
    assert list(y.columns) == ["A", "B", "C"]


def test_extra_features_are_appended_by_month(random_panel: FactorPanel) -> None:
    extra = pd.DataFrame({"p_calm": np.linspace(0, 1, 120)}, index=random_panel.index)
    f = build_features(random_panel, extra_features=extra)
    assert f.columns[-1] == "p_calm"
    assert_allclose(f["p_calm"], np.linspace(0, 1, 120))
    # a PeriodIndex is accepted as well, NaN marks "not yet available"
    extra2 = pd.DataFrame(
        {"p": np.r_[np.full(20, np.nan), np.ones(100)]}, index=random_panel.months
    )
    assert check_extra_features(random_panel, extra2)["p"].isna().sum() == 20


def test_extra_features_with_later_rows_are_rejected(random_panel: FactorPanel) -> None:
    months = pd.period_range(random_panel.start, periods=121, freq="M")
    extra = pd.DataFrame({"p": np.zeros(121)}, index=months)
    with pytest.raises(LookAheadError, match=r"later-dated row: 2010-01 is after the panel's last"):
        build_features(random_panel, extra_features=extra)


@pytest.mark.parametrize(
    ("months", "match"),
    [
        (lambda m: m - 1, "it starts at 1999-12, before the panel's first month 2000-01"),
        (lambda m: m[:-1], "it ends at 2009-11, the panel at 2009-12"),
        (lambda m: m[[0, 2, 1, *range(3, 120)]], "2000-02 follows 2000-03"),
    ],
    ids=["shifted-early", "ends-early", "unsorted"],
)
def test_misaligned_extra_features_are_rejected(random_panel: FactorPanel, months, match) -> None:
    idx = months(random_panel.months)
    extra = pd.DataFrame({"p": np.zeros(len(idx))}, index=idx)
    with pytest.raises(LookAheadError, match=match):
        check_extra_features(random_panel, extra)


def test_late_start_is_missing_before_and_holes_after_are_refused(random_panel) -> None:
    late = pd.DataFrame({"p": np.ones(110)}, index=random_panel.months[10:])
    out = check_extra_features(random_panel, late)
    assert out["p"].isna().sum() == 10 and out.index.equals(random_panel.months)
    holes = pd.DataFrame(
        {"p": np.where(np.arange(120) % 2 == 0, 0.5, np.nan)}, index=random_panel.months
    )
    with pytest.raises(DataError, match="missing values at 2000-02, after its first complete row"):
        check_extra_features(random_panel, holes)


def test_extra_features_validation_errors(random_panel: FactorPanel) -> None:
    idx = random_panel.months
    with pytest.raises(DataError, match="must be a pandas DataFrame, got ndarray"):
        check_extra_features(random_panel, np.zeros((120, 1)))
    with pytest.raises(DataError, match="at least one row and one column"):
        check_extra_features(random_panel, pd.DataFrame(index=idx))
    dup = pd.DataFrame(np.zeros((120, 2)), index=idx, columns=["p", "p"])
    with pytest.raises(DataError, match="columns must be unique, got duplicates"):
        check_extra_features(random_panel, dup)
    with pytest.raises(DataError, match="must be numeric"):
        check_extra_features(random_panel, pd.DataFrame({"p": ["a"] * 120}, index=idx))
    inf = pd.DataFrame({"p": np.r_[np.inf, np.zeros(119)]}, index=idx)
    with pytest.raises(DataError, match="'extra_features' must not contain inf"):
        check_extra_features(random_panel, inf)
    clash = pd.DataFrame({"rf": np.zeros(120)}, index=idx)
    with pytest.raises(ConfigError, match=r"must not reuse built-in feature names, got \['rf'\]"):
        build_features(random_panel, extra_features=clash)


def test_feature_parameter_errors(random_panel: FactorPanel) -> None:
    with pytest.raises(DataError, match="`panel` must be a FactorPanel, got DataFrame"):
        build_features(random_panel.to_frame())
    with pytest.raises(ConfigError, match="`return_windows` must be a non-empty sequence"):
        build_features(random_panel, return_windows=())
    with pytest.raises(ConfigError, match=r"`return_windows\[0\]` must be an int >= 1, got 0"):
        build_features(random_panel, return_windows=(0, 3))
    with pytest.raises(ConfigError, match="`vol_window` must be an int >= 2, got 1"):
        build_features(random_panel, vol_window=1)
    with pytest.raises(ConfigError, match="`momentum_window` must be an int >= 2, got 1.5"):
        build_features(random_panel, momentum_window=1.5)


def test_window_longer_than_panel_gives_nan() -> None:
    months = pd.period_range("2000-01", periods=5, freq="M")
    panel = FactorPanel(np.full((5, 1), 0.01) + np.arange(5)[:, None] * 1e-3, 0.0, months, ["a"])
    f = build_features(panel, include_rf=False)
    assert f["a:ret_12"].isna().all() and f["a:ret_1"].notna().all()
    assert "rf" not in f.columns
