"""Proportional and internal costs, and the CostModel container, by hand."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from factorgym.envs import CostModel, internal_cost, proportional_cost, rebalance_cost


def test_proportional_cost_by_hand():
    trade = np.array([0.2, 0.1])
    rate = np.array([10e-4, 20e-4])
    assert proportional_cost(trade, rate) == pytest.approx(0.0004, abs=1e-18)
    batch = np.array([[0.2, 0.1], [0.0, 0.0], [1.0, 1.0]])
    assert_allclose(proportional_cost(batch, rate), [0.0004, 0.0, 0.003], atol=1e-18)


def test_internal_cost_by_hand():
    w = np.abs(np.array([-0.5, 0.25]))
    # 0.5 * 5 bp + 0.25 * 40 bp = 2.5 bp + 10 bp
    assert internal_cost(w, np.array([5e-4, 40e-4])) == pytest.approx(0.00125, abs=1e-18)


def test_rebalance_cost_convenience():
    assert rebalance_cost(np.array([0.6, 0.4]), np.array([0.5, 0.5]), 10.0) == pytest.approx(
        2e-4, abs=1e-18
    )
    per_asset = rebalance_cost(np.array([1.0, 0.0]), np.array([0.0, 1.0]), [10.0, 30.0])
    assert per_asset == pytest.approx(4e-3, abs=1e-18)


def test_cost_model_derived_quantities_and_read_only_arrays():
    cm = CostModel(
        assets=("A", "B"),
        cost_bps=[10.0, 0.0],
        internal_bps=[0.0, 40.0],
        impact_coef=[0.5, 0.5],
        sigma_daily=[0.02, 0.025],
        capacity_usd=[1e9, 5e8],
        legs=[2, 1],
        trade_days=5.0,
        participation_cap=0.1,
    )
    assert_allclose(cm.cost_rate, [1e-3, 0.0])
    assert_allclose(cm.internal_rate, [0.0, 4e-3])
    assert_allclose(cm.impact_scale, [2 * 0.5 * 0.02 / np.sqrt(5e9), 0.5 * 0.025 / np.sqrt(2.5e9)])
    assert_allclose(cm.max_trade_usd, [0.1 * 1e9 * 5, 0.1 * 5e8 * 5])
    assert not cm.is_zero
    with pytest.raises(ValueError, match="read-only"):
        cm.cost_bps[0] = 1.0
    assert [r["asset"] for r in cm.table()] == ["A", "B"]
