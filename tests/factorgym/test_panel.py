from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from factorgym import DataError, FactorPanel, UnknownAssetError
from factorgym.panel import Provenance


def _panel(values=None, index=None, assets=("A", "B"), rf=0.001, kind="excess"):
    if values is None:
        values = np.random.default_rng(1).normal(0.005, 0.03, size=(24, len(assets)))
    if index is None:
        index = pd.period_range("2000-01", periods=len(values), freq="M")
    return FactorPanel(values, rf, index, list(assets), kind=kind)


# ----------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {
                "index": pd.PeriodIndex(["2000-02", "2000-01", "2000-03"], freq="M"),
                "values": np.zeros((3, 2)),
            },
            "sorted ascending, got 2000-02 followed by 2000-01",
        ),
        (
            {
                "index": pd.PeriodIndex(["2000-01", "2000-01", "2000-02"], freq="M"),
                "values": np.zeros((3, 2)),
            },
            "duplicate month 2000-01",
        ),
        (
            {
                "index": pd.DatetimeIndex(["2000-01-31", "2000-01-15", "2000-02-29"]),
                "values": np.zeros((3, 2)),
            },
            "duplicate month 2000-01",
        ),
        (
            {
                "index": pd.PeriodIndex(["2000-01", "2000-02", "2000-05"], freq="M"),
                "values": np.zeros((3, 2)),
            },
            r"no gaps.*2000-02 followed by 2000-05 \(2 months missing\)",
        ),
        ({"values": np.array([[0.01, np.nan], [0.0, 0.0]])}, "finite.*first at 2000-01, asset 'B'"),
        ({"values": np.array([[0.01, np.inf], [0.0, 0.0]])}, "must be finite"),
        ({"values": np.full((4, 2), 2.5)}, "looks like percent"),
        ({"values": np.array([[0.01, -99.99], [0.0, 0.01]])}, "missing-value marker -99.99"),
        ({"values": np.array([[0.01, -999.0], [0.0, 0.01]])}, "missing-value marker -999"),
        ({"values": np.array([[0.01, -1.5], [0.0, 0.01]])}, "<= -1"),
        ({"assets": ("A", "A")}, r"unique, got duplicates \['A'\]"),
        ({"assets": ("A", "")}, "non-empty"),
        (
            {"assets": ("A", "B", "C"), "values": np.zeros((24, 2))},
            "name every column: 2 columns, got 3",
        ),
        ({"kind": "levered"}, "`kind` must be one of"),
        ({"rf": np.zeros(5)}, r"`rf` must have one value per month \(24\)"),
        ({"index": pd.period_range("2000-01", periods=3, freq="M")}, "one row per month: 3"),
        ({"index": ["not a date"] * 24}, "must hold dates"),
        (
            {
                "values": np.zeros((2, 2, 2)),
                "index": pd.period_range("2000-01", periods=2, freq="M"),
            },
            "must be 2-D",
        ),
        ({"values": np.zeros((0, 2)), "index": pd.PeriodIndex([], freq="M")}, "at least one month"),
    ],
)
def test_invalid_panels_raise(kwargs, match):
    with pytest.raises(DataError, match=match):
        _panel(**kwargs)


def test_rf_percent_is_rejected():
    with pytest.raises(DataError, match="`rf` is declared in decimals but looks like percent"):
        _panel(rf=0.4)


