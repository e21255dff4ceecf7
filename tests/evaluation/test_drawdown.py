from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import quantstats as qs
from numpy.testing import assert_allclose

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import (
    annualized_return,
    calmar_ratio,
    drawdown_series,
    max_drawdown,
    max_drawdown_duration,
)

# quantstats 0.0.86 emits no warning on these inputs; pyproject's filterwarnings=error would
# surface one from a later release here, on purpose.
R = np.array([-0.10, 0.05, 0.05, -0.20, 0.30, 0.10])
# wealth 0.9, 0.945, 0.99225, 0.7938, 1.03194, 1.135134; the running peak includes W_0 = 1
DD = np.array([0.1, 0.055, 0.00775, 0.2062, 0.0, 0.0])


def test_hand_example() -> None:
    assert_allclose(drawdown_series(R), DD, atol=1e-12)
    assert_allclose(max_drawdown(R), 0.2062, rtol=1e-12)
    assert max_drawdown_duration(R) == 4  # months 1-4 below the starting wealth of 1
    cagr = 1.135134**2 - 1  # six months = half a year
    assert_allclose(annualized_return(R), cagr, rtol=1e-12)
    assert_allclose(calmar_ratio(R), cagr / 0.2062, rtol=1e-12)


def test_durations() -> None:
    assert max_drawdown_duration(np.array([0.1, -0.05, -0.05])) == 2  # open at the end
    # spells of 1 and 3 months; the longest counts, not the deepest
    assert max_drawdown_duration(np.array([-0.1, 0.2, -0.01, -0.01, -0.01, 0.1])) == 3
    assert max_drawdown_duration(np.array([0.01, 0.02, 0.0])) == 0
    assert max_drawdown(np.array([0.01, 0.02])) == 0.0
    assert np.isnan(calmar_ratio(np.array([0.01, 0.02])))
    two = np.column_stack([R, np.full(6, 0.01)])
    assert_allclose(max_drawdown_duration(two), [4, 0])
    assert drawdown_series(two).shape == (6, 2)


def test_first_month_loss_counts() -> None:
    # a loss in month 1 is a drawdown from the starting wealth of 1
    assert_allclose(max_drawdown(np.array([-0.05, 0.01])), 0.05, rtol=1e-12)


def test_against_quantstats(strategies: pd.DataFrame) -> None:
    for col in strategies:
        r = strategies[col]
        # quantstats reports the drawdown as a negative number; both add the W_0 = 1 point
        assert_allclose(max_drawdown(r), -qs.stats.max_drawdown(r), rtol=1e-12)
        assert_allclose(calmar_ratio(r), qs.stats.calmar(r, periods=12), rtol=1e-12)
        assert_allclose(drawdown_series(r), -qs.stats.to_drawdown_series(r).to_numpy(), atol=1e-12)
    out = max_drawdown(strategies)
    assert isinstance(out, pd.Series) and list(out.index) == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: calmar_ratio(R, periods_per_year=-1),
            ConfigError,
            r"`periods_per_year` must be an int >= 1, got -1",
        ),
        (lambda: max_drawdown(np.array([0.1, np.inf])), DataError, r"`returns` must be finite"),
        (lambda: max_drawdown(np.array([])), DataError, r"`returns` must have >= 1 rows"),
    ],
)
def test_bad_inputs(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()
