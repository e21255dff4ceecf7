"""The one feature-frame alignment rule (factorgym.alignment), as envs and forecasts apply it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from factorgym.alignment import align_feature_frame
from factorgym.errors import DataError, LookAheadError

MONTHS = pd.period_range("2000-01", periods=6, freq="M")


def _frame(index, values=None):
    values = np.arange(len(index), dtype=float) if values is None else values
    return pd.DataFrame({"p": values}, index=index)


@pytest.mark.parametrize(
    "index",
    [
        MONTHS,
        MONTHS.to_timestamp(how="end").normalize(),
        pd.DatetimeIndex([f"2000-{m:02d}-15" for m in range(1, 7)]),
    ],
    ids=["periods", "month-ends", "mid-month"],
)
def test_aligned_frames_are_accepted(index):
    values, cols = align_feature_frame(_frame(index), MONTHS, name="regime")
    assert cols == ("p",)
    assert_array_equal(values[:, 0], np.arange(6.0))


def test_late_starting_frame_is_nan_before_its_first_row():
    values, _ = align_feature_frame(_frame(MONTHS[2:]), MONTHS, name="f")
    assert np.isnan(values[:2]).all()
    assert_array_equal(values[2:, 0], [0.0, 1.0, 2.0, 3.0])


def test_later_dated_row_raises():
    shifted = pd.period_range("2000-02", periods=6, freq="M")  # labels one month late
    with pytest.raises(LookAheadError, match="has a later-dated row: 2000-07 is after"):
        align_feature_frame(_frame(shifted), MONTHS, name="fcst")


@pytest.mark.parametrize(
    ("index", "match"),
    [
        (MONTHS[[0, 1, 1, 2, 3, 4]], "not aligned on the panel's months: 2000-02 follows 2000-02"),
        (MONTHS[[0, 2, 1, 3, 4, 5]], "2000-02 follows 2000-03"),
        (MONTHS[[0, 1, 3, 4, 5]], "gap between 2000-02 and 2000-04"),
        (pd.period_range("1999-12", periods=7, freq="M"), "starts at 1999-12, before"),
        (MONTHS[:4], "it ends at 2000-04, the panel at 2000-06"),
    ],
    ids=["duplicate", "unsorted", "gap", "too-early", "ends-early"],
)
def test_misaligned_frames_raise(index, match):
    with pytest.raises(LookAheadError, match=match):
        align_feature_frame(_frame(index), MONTHS, name="f")


def test_missing_dates_in_the_index_raise():
    idx = pd.DatetimeIndex(
        ["2000-01-31", None, "2000-03-31", "2000-04-30", "2000-05-31", "2000-06-30"]
    )
    with pytest.raises(LookAheadError, match="its index has missing dates"):
        align_feature_frame(_frame(idx), MONTHS, name="f")


def test_bad_frames_raise_data_error():
    with pytest.raises(DataError, match="must be a pandas DataFrame, got ndarray"):
        align_feature_frame(np.zeros((6, 1)), MONTHS, name="f")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="at least one row and one column"):
        align_feature_frame(pd.DataFrame(index=MONTHS), MONTHS, name="f")
    with pytest.raises(DataError, match="must not contain inf"):
        align_feature_frame(_frame(MONTHS, [0, 1, np.inf, 3, 4, 5.0]), MONTHS, name="f")
    with pytest.raises(DataError, match="missing values at 2000-04, after its first complete"):
        align_feature_frame(_frame(MONTHS, [0, 1, 2, np.nan, 4, 5.0]), MONTHS, name="f")
    with pytest.raises(DataError, match="has no complete row"):
        align_feature_frame(_frame(MONTHS, [np.nan] * 6), MONTHS, name="f")
    with pytest.raises(DataError, match="must be numeric"):
        align_feature_frame(_frame(MONTHS, list("abcdef")), MONTHS, name="f")
    with pytest.raises(DataError, match="must hold dates or monthly periods"):
        align_feature_frame(_frame(["x"] * 6), MONTHS, name="f")


def test_series_keeps_its_name_and_duplicate_columns_are_refused():
    s = pd.Series(np.arange(6.0), index=MONTHS, name="prob")
    _, cols = align_feature_frame(s, MONTHS, name="regime")
    assert cols == ("prob",)
    dup = pd.DataFrame(np.zeros((6, 2)), index=MONTHS, columns=["p", "p"])
    with pytest.raises(DataError, match=r"columns must be unique, got duplicates \['p'\]"):
        align_feature_frame(dup, MONTHS, name="f")


def test_values_are_c_ordered_float64_whatever_the_frame_layout():
    values = np.asfortranarray(np.arange(12.0).reshape(6, 2))
    frame = pd.DataFrame(values, index=MONTHS, columns=["a", "b"])
    out, _ = align_feature_frame(frame, MONTHS, name="f")
    assert out.flags.c_contiguous and out.dtype == np.float64
    assert out.tobytes() == np.ascontiguousarray(values).tobytes()
