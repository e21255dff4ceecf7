from __future__ import annotations

import numpy as np
import pytest

from factorgym import ConfigError, DataError, load
from factorgym.data import synthetic_market


def test_sample_moments_match_true_parameters_within_sampling_error():
    market = synthetic_market(20_000, 4, seed=7)
    x, s = market.panel.returns, market.states
    for state in range(2):
        xs = x[s == state]
        n = len(xs)
        se = np.sqrt(np.diag(market.covs[state]) / n)
        z = (xs.mean(axis=0) - market.means[state]) / se
        assert np.all(np.abs(z) < 4.5), (state, z)
        sample_cov = np.cov(xs, rowvar=False)
        # var of a sample covariance entry ~ (s_ij^2 + s_ii s_jj) / n
        true = market.covs[state]
        se_cov = np.sqrt((true**2 + np.outer(np.diag(true), np.diag(true))) / n)
        assert np.all(np.abs(sample_cov - true) < 4.5 * se_cov), state
    # transition frequencies
    counts = np.zeros((2, 2))
    np.add.at(counts, (s[:-1], s[1:]), 1)
    freq = counts / counts.sum(axis=1, keepdims=True)
    se_p = np.sqrt(market.transmat * (1 - market.transmat) / counts.sum(axis=1, keepdims=True))
    assert np.all(np.abs(freq - market.transmat) < 4.5 * se_p + 1e-12)
    # occupancy equals the stationary distribution (effective n is smaller: loose bound)
    assert np.abs(np.bincount(s) / len(s) - market.startprob).max() < 0.03


def test_same_seed_same_market_and_different_seed_differs():
    a, b, c = synthetic_market(120, seed=1), synthetic_market(120, seed=1), synthetic_market(120)
    assert a.panel == b.panel and np.array_equal(a.states, b.states)
    assert a.panel != c.panel


def test_load_synthetic_returns_the_panel():
    panel = load("synthetic", n_months=36, n_assets=3, seed=2)
    assert panel == synthetic_market(36, 3, seed=2).panel
    assert panel.assets == ("MktRF", "SMB", "HML") and panel.kind == "excess"
    assert synthetic_market(10, 6).panel.assets[-1] == "F6"


def test_oracle_mean_is_the_conditional_expectation():
    market = synthetic_market(50, 2, seed=3)
    t = 10
    expected = market.transmat[market.states[t]] @ market.means
    np.testing.assert_allclose(market.oracle_mean(t), expected)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_months": 1}, "`n_months` must be an int >= 2, got 1"),
        ({"n_months": 10.0}, "`n_months` must be an int >= 2, got 10.0"),
        (
            {"n_months": 200_000},
            r"`n_months` must be an int >= 2 and <= 96480 \(months 1960-01..9999-12: four-digit "
            r"years\), got 200000",
        ),
        ({"n_months": 13, "start": "9999-01"}, "`n_months` must be an int >= 2 and <= 12"),
        ({"n_assets": 0}, "`n_assets` must be an int >= 1, got 0"),
        ({"separation": -1.0}, "`separation` must be a finite number > 0"),
        ({"seed": -1}, "`seed` must be an int >= 0, got -1"),
        ({"seed": None}, "`seed` must be an int >= 0, got None"),
        ({"rf": float("nan")}, "`rf` must be a finite number > -1, got nan"),
        ({"transmat": np.array([[0.5, 0.6], [0.5, 0.5]])}, "rows must be probabilities"),
        ({"transmat": np.eye(3)}, r"`transmat` must have shape \(2, 2\)"),
        ({"covs": np.zeros((2, 3, 3))}, r"`covs` must have shape \(2, 4, 4\)"),
    ],
)
def test_invalid_parameters(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        synthetic_market(**{"n_months": 100, **kwargs})


def test_start_must_be_a_month():
    with pytest.raises(DataError, match=r"`start` must be a month such as '1990-01'.*got 1990"):
        synthetic_market(24, start=1990)  # type: ignore[arg-type]
    assert str(synthetic_market(24, start="2000-05").panel.start) == "2000-05"


def test_the_last_allowed_month_is_9999_12():
    market = synthetic_market(24, 2, start="9998-01")
    assert str(market.panel.end) == "9999-12"
