from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from factorgym import DataError, load
from factorgym.data import load_kenfrench, parse_kenfrench_csv

KENFRENCH_DIR = Path(__file__).parents[1] / "fixtures" / "kenfrench"

FACTORS = KENFRENCH_DIR / "F-F_Research_Data_Factors_to_201703.CSV"
MOM = KENFRENCH_DIR / "F-F_Momentum_Factor_to_201703.CSV"
FIVE = KENFRENCH_DIR / "F-F_Research_Data_5_Factors_2x3_to_201703.CSV"

HEADER = "This file was created using the 202607 CRSP database.\r\n\r\n"
FOOTER = "\r\nCopyright 2026 Eugene F. Fama and Kenneth R. French\r\n"


def _write(tmp_path, body, name="f.CSV", footer=FOOTER):
    path = tmp_path / name
    path.write_bytes((HEADER + body + footer).encode())
    return path


def test_parses_monthly_and_annual_sections():
    tables = parse_kenfrench_csv(FACTORS)
    assert [t.frequency for t in tables] == ["monthly", "annual"]
    monthly, annual = tables
    assert list(monthly.frame.columns) == ["Mkt-RF", "SMB", "HML", "RF"]
    assert str(monthly.frame.index[0]) == "1926-07" and str(monthly.frame.index[-1]) == "2017-03"
    assert monthly.frame.iloc[0].tolist() == [2.89, -2.42, -2.75, 0.22]  # percent, as in the file
    assert annual.title.startswith("Annual Factors")
    assert str(annual.frame.index[-1]) == "2016"


def test_merged_factors_and_momentum_are_decimal_and_monthly_only():
    panel = load([FACTORS, MOM])
    assert panel.assets == ("MktRF", "SMB", "HML", "Mom")
    assert str(panel.start) == "1927-01" and str(panel.end) == "2017-03"  # Mom starts 1927-01
    assert panel.n_months == 1083
    first = panel.slice("1927-01", "1927-01")
    np.testing.assert_allclose(first.returns[0, 3], 0.0057, rtol=0, atol=1e-15)
    assert panel.provenance.units_converted.startswith("percent -> decimal")
    assert panel.provenance.vintage == "CRSP 202607"
    # no annual row leaked in as a month: every month is present exactly once
    assert panel.months.is_unique and panel.months.is_monotonic_increasing


def test_csv_overlap_agrees_with_embedded_data(french_panel):
    files = load([FACTORS, MOM], start="1949-01", end="2017-03")
    assert files.months.equals(french_panel.months)
    for k, name in enumerate(french_panel.assets):
        corr = np.corrcoef(files.returns[:, k], french_panel.returns[:, k])[0, 1]
        assert corr > 0.99, (name, corr)
    # vintages differ by a few hundredths of a percent on average, never by a whole point on MktRF
    assert np.abs(files.returns[:, 0] - french_panel.returns[:, 0]).max() < 0.002
    assert np.abs(files.rf - french_panel.rf).max() <= 1.0001e-4


def test_five_factor_file_and_conflicting_columns():
    five = load(FIVE)
    assert five.assets == ("MktRF", "SMB", "HML", "RMW", "CMA")
    assert str(five.start) == "1963-07"
    # the 3- and 5-factor files are different vintages/definitions: merging them must not
    # silently pick one
    with pytest.raises(DataError, match="column 'MktRF' appears in .* percentage points apart"):
        load([FACTORS, FIVE])


def test_start_end_and_assets_are_applied():
    panel = load([FACTORS, MOM], start="2000-01", end="2000-12", assets=["Mom"])
    assert panel.n_months == 12 and panel.assets == ("Mom",)


# ----------------------------------------------------------------------------- bad files
def test_missing_markers_inside_selection_raise(tmp_path):
    body = ",A,RF\r\n200001,   1.00, 0.10\r\n200002, -99.99, 0.10\r\n200003,   2.00, 0.10\r\n"
    path = _write(tmp_path, body)
    assert parse_kenfrench_csv(path)[0].n_missing == 1
    with pytest.raises(DataError, match=r"'A' has 1 missing values \(-99.99/-999\).*2000-02"):
        load_kenfrench(path)
    # outside the selected months the marker does no harm
    assert load_kenfrench(path, start="2000-03").n_months == 1


def test_minus_999_marker(tmp_path):
    body = ",A,RF\r\n200001, -999, 0.10\r\n200002, 1.0, 0.10\r\n"
    with pytest.raises(DataError, match="missing values"):
        load_kenfrench(_write(tmp_path, body))


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (",A,RF\r\n200001, 1.0, 0.1\r\n2000-2, 1.0, 0.1\r\n", r"line 5: expected a date"),
        (",A,RF\r\n200001, 1.0, 0.1\r\n200002, 1.0\r\n", r"line 5: expected 3 fields"),
        (",A,RF\r\n200001, 1.0, 0.1\r\n200002, abc, 0.1\r\n", r"line 5: non-numeric value"),
        (",A,RF\r\n200001, 1.0, 0.1\r\n200013, 1.0, 0.1\r\n", r"line 5: invalid date '200013'"),
        (",A,RF\r\n200001, 1.0, 0.1\r\n2000, 1.0, 0.1\r\n", r"line 5: date '2000' has 4 digits"),
        (",A,,RF\r\n200001, 1.0, 0.1, 0.1\r\n", r"line 3: header must name every column"),
        (",A,RF\r\n\r\n", r"line 3: header ',A,RF' has no data rows"),
        ("just some text\r\nno table here\r\n", "unreadable format: no table header line"),
        (",A,RF\r\n2000, 1.0, 0.1\r\n", "no monthly table found"),
        (",A,RF\r\n200001, 0.01, 0.001\r\n200002, -0.02, 0.001\r\n", "look like decimals"),
        (",A\r\n200001, 1.0\r\n200002, 2.0\r\n", "no file has an RF column"),
    ],
)
def test_malformed_files_raise_with_line_numbers(tmp_path, body, match):
    with pytest.raises(DataError, match=match):
        load_kenfrench(_write(tmp_path, body))


