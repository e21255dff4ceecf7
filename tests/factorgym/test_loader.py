from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorgym import ConfigError, DataError, UnknownAssetError, load


def _tidy(tmp_path, frame, name="tidy.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _frame(scale=1.0, n=24):
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "date": pd.date_range("2001-01-31", periods=n, freq="ME").strftime("%Y-%m-%d"),
            "A": rng.normal(0.01, 0.04, n) * scale,
            "B": rng.normal(0.0, 0.03, n) * scale,
            "RF": np.full(n, 0.002) * scale,
        }
    )


def test_tidy_decimal_and_percent_round_trip(tmp_path):
    dec = load(_tidy(tmp_path, _frame()), units="decimal")
    pct = load(_tidy(tmp_path, _frame(100.0), "pct.csv"), units="percent")
    np.testing.assert_allclose(dec.returns, pct.returns, rtol=1e-14)
    np.testing.assert_allclose(dec.rf, 0.002)
    assert dec.assets == ("A", "B") and str(dec.start) == "2001-01"


def test_tidy_with_yyyymm_integer_dates_and_constant_rf(tmp_path):
    frame = _frame().drop(columns=["RF"])
    frame["date"] = pd.period_range("2001-01", periods=24, freq="M").strftime("%Y%m").astype(int)
    panel = load(_tidy(tmp_path, frame), units="decimal", rf=0.001, kind="total")
    assert panel.kind == "total" and str(panel.end) == "2002-12"


@pytest.mark.parametrize(
    ("frame_fn", "kwargs", "exc", "match"),
    [
        (lambda: _frame(100.0), {"units": "decimal"}, DataError, "looks like percent"),
        (lambda: _frame(), {"units": "percent"}, DataError, "look like decimals"),
        (lambda: _frame(), {"units": "basis points"}, DataError, "`units` must be one of"),
        (lambda: _frame(), {}, DataError, "`units` is required"),
        (
            lambda: _frame().drop(columns=["RF"]),
            {"units": "decimal"},
            DataError,
            "no risk-free column 'RF'",
        ),
        (
            lambda: _frame().assign(A=lambda f: f["A"].astype(str) + "x"),
            {"units": "decimal"},
            DataError,
            r"numeric, got non-numeric \['A'\]",
        ),
        (lambda: _frame().iloc[[0, 2, 3]], {"units": "decimal"}, DataError, "no gaps"),
        (lambda: _frame().iloc[::-1], {"units": "decimal"}, DataError, "sorted ascending"),
        (
            lambda: _frame().assign(date="garbage"),
            {"units": "decimal"},
            DataError,
            "does not hold dates",
        ),
        (
            lambda: _frame(),
            {"units": "decimal", "unit": "x"},
            ConfigError,
            r"unknown option\(s\) \['unit'\]",
        ),
        (
            lambda: _frame(),
            {"units": "decimal", "date_column": "when"},
            UnknownAssetError,
            "`date_column` 'when'",
        ),
    ],
)
def test_tidy_bad_inputs(tmp_path, frame_fn, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        load(_tidy(tmp_path, frame_fn()), **kwargs)


def test_tidy_start_after_end_and_empty_window(tmp_path):
    path = _tidy(tmp_path, _frame())
    with pytest.raises(DataError, match="`start` must not be after `end`"):
        load(path, units="decimal", start="2002-01", end="2001-01")
    with pytest.raises(DataError, match="holds no month of tidy.csv"):
        load(path, units="decimal", start="1990-01", end="1990-12")


def test_unknown_source_file_not_found_and_suffix(tmp_path):
    with pytest.raises(DataError, match=r"must be one of \['french', 'etf', 'synthetic'\]"):
        load("frnch")
    with pytest.raises(DataError, match="file not found"):
        load(tmp_path / "missing.csv", units="decimal")
    bad = tmp_path / "data.xlsx"
    bad.write_text("x")
    with pytest.raises(DataError, match="must be a .csv or .parquet file, got suffix '.xlsx'"):
        load(bad, units="decimal")
    with pytest.raises(DataError, match="must be a source name or a path, got int"):
        load(42)  # type: ignore[arg-type]


def test_unknown_options_per_source():
    with pytest.raises(
        ConfigError, match=r"unknown option\(s\) \['universes'\] for source 'french'"
    ):
        load("french", universes="industries")
    with pytest.raises(ConfigError, match="for source 'etf'"):
        load("etf", universe="x")
    with pytest.raises(ConfigError, match="for source 'synthetic'"):
        load("synthetic", n_states=3)


def test_common_start_end_assets_for_named_sources():
    panel = load("french", start="1990-01", end="1990-06", assets="HML")
    assert panel.n_months == 6 and panel.assets == ("HML",)
    with pytest.raises(UnknownAssetError, match="did you mean 'HML'"):
        load("french", assets=["HLM"])
    with pytest.raises(DataError, match="`start` must not be after `end`"):
        load("french", start="2000-01", end="1999-01")
