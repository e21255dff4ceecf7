from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import TimeSeriesSplit

from factorgym import ConfigError, DataError
from factorgym.forecasts import PurgedTimeSeriesSplit


@pytest.mark.parametrize("n", [12, 37, 120, 500])
@pytest.mark.parametrize("n_splits", [2, 5])
def test_matches_sklearn_time_series_split_with_gap(n: int, n_splits: int) -> None:
    ours = list(PurgedTimeSeriesSplit(n_splits, label_horizon=1).split(np.zeros((n, 2))))
    ref = list(TimeSeriesSplit(n_splits, gap=1).split(np.zeros((n, 2))))
    assert len(ours) == len(ref) == n_splits
    for (a_tr, a_te), (b_tr, b_te) in zip(ours, ref, strict=True):
        assert np.array_equal(a_tr, b_tr) and np.array_equal(a_te, b_te)


@pytest.mark.parametrize("h", [0, 1, 3])
def test_purge_removes_samples_whose_labels_reach_the_test_block(h: int) -> None:
    splitter = PurgedTimeSeriesSplit(4, label_horizon=h, test_size=10)
    assert splitter.get_n_splits() == 4
    for train, test in splitter.split(np.zeros(60)):
        # sample s touches months s..s+h; none of them may fall in the test block
        assert train.max() + h < test.min()
        assert train.max() + h + 1 == test.min()  # and nothing more than that is dropped
        assert np.array_equal(train, np.arange(train.size))
        assert test.size == 10


def test_parameter_errors() -> None:
    X = np.zeros((50, 1))
    with pytest.raises(ConfigError, match="`n_splits` must be an int >= 2, got 1"):
        list(PurgedTimeSeriesSplit(1).split(X))
    with pytest.raises(ConfigError, match="`label_horizon` must be an int >= 0, got -1"):
        PurgedTimeSeriesSplit(label_horizon=-1).get_n_splits()
    with pytest.raises(ConfigError, match="`test_size` must be None or an int >= 1, got 0"):
        list(PurgedTimeSeriesSplit(test_size=0).split(X))
    with pytest.raises(DataError, match="`X` has 6 samples, too few for 5 purged splits"):
        list(PurgedTimeSeriesSplit(5).split(np.zeros((6, 1))))
    assert "label_horizon=1" in repr(PurgedTimeSeriesSplit())
