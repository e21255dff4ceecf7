"""Trailing statistics: brute-force values, one summation order, point in time, layout-free."""

from __future__ import annotations

import numpy as np
import pytest

from factorgym.errors import ConfigError, DataError
from factorgym.trailing import (
    trailing_compound,
    trailing_covariance,
    trailing_lags,
    trailing_mean,
    trailing_std,
    trailing_sum,
)

RNG = np.random.default_rng(7)
X = RNG.normal(0.01, 0.05, size=(50, 3))
FUNCS = [
    lambda x: trailing_sum(x, 12),
    lambda x: trailing_mean(x, 6),
    lambda x: trailing_std(x, 12),
    lambda x: trailing_covariance(x, 12),
    lambda x: trailing_compound(x, 12),
    lambda x: trailing_lags(x, 4),
]


def _sequential_sum(col):
    s = col[0]
    for v in col[1:]:
        s = s + v
    return s


def test_values_equal_a_brute_force_window_by_window():
    w = 12
    s, sd, cov, comp = (
        f(X, w) for f in (trailing_sum, trailing_std, trailing_covariance, trailing_compound)
    )
    assert np.isnan(s[: w - 1]).all() and np.isnan(cov[: w - 1]).all()
    for t in range(w - 1, len(X)):
        win = X[t - w + 1 : t + 1]
        for k in range(3):
            assert s[t, k] == _sequential_sum(list(win[:, k]))  # the stated order, exactly
            np.testing.assert_allclose(sd[t, k], np.std(win[:, k], ddof=1), rtol=1e-13)
            np.testing.assert_allclose(comp[t, k], np.prod(1 + win[:, k]) - 1, rtol=1e-12)
        np.testing.assert_allclose(cov[t], np.cov(win.T, ddof=1), rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(trailing_mean(X, 6)[5:], trailing_sum(X, 6)[5:] / 6, rtol=0)


def test_lags_are_lag_major():
    lags = trailing_lags(X, 3)
    assert np.isnan(lags[:2]).all()
    np.testing.assert_array_equal(lags[10], np.concatenate([X[10], X[9], X[8]]))


def test_constant_window_has_exactly_zero_std_and_nan_propagates():
    x = np.full((20, 2), 0.0137)
    x[15, 1] = np.nan
    sd = trailing_std(x, 5)
    assert (sd[4:, 0] == 0.0).all()
    assert np.isnan(sd[15:20, 1]).all() and (sd[4:15, 1] == 0.0).all()


@pytest.mark.parametrize("f", FUNCS)
def test_memory_layout_and_dtype_width_do_not_change_a_bit(f):
    base = f(X)
    wide = np.zeros((50, 7))
    wide[:, 2:5] = X
    x32 = X.astype(np.float32).astype(np.float64)
    for variant in (np.asfortranarray(X), wide[:, 2:5], X.copy(order="C")):
        assert f(variant).tobytes() == base.tobytes()
    assert f(x32.astype(np.float32)).tobytes() == f(x32).tobytes()


@pytest.mark.parametrize("f", FUNCS)
@pytest.mark.parametrize("t", [11, 30])
def test_rows_up_to_t_ignore_every_later_row(f, t):
    later = X.copy()
    later[t + 1 :] = RNG.normal(0, 1, later[t + 1 :].shape)
    assert f(later)[: t + 1].tobytes() == f(X)[: t + 1].tobytes()
    assert not np.array_equal(f(later)[t + 1 :], f(X)[t + 1 :], equal_nan=True)  # control


def test_short_input_is_all_nan_and_bad_arguments_are_refused():
    assert np.isnan(trailing_std(X[:5], 12)).all() and trailing_covariance(X[:5], 12).shape == (
        5,
        3,
        3,
    )
    with pytest.raises(ConfigError, match=r"`window` must be an int >= 2, got 1"):
        trailing_std(X, 1)
    with pytest.raises(ConfigError, match=r"`window` must be an int >= 1, got 2.5"):
        trailing_sum(X, 2.5)
    with pytest.raises(DataError, match=r"`values` must be 2-D"):
        trailing_sum(X[:, 0], 3)
    with pytest.raises(DataError, match=r"`values` must be finite, got 1 inf"):
        trailing_sum(np.array([[1.0], [np.inf]]), 1)
