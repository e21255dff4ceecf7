"""MarketData: precomputed arrays are consistent and read-only."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from factorgym.envs import EnvConfig
from factorgym.envs.market_data import build_market_data


def test_arrays_are_consistent_and_read_only(total_panel):
    cfg = EnvConfig(lookback=3, vol_lookback=4)
    md = build_market_data(total_panel, None, cfg, needs_cov=True)
    x = total_panel.returns - total_panel.rf[:, None]
    assert_allclose(md.excess, x)
    assert_allclose(md.growth, 1.0 + total_panel.returns)
    assert_array_equal(md.excess_t, md.excess.T)
    assert_allclose(md.benchmark, total_panel.rf + x.mean(axis=1), rtol=1e-14)
    assert md.first_obs == 3 and md.decision_range == (3, 58)
    assert md.obs_rows.shape == (60, 9 + 3 + 3) and md.weights_col == 12
    assert np.all(md.obs_rows[:, 12:] == 0)
    for arr in (md.excess, md.rf, md.growth, md.static_obs, md.obs_rows, md.cov, md.benchmark):
        assert not arr.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        md.excess[0, 0] = 1.0


def test_observe_writes_weights_into_a_fresh_row(total_panel):
    md = build_market_data(total_panel, None, EnvConfig(), needs_cov=False)
    w = np.array([0.2, 0.3, 0.1])
    o1, o2 = md.observe(20, w), md.observe(20, w)
    assert o1.dtype == np.float32 and not np.shares_memory(o1, o2)
    assert_array_equal(o1[-3:], w.astype(np.float32))
    batch = md.observe(np.array([20, 21]), np.vstack([w, 2 * w]))
    assert_array_equal(batch[0], o1)
    assert_array_equal(batch[1, -3:], (2 * w).astype(np.float32))


def test_custom_benchmark_weights(total_panel):
    md = build_market_data(
        total_panel, None, EnvConfig(), needs_cov=False, benchmark_weights=np.array([1.0, 0, 0])
    )
    assert_allclose(md.benchmark, total_panel.returns[:, 0], rtol=1e-14)
