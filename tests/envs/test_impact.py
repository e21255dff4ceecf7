"""Square-root impact and the participation fill, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from factorgym.envs import capacity_fill, impact_cost, impact_rate, participation


def test_impact_rate_by_hand():
    # Y sigma sqrt(q / (V D)) = 0.5 * 0.02 * sqrt(2e8 / (1e9 * 5)) = 0.01 * 0.2
    rate = impact_rate(2e8, impact_coef=0.5, sigma_daily=0.02, capacity_usd=1e9, trade_days=5)
    assert rate == pytest.approx(0.002, rel=1e-15)


def test_impact_cost_equals_legs_trade_rate():
    scale = np.array([2 * 0.5 * 0.02 / math.sqrt(1e9 * 5), 2 * 0.5 * 0.025 / math.sqrt(5e8 * 5)])
    trade = np.array([0.2, 0.1])
    expected = 2 * 0.2 * 0.002 + 2 * 0.1 * 0.5 * 0.025 * math.sqrt(1e8 / 2.5e9)
    assert impact_cost(trade, 1e9, scale) == pytest.approx(expected, rel=1e-14)
    assert expected == pytest.approx(0.0013, rel=1e-14)
    batch = impact_cost(np.vstack([trade, 2 * trade]), np.array([1e9, 1e9]), scale)
    assert_allclose(batch, [expected, expected * 2**1.5], rtol=1e-14)


def test_participation_by_hand():
    assert participation(0.5, 1e9, 1e9, 5.0) == pytest.approx(0.1)


def test_capacity_fill():
    inv = 1.0 / np.array([5e8, 2.5e8])  # max trades in dollars
    # 0.4 of $1bn = $400m < $500m; 0.5 of $1bn = $500m > $250m: fill 0.5
    assert capacity_fill(np.array([0.4, 0.5]), 1e9, inv) == pytest.approx(0.5, rel=1e-15)
    assert capacity_fill(np.array([0.4, 0.2]), 1e9, inv) == 1.0
    batch = capacity_fill(np.array([[0.4, 0.5], [0.4, 0.2]]), np.array([1e9, 1e9]), inv)
    assert_allclose(batch, [0.5, 1.0], rtol=1e-15)
    assert capacity_fill(np.array([1.0, 1.0]), 1e12, np.zeros(2)) == 1.0  # no cap
