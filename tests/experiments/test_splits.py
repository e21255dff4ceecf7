"""Purged walk-forward and CPCV: no leakage, exact purge and embargo, paths, skfolio agreement."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from skfolio.model_selection import CombinatorialPurgedCV as SkfolioCPCV
from skfolio.model_selection import WalkForward as SkfolioWalkForward

from factorgym.errors import ConfigError, DataError
from factorgym.experiments import CombinatorialPurgedCV, PurgedWalkForward
from factorgym.experiments.folds import contiguous_segments, purge_and_embargo

N = 300


def _labels(samples: np.ndarray, horizon: int) -> set[int]:
    """Months a set of samples touches: s .. s + h."""
    return {int(s) + j for s in samples for j in range(horizon + 1)}


@pytest.mark.parametrize("expanding", [True, False])
@pytest.mark.parametrize("purge", [0, 1, 3])
@pytest.mark.parametrize("validation_size", [0, 12])
def test_walk_forward_never_trains_on_a_test_month_or_label(expanding, purge, validation_size):
    cv = PurgedWalkForward(
        train_size=60,
        test_size=25,
        validation_size=validation_size,
        expanding=expanding,
        purge=purge,
        embargo=2,
    )
    folds = list(cv.folds(np.zeros(N)))
    assert len(folds) == cv.get_n_splits(np.zeros(N)) == math.ceil((N - 60 - purge) / 25)
    covered = []
    for fold in folds:
        test = set(fold.test.tolist())
        # no training or validation sample, and no label month of one, inside the test block
        assert not (_labels(fold.train, purge) & test)
        assert not (_labels(fold.validation, purge) & test)
        # nor a training label inside the validation block
        assert not (_labels(fold.train, purge) & set(fold.validation.tolist()))
        # training precedes test: the walk-forward never trains after its test block
        assert fold.train.max() < fold.test.min()
        covered.extend(fold.test.tolist())
    # test blocks tile every month after the first test start, once
    assert covered == list(range(60 + purge, N))


def test_walk_forward_purge_and_validation_exactly_as_specified():
    cv = PurgedWalkForward(train_size=50, validation_size=10, test_size=20, purge=2)
    fold = next(iter(cv.folds(np.zeros(200))))
    # first test block starts at train_size + purge = 52; training ends 2 samples before it
    assert fold.test.tolist() == list(range(52, 72))
    assert fold.validation.tolist() == list(range(40, 50))  # last 10 training samples
    assert fold.train.tolist() == list(range(0, 38))  # 2 purged before validation
    second = list(cv.folds(np.zeros(200)))[1]
    assert second.test.tolist() == list(range(72, 92))
    assert second.validation.tolist() == list(range(60, 70))
    assert second.train.tolist() == list(range(0, 58))


def test_rolling_window_keeps_train_size():
    cv = PurgedWalkForward(train_size=40, validation_size=8, test_size=30, purge=1, expanding=False)
    for fold in cv.folds(np.zeros(250)):
        assert len(fold.train) + 1 + len(fold.validation) == 40  # fit + purge + validation
        assert fold.validation.max() == fold.test.min() - 2


def test_walk_forward_embargo_never_bites_because_training_precedes_test():
    a = [f.train.tolist() for f in PurgedWalkForward(train_size=60, test_size=25).folds(range(N))]
    b = [
        f.train.tolist()
        for f in PurgedWalkForward(train_size=60, test_size=25, embargo=7).folds(range(N))
    ]
    assert a == b


@pytest.mark.parametrize("expanding", [True, False])
@pytest.mark.parametrize("purge", [0, 1, 4])
@pytest.mark.parametrize("n", [300, 301, 317])
def test_walk_forward_agrees_with_skfolio(expanding, purge, n):
    ours = PurgedWalkForward(train_size=60, test_size=25, purge=purge, expanding=expanding)
    theirs = SkfolioWalkForward(
        test_size=25, train_size=60, purged_size=purge, expand_train=expanding, reduce_test=True
    )
    X = np.zeros((n, 2))
    pairs = list(itertools.zip_longest(ours.split(X), theirs.split(X)))
    assert len(pairs) == ours.get_n_splits(X) == theirs.get_n_splits(X)
    for (tr, te), (tr2, te2) in pairs:
        np.testing.assert_array_equal(tr, tr2)
        np.testing.assert_array_equal(te, te2)
    # without reduce_test the partial last block is dropped, as skfolio does
    ours_full = PurgedWalkForward(
        train_size=60, test_size=25, purge=purge, expanding=expanding, keep_partial_test=False
    )
    theirs_full = SkfolioWalkForward(
        test_size=25, train_size=60, purged_size=purge, expand_train=expanding
    )
    a = [t.tolist() for _, t in ours_full.split(X)]
    b = [t.tolist() for _, t in theirs_full.split(X)]
    assert a == b


def test_walk_forward_max_folds_and_errors():
    cv = PurgedWalkForward(train_size=60, test_size=25, max_folds=2)
    assert [f.index for f in cv.folds(range(N))] == [0, 1]
    with pytest.raises(DataError, match=r"`X` has 60 samples, too few for a walk-forward"):
        list(PurgedWalkForward(train_size=60, test_size=5).folds(range(60)))
    with pytest.raises(ConfigError, match=r"`test_size` must be an int >= 1, got 0"):
        list(PurgedWalkForward(train_size=60, test_size=0).folds(range(N)))
    with pytest.raises(ConfigError, match=r"`train_size` must be an int >= 14, got 12"):
        list(PurgedWalkForward(train_size=12, test_size=5, validation_size=12).folds(range(N)))
    with pytest.raises(ConfigError, match=r"`expanding` must be True or False, got 1"):
        list(PurgedWalkForward(train_size=60, test_size=5, expanding=1).folds(range(N)))
    with pytest.raises(ConfigError, match=r"`X` must be the samples"):
        PurgedWalkForward(train_size=60, test_size=5).get_n_splits()
    with pytest.raises(ConfigError, match=r"`max_folds` must be an int >= 1, got 0"):
        list(PurgedWalkForward(train_size=60, test_size=5, max_folds=0).folds(range(N)))


@pytest.mark.parametrize(("n_groups", "k"), [(6, 2), (5, 1), (6, 3), (8, 2), (10, 4)])
def test_cpcv_split_and_path_counts(n_groups, k):
    cv = CombinatorialPurgedCV(n_groups, k, purge=1, embargo=2)
    folds = list(cv.folds(np.zeros(N)))
    assert len(folds) == cv.get_n_splits() == math.comb(n_groups, k)
    assert cv.n_paths == math.comb(n_groups, k) * k // n_groups
    assert cv.n_paths == math.comb(n_groups - 1, k - 1)
    # each path tests every sample exactly once
    bounds = cv.group_bounds(N)
    per_path: dict[int, list[int]] = {p: [] for p in range(cv.n_paths)}
    for fold in folds:
        for a, b, p in fold.test_path_segments():
            per_path[p].extend(range(a, b + 1))
    for path, samples in per_path.items():
        assert sorted(samples) == list(range(N)), path
    assert bounds[-1][1] == N - 1


@pytest.mark.parametrize(("purge", "embargo"), [(0, 0), (1, 0), (1, 3), (2, 2), (3, 5)])
def test_cpcv_purge_and_embargo_exactly_as_specified(purge, embargo):
    cv = CombinatorialPurgedCV(6, 2, purge=purge, embargo=embargo)
    n = 240  # groups of 40
    for fold in cv.folds(np.zeros(n)):
        test = np.zeros(n, dtype=bool)
        test[fold.test] = True
        expected = np.ones(n, dtype=bool)
        for a, b in contiguous_segments(fold.test):
            expected[max(0, a - purge) : b + 1 + embargo] = False
        np.testing.assert_array_equal(np.flatnonzero(expected), fold.train)
        # no training label month inside a test block
        assert not (_labels(fold.train, purge) & set(fold.test.tolist()))
        # the embargo: no training sample within `embargo` after a test block
        for _, b in contiguous_segments(fold.test):
            assert not set(range(b + 1, b + 1 + embargo)) & set(fold.train.tolist())


@pytest.mark.parametrize(("purge", "embargo"), [(0, 0), (1, 1), (1, 4), (2, 5)])
@pytest.mark.parametrize("n", [240, 257])
def test_cpcv_agrees_with_skfolio(purge, embargo, n):
    """skfolio purges `purged_size` on both sides: ours(h, e) = skfolio(h, e - h)."""
    ours = CombinatorialPurgedCV(6, 2, purge=purge, embargo=embargo)
    theirs = SkfolioCPCV(n_folds=6, n_test_folds=2, purged_size=purge, embargo_size=embargo - purge)
    X = np.zeros((n, 3))
    for (tr, te), (tr2, tests2) in zip(ours.split(X), theirs.split(X), strict=True):
        np.testing.assert_array_equal(tr, tr2)
        np.testing.assert_array_equal(te, np.concatenate(tests2))
    np.testing.assert_array_equal(ours.path_ids(), theirs.get_path_ids())
    assert ours.n_paths == theirs.n_test_paths


def test_cpcv_validation_block_and_errors():
    cv = CombinatorialPurgedCV(4, 2, purge=1, embargo=1, validation_size=5)
    for fold in cv.folds(np.zeros(200)):
        segs = contiguous_segments(np.concatenate([fold.train, fold.validation]))
        assert fold.validation.size == 5
        assert not set(fold.validation.tolist()) & set(fold.test.tolist())
        assert not (_labels(fold.train, 1) & set(fold.validation.tolist()))
        assert segs  # train and validation come from training segments
    with pytest.raises(ConfigError, match=r"`n_test_groups` must be an int >= 1 and <= 5, got 6"):
        CombinatorialPurgedCV(6, 6).get_n_splits()
    with pytest.raises(ConfigError, match=r"`n_groups` must be an int >= 2, got 1"):
        CombinatorialPurgedCV(1, 1).get_n_splits()
    with pytest.raises(DataError, match=r"groups of 3 are too small for purge=1, embargo=2"):
        list(CombinatorialPurgedCV(6, 2, purge=1, embargo=2).folds(np.zeros(20)))
    with pytest.raises(DataError, match=r"longest training segment \(\d+ samples\) is too short"):
        list(CombinatorialPurgedCV(3, 2, purge=1, validation_size=8).folds(np.zeros(31)))


def test_purge_and_embargo_helper_by_hand():
    mask = purge_and_embargo(np.ones(12, dtype=bool), [(4, 6)], purge=2, embargo=3)
    assert np.flatnonzero(mask).tolist() == [0, 1, 10, 11]
    assert contiguous_segments([]) == []
    assert contiguous_segments([3]) == [(3, 3)]
