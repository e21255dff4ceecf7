"""`Fold`: the months of one train / validation / test split, and the purge and embargo rules.

A sample is a month ``s`` (an index into the months being split). Its label is observed
``purge`` months later (``purge`` = the forecast horizon ``h``; 1 for a next-month return), so
sample ``s`` *touches* months ``s .. s + h``. Around every evaluation block ``[a, b]`` of a fold
(its test blocks; also its validation block, which is carved from the end of training):

- **purge**: drop every training sample whose label months ``s + 1 .. s + h`` reach into the
  block, i.e. the ``h`` samples ``a - h .. a - 1`` right before it;
- **embargo**: drop the ``embargo`` training samples ``b + 1 .. b + embargo`` right after it
  (serial correlation carries information from the block into the months after it).

These are the rules of Lopez de Prado (2018), *Advances in Financial Machine Learning*, ch. 7.3-7.4
(purging and embargo) and ch. 12 (combinatorial purged cross-validation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from factorgym._typing import BoolArray, IntArray

__all__ = ["Fold", "contiguous_segments", "purge_and_embargo"]


def _frozen_int(values: object) -> IntArray:
    arr = np.array(values, dtype=np.int64).reshape(-1)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Fold:
    """Sample positions of one fold.

    Attributes
    ----------
    index : int
        Fold number (0-based, in the splitter's order).
    train : ndarray of int
        Samples the model is fitted on (after purge and embargo; validation excluded).
    validation : ndarray of int
        Samples of the validation block (early stopping, model choice); may be empty.
    test : ndarray of int
        Out-of-sample samples (all test groups of a CPCV split, sorted).
    test_groups : tuple of int
        CPCV: the groups tested; walk-forward: ``(index,)``.
    paths : tuple of int
        CPCV: the backtest path each test group belongs to (same order as ``test_groups``);
        walk-forward: ``(0,)`` (one path).
    """

    index: int
    train: IntArray
    validation: IntArray
    test: IntArray
    test_groups: tuple[int, ...] = ()
    paths: tuple[int, ...] = ()
    group_bounds: tuple[tuple[int, int], ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        for name in ("train", "validation", "test"):
            object.__setattr__(self, name, _frozen_int(getattr(self, name)))

    @property
    def train_segments(self) -> list[tuple[int, int]]:
        """Contiguous runs ``(first, last)`` (inclusive) of the training samples."""
        return contiguous_segments(self.train)

    @property
    def test_segments(self) -> list[tuple[int, int]]:
        """Contiguous runs ``(first, last)`` (inclusive) of the test samples."""
        return contiguous_segments(self.test)

    def test_path_segments(self) -> list[tuple[int, int, int]]:
        """``(first, last, path)`` of every test group (CPCV) or of the test block."""
        if not self.group_bounds:
            return [(a, b, 0) for a, b in self.test_segments]
        return [(a, b, p) for (a, b), p in zip(self.group_bounds, self.paths, strict=True)]


def contiguous_segments(samples: Sequence[int] | IntArray) -> list[tuple[int, int]]:
    """Contiguous runs of sorted sample positions, as inclusive ``(first, last)`` pairs.

    >>> contiguous_segments([0, 1, 2, 5, 6, 9])
    [(0, 2), (5, 6), (9, 9)]
    """
    arr = np.asarray(samples, dtype=np.int64)
    if arr.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(arr) != 1)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [arr.size - 1]])
    return [(int(arr[s]), int(arr[e])) for s, e in zip(starts, ends, strict=True)]


def purge_and_embargo(
    train: BoolArray, blocks: Sequence[tuple[int, int]], *, purge: int, embargo: int
) -> BoolArray:
    """Training mask without the purged and embargoed samples around each block.

    Parameters
    ----------
    train : bool ndarray of shape (n_samples,)
        Candidate training samples.
    blocks : sequence of (int, int)
        Evaluation blocks as inclusive ``(first, last)`` positions.
    purge : int
        Label horizon ``h``: samples ``first - h .. first - 1`` are dropped.
    embargo : int
        Samples ``last + 1 .. last + embargo`` are dropped.

    Returns
    -------
    bool ndarray of shape (n_samples,)
        A new mask; blocks themselves are also removed from training.
    """
    out = np.array(train, dtype=bool, copy=True)
    n = out.size
    for first, last in blocks:
        out[max(0, first - purge) : min(n, last + 1 + embargo)] = False
    return out