# ----------------------------------------------------------------------------- behaviour
def test_arrays_are_read_only_copies():
    values = np.full((24, 2), 0.01)
    panel = _panel(values=values)
    values[0, 0] = 0.5  # the caller's array does not reach the panel
    assert panel.returns[0, 0] == 0.01
    with pytest.raises(ValueError, match="read-only"):
        panel.returns[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        panel.rf[0] = 1.0


def test_datetime_and_period_indexes_are_equivalent():
    a = _panel(index=pd.date_range("2000-01-31", periods=24, freq="ME"))
    b = _panel(index=pd.period_range("2000-01", periods=24, freq="M"))
    assert a == b
    assert a.content_hash == b.content_hash
    assert a.index[0] == pd.Timestamp("2000-01-31")


def test_slice_select_and_errors():
    panel = _panel(assets=("MktRF", "HML", "Mom"))
    sub = panel.slice("2000-03", "2000-05").select(["Mom", "MktRF"])
    assert sub.assets == ("Mom", "MktRF")
    assert sub.n_months == 3 and str(sub.start) == "2000-03"
    np.testing.assert_array_equal(sub.returns, panel.returns[2:5][:, [2, 0]])
    assert sub.content_hash != panel.content_hash
    with pytest.raises(DataError, match="`start` must not be after `end`"):
        panel.slice("2001-01", "2000-01")
    with pytest.raises(DataError, match="holds no month of the panel"):
        panel.slice("1990-01", "1990-12")
    with pytest.raises(DataError, match="must be a month such as"):
        panel.slice("January")
    with pytest.raises(DataError, match="must be a month such as"):
        panel.slice("2000-13")
    assert panel.slice("200003", "2000-04-30").n_months == 2
    with pytest.raises(UnknownAssetError, match="did you mean 'Mom'"):
        panel.select(["Momentum"])
    with pytest.raises(UnknownAssetError, match="did you mean 'MktRF'"):
        panel.select("mktrf")
    with pytest.raises(DataError, match="at least one asset"):
        panel.select([])
    with pytest.raises(DataError, match="must not repeat"):
        panel.select(["HML", "HML"])


def test_month_position():
    panel = _panel()
    assert panel.month_position("2000-03") == 2
    with pytest.raises(DataError, match=r"must lie in 2000-01..2001-12, got 2002-01"):
        panel.month_position("2002-01")


def test_to_frame_and_pickle_round_trip():
    panel = _panel(kind="total")
    frame = panel.to_frame(include_rf=True)
    assert list(frame.columns) == ["A", "B", "RF"]
    np.testing.assert_array_equal(frame[["A", "B"]].to_numpy(), panel.returns)
    back = pickle.loads(pickle.dumps(panel))
    assert back == panel and back.kind == "total"
    assert back.provenance == panel.provenance
    again = FactorPanel.from_frame(frame, rf_column="RF", kind="total")
    assert again == panel


def test_from_frame_errors():
    frame = _panel().to_frame()
    with pytest.raises(UnknownAssetError, match="`rf_column` 'rf' is not a column"):
        FactorPanel.from_frame(frame, rf_column="rf")
    with pytest.raises(DataError, match="`rf` is required"):
        FactorPanel.from_frame(frame)


def test_describe_matches_hand_computation():
    rng = np.random.default_rng(3)
    x = rng.normal(0.01, 0.05, size=(60, 1))
    rf = np.full(60, 0.002)
    excess = FactorPanel(x, rf, pd.period_range("2000-01", periods=60, freq="M"), ["X"])
    total = FactorPanel(x, rf, excess.months, ["X"], kind="total")
    d = excess.describe(periods_per_year=12).loc["X"]
    assert d["ann_mean"] == pytest.approx(x.mean() * 12, rel=1e-12)
    assert d["ann_vol"] == pytest.approx(x.std(ddof=1) * np.sqrt(12), rel=1e-12)
    assert d["sharpe"] == pytest.approx(x.mean() / x.std(ddof=1) * np.sqrt(12), rel=1e-12)
    wealth = np.cumprod(1 + x[:, 0])
    peak = np.maximum.accumulate(np.concatenate([[1.0], wealth]))[1:]
    assert d["max_drawdown"] == pytest.approx(np.max(1 - wealth / peak), rel=1e-12)
    assert d["skew"] == pytest.approx(pd.Series(x[:, 0]).skew(), rel=1e-12)
    # total-return panels report the Sharpe of returns in excess of rf
    dt = total.describe().loc["X"]
    xe = x[:, 0] - rf
    assert dt["sharpe"] == pytest.approx(xe.mean() / xe.std(ddof=1) * np.sqrt(12), rel=1e-12)
    with pytest.raises(DataError, match="`periods_per_year` must be > 0, got 0"):
        excess.describe(periods_per_year=0)


def test_provenance_is_kept_through_transformations():
    panel = _panel().with_provenance(source="unit-test", notes="x")
    assert panel.slice("2000-02").provenance == Provenance(source="unit-test", notes="x")
