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


# ----------------------------------------------------------------------------- data safety
def _written(tmp_path, frame, name="t.csv", index=False):
    path = tmp_path / name
    frame.to_csv(path, index=index)
    return path


def test_daily_dates_are_called_not_monthly(tmp_path):
    days = pd.bdate_range("2000-01-03", periods=60)
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "A": 0.01, "RF": 0.001})
    with pytest.raises(
        DataError,
        match=r"daily.csv: column 'date' is not monthly: 21 rows fall in 2000-01 "
        r"\(2000-01-03, 2000-01-04, 2000-01-05, ...\); factorgym needs one row per month",
    ):
        load(_written(tmp_path, frame, "daily.csv"), units="decimal")


def test_same_month_twice_is_a_duplicate(tmp_path):
    frame = _frame().iloc[[0, 0, 1]]
    with pytest.raises(DataError, match="t.csv: month 2001-01 appears 2 times in column 'date'"):
        load(_written(tmp_path, frame), units="decimal")


def test_row_number_index_is_not_a_date(tmp_path):
    frame = _frame().drop(columns=["date"])
    with pytest.raises(
        DataError,
        match=r"t.csv: column 'Unnamed: 0' holds integers that are not YYYYMM months "
        r"\(0, 1, 2, ...\): a row number\?",
    ):
        load(_written(tmp_path, frame, index=True), units="decimal")
    with pytest.raises(DataError, match="column 'date' must hold dates .* got numbers such as 1.5"):
        load(_written(tmp_path, _frame().assign(date=1.5), "f.csv"), units="decimal")


def test_basis_points_declared_as_percent(tmp_path):
    with pytest.raises(
        DataError,
        match=r"t.csv: `returns` is declared in percent but looks like basis points: median "
        r"\|value\| is .*divide basis points by 100 and declare units='percent'",
    ):
        load(_written(tmp_path, _frame(10_000.0)), units="percent")


@pytest.mark.parametrize(
    ("units", "scale", "minus"), [("decimal", 1.0, "1"), ("percent", 100.0, "100")]
)
def test_gross_returns_are_called_gross(tmp_path, units, scale, minus):
    frame = _frame()
    frame[["A", "B"]] = (1.0 + frame[["A", "B"]]) * scale
    frame["RF"] = frame["RF"] * scale
    with pytest.raises(
        DataError,
        match=rf"t.csv: `returns` looks like gross returns \(1 \+ r\), not returns: every value "
        rf"is > 0 .*\(declared {units}\); subtract {minus} from every value",
    ):
        load(_written(tmp_path, frame), units=units)


def test_header_only_file_says_no_rows(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("date,A,RF\n")
    with pytest.raises(
        DataError, match=r"empty.csv: no data rows: the file holds only the column names"
    ):
        load(path, units="decimal")


def test_rf_column_and_rf_together_are_refused(tmp_path):
    path = _written(tmp_path, _frame())
    with pytest.raises(
        DataError, match=r"t.csv has a risk-free column 'RF' and `rf`=0.001 \(--rf\) was given too"
    ):
        load(path, units="decimal", rf=0.001)
    # the explicit way to use a constant instead of the column
    panel = load(path, units="decimal", rf=0.001, rf_column=None)
    assert "RF" in panel.assets and panel.rf.tolist() == [0.001] * 24
    with pytest.raises(ConfigError, match="`rf` must be a finite number > -1, got 'x'"):
        load(path, units="decimal", rf="x", rf_column=None)
    with pytest.raises(
        ConfigError, match=r"`kind` must be one of \('excess', 'total'\), got 'long'"
    ):
        load(path, units="decimal", kind="long")


def test_a_directory_is_not_a_file(tmp_path):
    folder = tmp_path / "some_dir"
    folder.mkdir()
    with pytest.raises(DataError, match=r"`source` must be a file, got the directory .*some_dir"):
        load(folder)
    with pytest.raises(DataError, match=r"`source` must be a file, got the directory"):
        load(str(folder) + "/", units="decimal")


def test_a_bare_year_is_refused_without_a_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataError, match=r"`start` must be a month such as '1990-01'.*got 1990"):
            load("french", start=1990)
        with pytest.raises(DataError, match=r"`end` must be a month such as '1990-01'.*got 2000"):
            load("french", end=2000)


def test_env_reset_with_a_bare_year_is_refused_without_a_warning(french_small):
    import warnings

    from factorgym.envs import EnvConfig, FactorTimingEnv

    env = FactorTimingEnv(french_small, config=EnvConfig(episode_length=12))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ConfigError, match=r"`options\[.start.\]` must be a month such as"):
            env.reset(seed=0, options={"start": 1995})
