"""Kritzman-Li turbulence: hand check against scipy, window convention, look-ahead, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import mahalanobis

from factorgym.errors import ConfigError, DataError, UnknownAssetError
from factorgym.feature_cache import FeatureCache
from factorgym.regimes import Turbulence, turbulence_index


def _reference(x, t, lo, hi):
    hist = x[lo:hi]
    vi = np.linalg.inv(np.cov(hist, rowvar=False, ddof=1))
    return mahalanobis(x[t], hist.mean(axis=0), vi) ** 2


def test_turbulence_matches_scipy_mahalanobis(random_panel):
    x = np.array(random_panel.returns)
    d = turbulence_index(x, window=24)
    assert np.isnan(d[:24]).all() and np.isfinite(d[24:]).all()
    for t in (24, 50, 119):
        assert d[t] == pytest.approx(_reference(x, t, t - 24, t), rel=1e-10)


def test_include_current_puts_month_t_in_its_own_window(random_panel):
    x = np.array(random_panel.returns)
    d = turbulence_index(x, window=24, include_current=True)
    assert np.isnan(d[:23]).all() and np.isfinite(d[23:]).all()
    for t in (23, 80):
        assert d[t] == pytest.approx(_reference(x, t, t - 23, t + 1), rel=1e-10)


def test_turbulence_spikes_in_a_crisis_month(french_panel):
    frame = Turbulence(window=60).compute(french_panel)
    top = frame["turbulence"].idxmax()
    assert top.year in (1999, 2000, 2001, 2008, 2009), top  # tech bust / GFC momentum crash


@pytest.mark.parametrize("include_current", [False, True])
def test_perturbing_later_months_leaves_earlier_rows_unchanged(
    french_small, perturb, include_current
):
    builder = Turbulence(window=36, include_current=include_current)
    base = builder.compute(french_small).to_numpy()
    for t in (35, 36, 70, 118):
        other = builder.compute(perturb(french_small, t)).to_numpy()
        assert np.array_equal(base[: t + 1], other[: t + 1], equal_nan=True)
        assert not np.array_equal(base[t + 1 :], other[t + 1 :])
    part = builder.compute(french_small.slice(end="1995-06")).to_numpy()
    assert np.array_equal(part, base[: len(part)], equal_nan=True)


def test_builder_frame_columns_and_cache(french_small):
    cache = FeatureCache()
    builder = Turbulence(window=36, columns=["MktRF", "HML"])
    frame = builder.compute(french_small, cache=cache)
    assert list(frame.columns) == ["turbulence"] and frame.index.equals(french_small.months)
    x = np.array(french_small.select(["MktRF", "HML"]).returns)
    assert np.array_equal(
        frame["turbulence"].to_numpy(), turbulence_index(x, window=36), equal_nan=True
    )
    pd.testing.assert_frame_equal(builder.compute(french_small, cache=cache), frame)
    assert (cache.misses, cache.hits) == (1, 1)
    assert repr(builder) == "Turbulence(window=36, include_current=False, columns=['MktRF', 'HML'])"


def test_turbulence_errors(random_panel):
    x = np.array(random_panel.returns)
    with pytest.raises(ConfigError, match=r"`window` must be > n_assets = 3 .* got 3"):
        turbulence_index(x, window=3)
    with pytest.raises(ConfigError, match=r"`window` must be an int >= 2, got 1"):
        turbulence_index(x, window=1)
    with pytest.raises(ConfigError, match=r"`include_current` must be True or False, got 'no'"):
        turbulence_index(x, window=24, include_current="no")
    with pytest.raises(DataError, match=r"`returns` must be 2-D"):
        turbulence_index(x[:, 0], window=24)
    collinear = np.column_stack([x[:, 0], x[:, 0], x[:, 1]])
    with pytest.raises(
        DataError, match=r"covariance of the 24-month window ending at row 23 is singular"
    ):
        turbulence_index(collinear, window=24)
    with pytest.raises(UnknownAssetError, match=r"unknown asset 'Z'"):
        Turbulence(columns=["Z"]).compute(random_panel)
    with pytest.raises(DataError, match=r"`panel` must be a factorgym.FactorPanel, got list"):
        Turbulence().compute([1, 2])
