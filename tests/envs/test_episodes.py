"""Episode starts and truncation rows."""

from __future__ import annotations

import numpy as np
import pytest

from factorgym.envs.episodes import check_options, parse_start_option, sample_starts, stop_rows
from factorgym.errors import ConfigError


def test_sample_starts_leave_a_full_episode():
    rng = np.random.default_rng(0)
    draws = sample_starts(rng, (10, 100), 30, True, size=5000)
    assert draws.min() == 10 and draws.max() == 71  # 71 + 30 = 101 = last earned row
    assert sample_starts(rng, (10, 100), 30, False) == 10
    np.testing.assert_array_equal(sample_starts(rng, (10, 100), None, False, size=3), [10] * 3)
    assert sample_starts(rng, (10, 20), 50, True) == 10  # window shorter than an episode
    assert 10 <= sample_starts(rng, (10, 100), None, True) <= 100


def test_stop_rows():
    assert stop_rows(10, (10, 100), 30) == 40
    assert stop_rows(90, (10, 100), 30) == 101
    assert stop_rows(50, (10, 100), None) == 101
    np.testing.assert_array_equal(stop_rows(np.array([10, 90]), (10, 100), 30), [40, 101])
    np.testing.assert_array_equal(stop_rows(np.array([10, 90]), (10, 100), None), [101, 101])


def test_options(french_small):
    assert check_options(None) == {}
    assert check_options({"start": "1995-01"}) == {"start": "1995-01"}
    # 1995-01 is row 60; the episode earns it first, so it decides at row 59
    assert parse_start_option("1995-01", french_small, (11, 118)) == 59
    with pytest.raises(ConfigError, match="`options\\['start'\\]` must lie in"):
        parse_start_option("1991-01", french_small, (20, 118))
