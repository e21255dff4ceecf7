"""Forward-chaining cross-validation with purging, for choosing penalties inside a training window.

A sample at month ``s`` has features at ``s`` and its label ``x_{s+h}`` (``h`` = label horizon,
1 for next-month forecasts), so it "touches" months ``s..s+h``. Validation blocks are
contiguous and always come after their training samples; the ``h`` training samples right
before a block are purged because their labels fall inside it (Lopez de Prado 2018, *Advances
in Financial Machine Learning*, ch. 7). With ``h = 1`` this is the split of
:class:`sklearn.model_selection.TimeSeriesSplit` with ``gap=1`` (tested).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from factorgym._typing import IntArray
from factorgym.errors import ConfigError, DataError

__all__ = ["PurgedTimeSeriesSplit"]


class PurgedTimeSeriesSplit:
    """Expanding-window time-series splits that purge samples whose labels reach the test block.

    Parameters
    ----------
    n_splits : int
        Number of validation blocks (>= 2).
    label_horizon : int
        How many months after its feature month a sample's label is observed (>= 0); that
        many training samples before each validation block are dropped.
    test_size : int, optional
        Length of each validation block; default ``n_samples // (n_splits + 1)``.

    Notes
    -----
    Only the samples handed to :meth:`split` are used: called on a walk-forward training
    window, the penalty is chosen from that window alone.
    """

    def __init__(
        self, n_splits: int = 5, *, label_horizon: int = 1, test_size: int | None = None
    ) -> None:
        self.n_splits = n_splits
        self.label_horizon = label_horizon
        self.test_size = test_size

    def __repr__(self) -> str:
        return (
            f"PurgedTimeSeriesSplit(n_splits={self.n_splits}, "
            f"label_horizon={self.label_horizon}, test_size={self.test_size})"
        )

    def _validate(self) -> None:
        if not isinstance(self.n_splits, (int, np.integer)) or self.n_splits < 2:
            raise ConfigError(f"`n_splits` must be an int >= 2, got {self.n_splits!r}")
        if not isinstance(self.label_horizon, (int, np.integer)) or self.label_horizon < 0:
            raise ConfigError(f"`label_horizon` must be an int >= 0, got {self.label_horizon!r}")
        if self.test_size is not None and (
            not isinstance(self.test_size, (int, np.integer)) or self.test_size < 1
        ):
            raise ConfigError(f"`test_size` must be None or an int >= 1, got {self.test_size!r}")

    def get_n_splits(self, X: object = None, y: object = None, groups: object = None) -> int:
        """Number of splits (``n_splits``)."""
        self._validate()
        return int(self.n_splits)

    def split(
        self, X: object, y: object = None, groups: object = None
    ) -> Iterator[tuple[IntArray, IntArray]]:
        """Yield ``(train, test)`` index arrays, oldest validation block first.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples in time order (only its length is used).

        Raises
        ------
        DataError
            If there are too few samples for the requested splits (each training set must
            keep at least one sample after purging).
        """
        self._validate()
        n = len(X)  # type: ignore[arg-type]
        size = self.test_size if self.test_size is not None else n // (self.n_splits + 1)
        first_test = n - self.n_splits * size
        if size < 1 or first_test - self.label_horizon < 1:
            raise DataError(
                f"`X` has {n} samples, too few for {self.n_splits} purged splits with "
                f"test_size={size} and label_horizon={self.label_horizon}"
            )
        indices = np.arange(n, dtype=np.int64)
        for i in range(self.n_splits):
            start = first_test + i * size
            yield indices[: start - self.label_horizon], indices[start : start + size]
