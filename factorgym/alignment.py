"""Feature-frame alignment: the one rule every consumer of a point-in-time frame applies.

A feature frame (regime probabilities, forecasts, a user's own signals) is *aligned* with a
panel when row ``t`` can only hold information up to the end of month ``t``, which is checked
from its index and values:

* **Index.** Read as months (dates or monthly periods; any date inside a month is that month):
  no missing dates, unique, sorted, without gaps, not before the panel's first month, and ending
  exactly at the panel's last month. A row dated after the panel's last month, or a frame ending
  early, is a :class:`~factorgym.errors.LookAheadError` (a shifted frame is the classic leak).
  The frame may *start* later than the panel: earlier months are missing.
* **Values.** Numeric, no ``inf``, unique column names, at least one complete row. Missing values
  (NaN) form a leading block only: a feature is missing until it first becomes available (a
  model's burn-in) and available from then on. A hole after the first complete row is refused:
  nothing downstream could tell "not yet available" from "lost".

envs/ (observation blocks) and forecasts/ (external features of the design matrix) both call
:func:`align_feature_frame`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorgym._typing import FloatArray
from factorgym.errors import DataError, LookAheadError
from factorgym.panel import to_months

__all__ = ["align_feature_frame"]


def align_feature_frame(
    frame: pd.DataFrame | pd.Series, months: pd.PeriodIndex, *, name: str
) -> tuple[FloatArray, tuple[str, ...]]:
    """Check a feature frame against the panel's months (the rule of the module docstring).

    Parameters
    ----------
    frame : DataFrame or Series
        One row per month, numeric columns.
    months : PeriodIndex
        The panel's months.
    name : str
        Block name for messages.

    Returns
    -------
    values : ndarray of shape (n_months, n_columns)
        Float64, C order, NaN in the months before the frame's first complete row.
    columns : tuple of str
        The frame's column names, as strings.

    Raises
    ------
    LookAheadError
        A row dated after the panel's last month, or an index that is not aligned on the
        panel's months (duplicates, unsorted, gaps, rows before the panel, ending early).
    DataError
        Not a frame, no rows or columns, repeated column names, non-numeric values, inf,
        no complete row, or missing values after the first complete row.
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(name=str(frame.name) if frame.name is not None else name)
    if not isinstance(frame, pd.DataFrame):
        raise DataError(
            f"feature frame {name!r} must be a pandas DataFrame, got {type(frame).__name__}"
        )
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise DataError(f"feature frame {name!r} must have at least one row and one column")
    fmonths = to_months(frame.index, name=f"features[{name!r}].index")
    if fmonths.hasnans:
        raise LookAheadError(f"feature frame {name!r} is not aligned: its index has missing dates")
    ords = fmonths.asi8
    last = months[-1].ordinal
    if ords.max() > last:
        bad = fmonths[int(np.argmax(ords > last))]
        raise LookAheadError(
            f"feature frame {name!r} has a later-dated row: {bad} is after the panel's last month "
            f"{months[-1]}; row t must use information up to month t only (slice the frame to "
            "the panel's months)"
        )
    steps = np.diff(ords)
    if np.any(steps <= 0):
        i = int(np.argmax(steps <= 0))
        raise LookAheadError(
            f"feature frame {name!r} is not aligned on the panel's months: {fmonths[i + 1]} "
            f"follows {fmonths[i]} (the index must be unique and sorted)"
        )
    if np.any(steps > 1):
        i = int(np.argmax(steps > 1))
        raise LookAheadError(
            f"feature frame {name!r} is not aligned on the panel's months: gap between "
            f"{fmonths[i]} and {fmonths[i + 1]}"
        )
    if ords[0] < months[0].ordinal:
        raise LookAheadError(
            f"feature frame {name!r} is not aligned on the panel's months: it starts at "
            f"{fmonths[0]}, before the panel's first month {months[0]}"
        )
    if ords[-1] != last:
        raise LookAheadError(
            f"feature frame {name!r} is not aligned on the panel's months: it ends at "
            f"{fmonths[-1]}, the panel at {months[-1]}"
        )
    names = tuple(str(c) for c in frame.columns)
    if len(set(names)) != len(names):
        dups = sorted({c for c in names if names.count(c) > 1})
        raise DataError(f"feature frame {name!r} columns must be unique, got duplicates {dups}")
    try:
        values = frame.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"feature frame {name!r} must be numeric, got {exc}") from exc
    if np.isinf(values).any():
        raise DataError(f"feature frame {name!r} must not contain inf")
    out = np.full((len(months), values.shape[1]), np.nan)
    first = int(ords[0] - months[0].ordinal)
    out[first:] = values
    complete = np.all(np.isfinite(out), axis=1)
    if complete.any():
        first_ok = int(np.argmax(complete))
        if not complete[first_ok:].all():
            bad = first_ok + int(np.argmin(complete[first_ok:]))
            raise DataError(
                f"feature frame {name!r} has missing values at {months[bad]}, after its first "
                f"complete row {months[first_ok]}"
            )
    else:
        raise DataError(f"feature frame {name!r} has no complete row")
    return np.ascontiguousarray(out), names