def test_no_rf_column_with_explicit_rf(tmp_path):
    panel = load_kenfrench(_write(tmp_path, ",A\r\n200001, 1.0\r\n200002, 2.0\r\n"), rf=0.001)
    assert panel.rf.tolist() == [0.001, 0.001]
    assert panel.returns[:, 0].tolist() == [0.01, 0.02]


def test_files_without_common_months(tmp_path):
    a = _write(tmp_path, ",A,RF\r\n200001, 1.0, 0.1\r\n", "a.CSV")
    b = _write(tmp_path, ",B\r\n201001, 1.0\r\n", "b.CSV")
    with pytest.raises(DataError, match="b.CSV shares no month"):
        load_kenfrench([a, b])


def test_table_selection_by_title(tmp_path):
    body = (
        "  Average Value Weighted Returns -- Monthly\r\n,X,Y\r\n200001, 1.0, 2.0\r\n\r\n"
        "  Average Equal Weighted Returns -- Monthly\r\n,X,Y\r\n200001, 3.0, 4.0\r\n"
    )
    path = _write(tmp_path, body)
    vw = load_kenfrench(path, kind="total", rf=0.0)
    ew = load_kenfrench(path, table="Equal Weighted", kind="total", rf=0.0)
    assert vw.returns.tolist() == [[0.01, 0.02]] and ew.returns.tolist() == [[0.03, 0.04]]
    assert load_kenfrench(path, table=1, kind="total", rf=0.0) == ew
    with pytest.raises(DataError, match="`table` 'Daily' matches no monthly table title"):
        load_kenfrench(path, table="Daily", rf=0.0)
    with pytest.raises(DataError, match=r"`table` must be in 0..1 .* got 5"):
        load_kenfrench(path, table=5, rf=0.0)


def test_file_not_found_and_directory(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_kenfrench(tmp_path / "nope.CSV")
    with pytest.raises(DataError, match="must be a file, got the directory"):
        load_kenfrench(tmp_path)
    with pytest.raises(DataError, match="at least one Ken French CSV file"):
        load_kenfrench([])


def test_latin1_and_lf_only_files(tmp_path):
    path = tmp_path / "lf.CSV"
    text = "Caf\xe9 header\n\n,A,RF\n200001, 1.0, 0.1\n\nCopyright 2026 Kenneth R. French\n"
    path.write_bytes(text.encode("latin-1"))
    assert load_kenfrench(path).returns.tolist() == [[0.01]]


# ----------------------------------------------------------------------------- cut files
def _cut(tmp_path, source, marker, keep, name="cut.CSV"):
    """A copy of ``source`` that ends ``keep`` characters into the first line holding ``marker``."""
    data = source.read_bytes()
    at = data.index(marker.encode())
    path = tmp_path / name
    path.write_bytes(data[: at + keep])
    return path


def test_file_cut_inside_its_last_number_is_refused(tmp_path):
    # "201612,   1.81,   0.13,   3.50,   0.03" cut to "...   0.0": RF for 2016-12 would read 0.0
    line = "201612,   1.81,   0.13,   3.50,   0.03"
    path = _cut(tmp_path, FACTORS, line, len(line) - 1)
    assert path.read_bytes().endswith(b"3.50,   0.0")
    with pytest.raises(
        DataError,
        match=r"cut.CSV ends early: it stops at line 1091 \('201612,   1.81,   0.13,   3.50,   "
        r"0.0'\) without the annual section and the copyright footer .* download it again",
    ):
        load(path)
    with pytest.raises(DataError, match="cut.CSV ends early"):
        parse_kenfrench_csv(path)


@pytest.mark.parametrize(
    ("marker", "keep", "missing"),
    [
        ("201703,", 0, "the annual section and the copyright footer"),  # whole rows only
        (" Annual Factors", 0, "the annual section and the copyright footer"),
        ("  2016,  13.36", 6, "the copyright footer"),  # inside the annual section
        ("Copyright 2026", 20, "the copyright footer"),  # inside the footer itself
    ],
)
def test_files_ending_early_are_refused(tmp_path, marker, keep, missing):
    path = _cut(tmp_path, FACTORS, marker, keep)
    with pytest.raises(DataError, match=f"cut.CSV ends early: .* without {missing}"):
        load(path)


@pytest.mark.parametrize("source", [FACTORS, MOM, FIVE])
def test_every_shipped_file_is_complete_and_loads_without_its_last_newline(tmp_path, source):
    rf = 0.0 if source == MOM else None  # the momentum file has no RF column
    assert load(source, rf=rf).n_months > 600
    path = tmp_path / source.name
    path.write_bytes(source.read_bytes().rstrip(b"\r\n"))
    assert load(path, rf=rf) == load(source, rf=rf)
    cut = _cut(tmp_path, source, "Copyright", 0, name="nofooter.CSV")
    with pytest.raises(DataError, match="nofooter.CSV ends early"):
        load(cut, rf=rf)


def test_rf_column_and_rf_together_are_refused():
    with pytest.raises(DataError, match=r"the files have an RF column and `rf`=0.001 \(--rf\)"):
        load(FACTORS, rf=0.001)


def test_provenance_lists_the_files_read():
    panel = load([FACTORS, MOM])
    assert panel.provenance.files == (str(FACTORS.resolve()), str(MOM.resolve()))
