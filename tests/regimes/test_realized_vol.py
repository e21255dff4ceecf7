"""Trailing realised volatility: against pandas, timing convention, look-ahead, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from factorgym.errors import ConfigError, DataError
from factorgym.feature_cache import FeatureCache
from factorgym.regimes import RealizedVolatility, realized_volatility


def test_matches_pandas_rolling_std(random_panel):
    x = np.array(random_panel.returns)
    got = realized_volatility(x, 12, periods_per_year=12)
    want = pd.DataFrame(x).rolling(12).std(ddof=1).to_numpy() * np.sqrt(12)
    assert np.isnan(got[:11]).all()
    assert_allclose(got[11:], want[11:], rtol=1e-10)


def test_row_t_includes_month_t():
    x = np.zeros((5, 1))
    x[3, 0] = 0.06  # a shock in month 3 shows in row 3, not before
    vol = realized_volatility(x, 2, periods_per_year=1)
    assert np.array_equal(
        vol[:, 0],
        [np.nan, 0.0, 0.0, np.std([0, 0.06], ddof=1), np.std([0.06, 0], ddof=1)],
        equal_nan=True,
    )


def test_shorter_than_window_is_all_nan():
    assert np.isnan(realized_volatility(np.ones((3, 2)), 5, periods_per_year=12)).all()


def test_builder_columns_and_cache(french_small):
    cache = FeatureCache()
    builder = RealizedVolatility(windows=(3, 12), columns=["HML", "Mom"])
    frame = builder.compute(french_small, cache=cache)
    assert list(frame.columns) == ["rvol_3m_HML", "rvol_3m_Mom", "rvol_12m_HML", "rvol_12m_Mom"]
    assert frame.index.equals(french_small.months)
    assert frame.iloc[:11, 2:].isna().all().all() and frame.iloc[11:].notna().all().all()
    pd.testing.assert_frame_equal(builder.compute(french_small, cache=cache), frame)
    assert (cache.misses, cache.hits) == (1, 1)
    assert repr(builder) == (
        "RealizedVolatility(windows=[3, 12], periods_per_year=12, columns=['HML', 'Mom'])"
    )


def test_perturbing_later_months_leaves_earlier_rows_unchanged(french_small, perturb):
    builder = RealizedVolatility()
    base = builder.compute(french_small).to_numpy()
    for t in (2, 35, 36, 90):
        other = builder.compute(perturb(french_small, t)).to_numpy()
        assert np.array_equal(base[: t + 1], other[: t + 1], equal_nan=True)
        assert not np.array_equal(base[t + 1 :], other[t + 1 :], equal_nan=True)
    part = builder.compute(french_small.slice(end="1996-03")).to_numpy()
    assert np.array_equal(part, base[: len(part)], equal_nan=True)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"windows": ()}, r"`windows` must be a non-empty sequence of integers, got \(\)"),
        ({"windows": "12"}, r"`windows` must be a non-empty sequence of integers, got '12'"),
        ({"windows": (1, 12)}, r"`windows` must be an int >= 2, got 1"),
        ({"windows": (12, 12)}, r"`windows` must not repeat a length, got \[12, 12\]"),
        ({"periods_per_year": 0}, r"`periods_per_year` must be an int >= 1, got 0"),
        ({"columns": "MktRF "}, r"unknown asset 'MktRF '"),
    ],
)
def test_builder_errors(french_small, kwargs, match):
    with pytest.raises((ConfigError, DataError), match=match):
        RealizedVolatility(**kwargs).compute(french_small)


def test_function_errors():
    with pytest.raises(ConfigError, match=r"`window` must be an int >= 2, got 2.5"):
        realized_volatility(np.ones((5, 1)), 2.5, periods_per_year=12)
    with pytest.raises(ConfigError, match=r"`periods_per_year` must be an int >= 1, got 0"):
        realized_volatility(np.ones((5, 1)), 2, periods_per_year=0)
    with pytest.raises(DataError, match=r"`returns` must be finite, got 1 NaN/inf values"):
        realized_volatility(np.array([[0.1], [np.inf]]), 2, periods_per_year=12)
