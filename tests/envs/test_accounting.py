"""Portfolio return, drift, wealth and drawdown, by hand."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from factorgym.envs import drawdown, drift_weights, grow_wealth, portfolio_return


def test_portfolio_return_excess_and_total_agree():
    w = np.array([0.6, 0.3])
    rf = 0.002
    total = np.array([0.05, -0.02])
    # total-return form: sum w R + (1 - sum w) rf
    expected = 0.6 * 0.05 + 0.3 * -0.02 + 0.1 * 0.002
    assert portfolio_return(w, total - rf, rf) == pytest.approx(expected, abs=1e-17)
    batch = portfolio_return(np.vstack([w, 0 * w]), np.vstack([total - rf] * 2), np.array([rf, rf]))
    assert_allclose(batch, [expected, rf], atol=1e-17)


def test_drift_by_hand_and_budget_preserved():
    w = np.array([0.5, 0.5])
    growth = np.array([1.10, 0.90])
    r = 0.5 * 0.10 + 0.5 * -0.10
    assert_allclose(drift_weights(w, growth, 1 + r), [0.55, 0.45], rtol=1e-15)
    w = np.array([0.3, 0.5])  # 20 % cash at rf = 1 %
    g = np.array([1.2, 0.95])
    gross = 1.0 + 0.3 * 0.2 + 0.5 * -0.05 + 0.2 * 0.01
    drifted = drift_weights(w, g, gross)
    cash = 0.2 * 1.01 / gross
    assert drifted.sum() + cash == pytest.approx(1.0, abs=1e-15)


def test_drift_of_a_ruined_portfolio_is_zero():
    assert_allclose(drift_weights(np.array([3.0]), np.array([0.5]), -0.5), [0.0])
    out = drift_weights(np.array([[3.0], [1.0]]), np.array([[0.5], [1.1]]), np.array([-0.5, 1.1]))
    assert_allclose(out, [[0.0], [1.0]])


def test_wealth_and_drawdown():
    assert grow_wealth(2.0, 0.05) == pytest.approx(2.1)
    assert grow_wealth(2.0, -1.5) == 0.0
    assert_allclose(grow_wealth(np.array([1.0, 1.0]), np.array([0.1, -2.0])), [1.1, 0.0])
    assert drawdown(0.8, 1.0) == pytest.approx(0.2)
    assert drawdown(1.2, 1.2) == 0.0
