"""`PurgedWalkForward`: walk-forward test blocks with a validation block, purge and embargo.

Test blocks of ``test_size`` months follow each other to the end of the data; fold ``k`` tests
samples ``t_k .. t_k + test_size - 1`` with ``t_k = train_size + purge + k * test_size``. Its
training set is every sample before ``t_k - purge`` (expanding window) or the last
``train_size`` of them (rolling window); the last ``validation_size`` training samples form the
validation block, and the ``purge`` samples before it are dropped from fitting as well (their
labels fall inside it). With ``validation_size=0`` the (train, test) pairs are exactly those of
:class:`skfolio.model_selection.WalkForward` (``purged_size=purge``, ``expand_train=expanding``,
``reduce_test=keep_partial_test``), which the tests check.

The embargo drops the months right after a test block from any training set that comes later
in time than the block. In a walk-forward every training set precedes its fold's test block,
so the embargo never removes a sample here (it acts in
:class:`~factorgym.experiments.CombinatorialPurgedCV`); it is accepted so that the two
splitters share one configuration.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from factorgym._typing import IntArray
from factorgym.errors import DataError
from factorgym.experiments.folds import Fold, purge_and_embargo
from factorgym.validation import check_bool, check_int

__all__ = ["PurgedWalkForward"]


class PurgedWalkForward:
    """Walk-forward splitter with purging, embargo and a validation block (sklearn API).

    Parameters
    ----------
    test_size : int
        Months in each test block (>= 1).
    train_size : int
        Training months (fit + validation) before the first test block; with
        ``expanding=False`` the length of every training window.
    validation_size : int, default 0
        Months at the end of each training window held out for validation.
    expanding : bool, default True
        Expanding (True) or rolling (False) training window.
    purge : int, default 1
        Label horizon in months: training samples whose label months reach an evaluation block
        are dropped (the ``purge`` months before the test block and before the validation block).
    embargo : int, default 0
        Months after a test block dropped from later training (no effect in a walk-forward; see
        the module docstring).
    max_folds : int, optional
        Keep only the first ``max_folds`` folds.
    keep_partial_test : bool, default True
        Keep a last test block shorter than ``test_size`` (so the folds test every month after
        the first test start).

    Examples
    --------
    >>> import numpy as np
    >>> cv = PurgedWalkForward(test_size=2, train_size=4, validation_size=1, purge=1)
    >>> for fold in cv.folds(np.zeros(9)):
    ...     print(fold.train.tolist(), fold.validation.tolist(), fold.test.tolist())
    [0, 1] [3] [5, 6]
    [0, 1, 2, 3] [5] [7, 8]
    """

    def __init__(
        self,
        *,
        test_size: int,
        train_size: int,
        validation_size: int = 0,
        expanding: bool = True,
        purge: int = 1,
        embargo: int = 0,
        max_folds: int | None = None,
        keep_partial_test: bool = True,
    ) -> None:
        self.test_size = test_size
        self.train_size = train_size
        self.validation_size = validation_size
        self.expanding = expanding
        self.purge = purge
        self.embargo = embargo
        self.max_folds = max_folds
        self.keep_partial_test = keep_partial_test

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"PurgedWalkForward({args})"

    def _validate(self) -> None:
        check_int("test_size", self.test_size, minimum=1)
        check_int("train_size", self.train_size, minimum=1)
        check_int("validation_size", self.validation_size, minimum=0)
        check_bool("expanding", self.expanding)
        check_int("purge", self.purge, minimum=0)
        check_int("embargo", self.embargo, minimum=0)
        if self.max_folds is not None:
            check_int("max_folds", self.max_folds, minimum=1)
        check_bool("keep_partial_test", self.keep_partial_test)
        if self.validation_size > 0:
            # the fit part keeps at least one month after the purge before validation
            check_int(
                "train_size",
                self.train_size,
                minimum=self.validation_size + self.purge + 1,
            )

    def _starts(self, n: int) -> list[int]:
        first = self.train_size + self.purge
        starts = []
        t = first
        while t < n:
            if t + self.test_size > n and not self.keep_partial_test:
                break
            starts.append(t)
            t += self.test_size
        if self.max_folds is not None:
            starts = starts[: self.max_folds]
        return starts

    def folds(self, X: object) -> Iterator[Fold]:
        """Yield every :class:`Fold` (train, validation, test) in time order.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples in time order (only its length is used).

        Raises
        ------
        ConfigError
            For an invalid parameter.
        DataError
            If the samples are too few for one test block.
        """
        self._validate()
        n = len(X)  # type: ignore[arg-type]
        starts = self._starts(n)
        if not starts:
            raise DataError(
                f"`X` has {n} samples, too few for a walk-forward with train_size="
                f"{self.train_size}, purge={self.purge} and test_size={self.test_size} "
                f"(needs at least {self.train_size + self.purge + 1})"
            )
        positions = np.arange(n, dtype=np.int64)
        for k, start in enumerate(starts):
            stop = min(start + self.test_size, n)  # exclusive
            train_end = start - self.purge  # exclusive
            train_start = 0 if self.expanding else train_end - self.train_size
            candidate = (positions >= train_start) & (positions < train_end)
            candidate = purge_and_embargo(
                candidate, [(start, stop - 1)], purge=self.purge, embargo=self.embargo
            )
            validation = np.empty(0, dtype=np.int64)
            fit = candidate
            if self.validation_size > 0:
                val_lo = train_end - self.validation_size
                validation = positions[val_lo:train_end]
                fit = purge_and_embargo(
                    candidate, [(val_lo, train_end - 1)], purge=self.purge, embargo=self.embargo
                )
            yield Fold(
                index=k,
                train=positions[fit],
                validation=validation,
                test=positions[start:stop],
                test_groups=(k,),
                paths=(0,),
            )

    def split(
        self, X: object, y: object = None, groups: object = None
    ) -> Iterator[tuple[IntArray, IntArray]]:
        """Yield ``(train, test)`` positions; ``train`` includes the validation block."""
        for fold in self.folds(X):
            yield np.sort(np.concatenate([fold.train, fold.validation])), fold.test

    def get_n_splits(self, X: object = None, y: object = None, groups: object = None) -> int:
        """Number of folds for ``X`` (needs ``X``: the count depends on the sample size).

        Raises
        ------
        ConfigError
            If ``X`` is None.
        """
        self._validate()
        if X is None:
            from factorgym.validation import fail

            raise fail("X", "the samples (the number of folds depends on their count)", None)
        return len(self._starts(len(X)))  # type: ignore[arg-type]
