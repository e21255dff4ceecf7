"""`CombinatorialPurgedCV`: López de Prado's combinatorial purged cross-validation.

The samples are cut into ``N`` consecutive groups (the first ``N - 1`` of ``n // N`` samples,
the last holding the rest, as :class:`skfolio.model_selection.CombinatorialPurgedCV` does). Every
choice of ``k`` test groups is one split: ``C(N, k)`` splits, each training on the other groups
after purging the ``purge`` samples before every test block and embargoing the ``embargo``
samples after it. Each group is tested in ``C(N - 1, k - 1)`` splits; taking the ``j``-th of
them for every group gives backtest path ``j``, so there are ``phi = C(N, k) k / N`` paths, each
covering every sample once (López de Prado 2018, *Advances in Financial Machine Learning*,
ch. 12.4, eq. for phi[N, k]).

Relation to skfolio: skfolio's ``purged_size = p`` drops ``p`` samples before *and*
``p + embargo_size`` after each test block; here ``purge = h`` drops ``h`` samples before (the
samples whose labels reach into the block) and ``embargo = e`` after. The training sets agree
when skfolio is given ``purged_size = h`` and ``embargo_size = e - h`` (``e >= h``), and the
path assignment is the same (tested).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np

from factorgym._typing import IntArray
from factorgym.errors import DataError
from factorgym.experiments.folds import Fold, contiguous_segments, purge_and_embargo
from factorgym.validation import check_int

__all__ = ["CombinatorialPurgedCV"]


class CombinatorialPurgedCV:
    """Combinatorial purged cross-validation with backtest paths (sklearn API).

    Parameters
    ----------
    n_groups : int, default 6
        Number of consecutive groups ``N`` (>= 2).
    n_test_groups : int, default 2
        Test groups per split ``k`` (1 <= k < N).
    purge : int, default 1
        Label horizon: training samples within ``purge`` before a test block are dropped.
    embargo : int, default 0
        Training samples within ``embargo`` after a test block are dropped.
    validation_size : int, default 0
        Samples at the end of the longest contiguous training segment held out for validation
        (with ``purge`` samples dropped before them).

    Examples
    --------
    >>> cv = CombinatorialPurgedCV(n_groups=6, n_test_groups=2)
    >>> cv.get_n_splits(), cv.n_paths
    (15, 5)
    """

    def __init__(
        self,
        n_groups: int = 6,
        n_test_groups: int = 2,
        *,
        purge: int = 1,
        embargo: int = 0,
        validation_size: int = 0,
    ) -> None:
        self.n_groups = n_groups
        self.n_test_groups = n_test_groups
        self.purge = purge
        self.embargo = embargo
        self.validation_size = validation_size

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"CombinatorialPurgedCV({args})"

    def _validate(self) -> None:
        n_groups = check_int("n_groups", self.n_groups, minimum=2)
        check_int("n_test_groups", self.n_test_groups, minimum=1, maximum=n_groups - 1)
        check_int("purge", self.purge, minimum=0)
        check_int("embargo", self.embargo, minimum=0)
        check_int("validation_size", self.validation_size, minimum=0)

    @property
    def n_paths(self) -> int:
        """Number of backtest paths ``C(N, k) k / N``."""
        self._validate()
        return math.comb(self.n_groups, self.n_test_groups) * self.n_test_groups // self.n_groups

    def test_group_sets(self) -> list[tuple[int, ...]]:
        """The test groups of every split, in lexicographic order."""
        self._validate()
        return list(itertools.combinations(range(self.n_groups), self.n_test_groups))

    def path_ids(self) -> IntArray:
        """``path_ids[i, j]``: backtest path of the ``j``-th test group of split ``i``."""
        sets = self.test_group_sets()
        seen = np.zeros(self.n_groups, dtype=np.int64)
        out = np.zeros((len(sets), self.n_test_groups), dtype=np.int64)
        for i, groups in enumerate(sets):
            for j, g in enumerate(groups):
                out[i, j] = seen[g]
                seen[g] += 1
        return out

    def group_bounds(self, n_samples: int) -> list[tuple[int, int]]:
        """Inclusive ``(first, last)`` sample of every group.

        Raises
        ------
        DataError
            If a group would be too small to leave training samples after purge and embargo.
        """
        self._validate()
        size = n_samples // self.n_groups
        if size < 1 or self.purge + self.embargo + self.validation_size >= size:
            raise DataError(
                f"`X` has {n_samples} samples: groups of {size} are too small for "
                f"purge={self.purge}, embargo={self.embargo} and validation_size="
                f"{self.validation_size} (need groups of more than their sum)"
            )
        bounds = [(g * size, (g + 1) * size - 1) for g in range(self.n_groups - 1)]
        bounds.append(((self.n_groups - 1) * size, n_samples - 1))
        return bounds

    def folds(self, X: object) -> Iterator[Fold]:
        """Yield one :class:`Fold` per split, with its test groups and their paths."""
        n = len(X)  # type: ignore[arg-type]
        bounds = self.group_bounds(n)
        paths = self.path_ids()
        positions = np.arange(n, dtype=np.int64)
        for i, groups in enumerate(self.test_group_sets()):
            test_mask = np.zeros(n, dtype=bool)
            for g in groups:
                test_mask[bounds[g][0] : bounds[g][1] + 1] = True
            test = positions[test_mask]
            train_mask = purge_and_embargo(
                ~test_mask, contiguous_segments(test), purge=self.purge, embargo=self.embargo
            )
            validation = np.empty(0, dtype=np.int64)
            if self.validation_size > 0:
                segments = contiguous_segments(positions[train_mask])
                # the longest training segment; the latest one on a tie
                lo, hi = max(segments, key=lambda s: (s[1] - s[0], s[0]))
                if hi - lo + 1 < self.validation_size + self.purge + 1:
                    raise DataError(
                        f"split {i}: the longest training segment ({hi - lo + 1} samples) is "
                        f"too short for validation_size={self.validation_size} and purge="
                        f"{self.purge}"
                    )
                validation = positions[hi - self.validation_size + 1 : hi + 1]
                train_mask = purge_and_embargo(
                    train_mask,
                    [(int(validation[0]), int(validation[-1]))],
                    purge=self.purge,
                    embargo=0,
                )
            yield Fold(
                index=i,
                train=positions[train_mask],
                validation=validation,
                test=test,
                test_groups=tuple(groups),
                paths=tuple(int(p) for p in paths[i]),
                group_bounds=tuple(bounds[g] for g in groups),
            )

    def split(
        self, X: object, y: object = None, groups: object = None
    ) -> Iterator[tuple[IntArray, IntArray]]:
        """Yield ``(train, test)`` positions; ``train`` includes the validation block."""
        for fold in self.folds(X):
            yield np.sort(np.concatenate([fold.train, fold.validation])), fold.test

    def get_n_splits(self, X: object = None, y: object = None, groups: object = None) -> int:
        """Number of splits ``C(N, k)``."""
        self._validate()
        return math.comb(self.n_groups, self.n_test_groups)
