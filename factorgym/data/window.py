"""Cut a month-indexed frame to ``start``..``end`` before it becomes a panel."""

from __future__ import annotations

import pandas as pd

from factorgym.errors import DataError
from factorgym.panel import parse_month

__all__ = ["window_frame"]


def window_frame(frame: pd.DataFrame, start: object, end: object, *, what: str) -> pd.DataFrame:
    """Rows of ``frame`` (monthly ``PeriodIndex``) from ``start`` to ``end`` inclusive.

    Raises
    ------
    DataError
        If ``start`` is after ``end`` or no row falls in the window.
    """
    if start is None and end is None:
        return frame
    lo = parse_month(start, name="start") if start is not None else frame.index.min()
    hi = parse_month(end, name="end") if end is not None else frame.index.max()
    if lo > hi:
        raise DataError(f"`start` must not be after `end`, got start={lo} > end={hi}")
    kept = frame.loc[(frame.index >= lo) & (frame.index <= hi)]
    if kept.empty:
        raise DataError(f"`start`..`end` = {lo}..{hi} holds no month of {what}")
    return kept
