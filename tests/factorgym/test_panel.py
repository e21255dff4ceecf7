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
            r"one row per month, got 2 rows in 2000-01 \(2000-01-31, 2000-01-15\): the data are "
            "not monthly",
        ),
        (
            {"index": pd.date_range("2000-01-03", periods=24, freq="B")},
            r"got 21 rows in 2000-01 \(2000-01-03, 2000-01-04, 2000-01-05, ...\): the data are not "
            "monthly",
        ),
        ({"index": range(24)}, r"got numbers \(0, 1, 2, ...\): a row number or a bare YYYYMM"),
        (
            {"index": pd.period_range("2000-01-01", periods=24, freq="D")},
            r"monthly periods \(freq 'M'\), got periods of freq 'D'",
        ),
        (
            {"index": [pd.Period("2000-01", "M")] + [pd.Period("2000-02-01", "D")] * 23},
            r"periods of one monthly frequency, got frequencies \['D', 'M'\]",
        ),
        (
            {"index": pd.period_range("9999-01", periods=24, freq="M")},
            r"must lie in 0001-01..9999-12 \(four-digit years\), got 9999-01..10000-12",
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
        ({"rf": np.zeros(5)}, r"`rf` must be a number or a 1-D array with one value per month"),
        ({"rf": np.zeros((12, 2))}, r"one value per month \(24\), got shape \(12, 2\)"),
        ({"rf": np.zeros((24, 1))}, r"one value per month \(24\), got shape \(24, 1\)"),
        (
            {"rf": "0.001"},
            r"`rf` must be a number or a 1-D array of 24 monthly values, got '0.001'",
        ),
        ({"rf": True}, r"`rf` must be a number or a 1-D array of 24 monthly values, got True"),
        ({"rf": [object()] * 24}, r"`rf` must be numeric"),
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


# ----------------------------------------------------------------------------- data safety
def test_rf_accepts_a_number_a_0d_array_or_one_value_per_month():
    assert _panel(rf=0.002).rf.tolist() == [0.002] * 24
    assert _panel(rf=np.float32(0.5) / 100).rf.dtype == np.float64
    assert _panel(rf=np.array(0.002)).rf.tolist() == [0.002] * 24
    assert _panel(rf=pd.Series(np.full(24, 0.002))).rf.tolist() == [0.002] * 24


def test_arrays_cannot_be_made_writable_and_the_hash_holds():
    panel = _panel()
    before = panel.content_hash
    for arr in (panel.returns, panel.rf, panel.slice("2000-02").returns):
        with pytest.raises(ValueError, match="cannot set WRITEABLE flag"):
            arr.setflags(write=True)
        base = arr.base
        while isinstance(base, np.ndarray):
            with pytest.raises(ValueError, match="cannot set WRITEABLE flag"):
                base.setflags(write=True)
            base = base.base
    assert panel.content_hash == before == panel._compute_hash()


def test_memory_order_and_float32_input_give_the_same_panel():
    rng = np.random.default_rng(7)
    values = rng.normal(0.0, 0.03, size=(24, 3)).astype(np.float32).astype(np.float64)
    c_order = _panel(values=np.ascontiguousarray(values), assets=("A", "B", "C"))
    f_order = _panel(values=np.asfortranarray(values), assets=("A", "B", "C"))
    as_f32 = _panel(values=values.astype(np.float32), assets=("A", "B", "C"))
    strided = np.zeros((48, 3))
    strided[::2] = values
    view = _panel(values=strided[::2], assets=("A", "B", "C"))
    for other in (f_order, as_f32, view):
        assert other == c_order and other.content_hash == c_order.content_hash
        assert other.returns.flags.c_contiguous and other.returns.dtype == np.float64
        assert np.array_equal(other.returns, c_order.returns)
    assert c_order.select(["C", "A"]).returns.flags.c_contiguous


def test_index_may_be_a_list_of_monthly_periods():
    months = list(pd.period_range("2000-01", periods=24, freq="M"))
    assert _panel(index=months) == _panel()


@pytest.mark.parametrize("bad", [1990, 199001, 1990.0, True, None, pd.Period("1990", "Y")])
def test_parse_month_refuses_numbers_and_coarse_periods_without_a_warning(bad):
    import warnings

    from factorgym.panel import parse_month

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no pandas deprecation warning may leak
        with pytest.raises(DataError, match="`start` must be a month such as '1990-01'"):
            parse_month(bad, name="start")


def test_parse_month_accepts_text_dates_and_periods():
    import datetime

    from factorgym.panel import parse_month

    for value in (
        "1990-03",
        "199003",
        "1990-03-31",
        pd.Timestamp("1990-03-05"),
        datetime.date(1990, 3, 1),
        np.datetime64("1990-03-02"),
        pd.Period("1990-03-04", "D"),
        pd.Period("1990-03", "M"),
    ):
        assert parse_month(value, name="start") == pd.Period("1990-03", "M")
    with pytest.raises(DataError, match="got '1990-02-30'"):
        parse_month("1990-02-30", name="start")


def test_from_frame_refuses_rf_and_rf_column_together():
    frame = _panel().to_frame(include_rf=True)
    with pytest.raises(DataError, match="`rf` and `rf_column` must not both be given"):
        FactorPanel.from_frame(frame, rf=0.001, rf_column="RF")
    with pytest.raises(DataError, match="`frame` must be a pandas DataFrame, got list"):
        FactorPanel.from_frame([1, 2], rf=0.001)  # type: ignore[arg-type]


def test_gross_returns_and_basis_points_get_their_own_message():
    from factorgym.panel import check_decimal_units

    gross = 1.0 + np.random.default_rng(0).normal(0.005, 0.04, 60)
    with pytest.raises(DataError, match=r"looks like gross returns \(1 \+ r\).*subtract 1 "):
        _panel(values=gross[:24, None], assets=("A",))
    with pytest.raises(DataError, match=r"declared percent\); subtract 100"):
        check_decimal_units(gross, name="returns", declared="percent")
    with pytest.raises(DataError, match="declared in percent but looks like basis points"):
        check_decimal_units(np.full(10, 1.5), name="returns", declared="percent")
