"""Point-in-time observation blocks, feature-frame alignment and the training-window normaliser.

Row ``t`` of every block uses panel rows ``<= t`` only (the timing convention of
``ARCHITECTURE.md``): each trailing statistic is computed window by window from the last ``L``
rows, so changing a row after ``t`` cannot change row ``t`` -- not even in the last bit (no
cumulative sums, whose rounding would depend on the whole history).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from factorgym._typing import BoolArray, FloatArray
from factorgym.errors import DataError, LookAheadError
from factorgym.panel import to_months

__all__ = [
    "ObservationNormalizer",
    "align_feature_frame",
    "fit_normalizer",
    "trailing_covariance",
    "trailing_returns",
    "trailing_volatility",
]


def trailing_returns(excess: FloatArray, lookback: int) -> FloatArray:
    """Lagged returns: row ``t`` holds ``x[t], x[t-1], ..., x[t-L+1]`` (lag-major, then asset).

    Parameters
    ----------
    excess : ndarray of shape (n_months, n)
        Monthly excess returns.
    lookback : int
        ``L``.

    Returns
    -------
    ndarray of shape (n_months, L * n)
        Column ``j * n + k`` is asset ``k`` at lag ``j``; rows ``t < L - 1`` are NaN.
    """
    n_months, n = excess.shape
    out = np.full((n_months, lookback * n), np.nan)
    for j in range(min(lookback, n_months)):
        out[j:, j * n : (j + 1) * n] = excess[: n_months - j]
    out[: lookback - 1] = np.nan
    return out


def trailing_volatility(excess: FloatArray, lookback: int) -> FloatArray:
    """Sample standard deviation (ddof=1) of the last ``lookback`` months, per asset.

    Returns
    -------
    ndarray of shape (n_months, n)
        Rows ``t < lookback - 1`` are NaN.
    """
    n_months, n = excess.shape
    out = np.full((n_months, n), np.nan)
    if n_months >= lookback:
        win = sliding_window_view(excess, lookback, axis=0)  # (T - L + 1, n, L)
        out[lookback - 1 :] = win.std(axis=-1, ddof=1)
    return out


def trailing_covariance(excess: FloatArray, lookback: int) -> FloatArray:
    """Sample covariance (ddof=1) of the last ``lookback`` months.

    Returns
    -------
    ndarray of shape (n_months, n, n)
        Rows ``t < lookback - 1`` are NaN.
    """
    n_months, n = excess.shape
    out = np.full((n_months, n, n), np.nan)
    if n_months >= lookback:
        win = sliding_window_view(excess, lookback, axis=0)  # (T', n, L)
        dev = win - win.mean(axis=-1, keepdims=True)
        out[lookback - 1 :] = np.einsum("til,tjl->tij", dev, dev) / (lookback - 1)
    return out


def align_feature_frame(
    frame: pd.DataFrame | pd.Series, months: pd.PeriodIndex, *, name: str
) -> tuple[FloatArray, tuple[str, ...]]:
    """Check a feature frame's dates against the panel's months and return its values.

    Row ``t`` of a feature frame must use information up to the end of month ``t``. The frame's
    index (dates or monthly periods; any date inside a month maps to that month) must be unique,
    sorted, without gaps, inside the panel's months, and must run to the panel's last month.
    Months before the frame's first row are NaN (e.g. a regime model's burn-in).

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
    columns : tuple of str

    Raises
    ------
    LookAheadError
        A row dated after the panel's last month, or an index that is not aligned on the
        panel's months (duplicates, unsorted, gaps, rows before the panel, ending early).
    DataError
        Not a frame, non-numeric, or missing values after the first complete row.
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
    return out, tuple(f"{name}:{c}" for c in frame.columns)


def normalize_features(
    features: Mapping[str, pd.DataFrame | pd.Series] | pd.DataFrame | pd.Series | None,
) -> dict[str, pd.DataFrame | pd.Series]:
    """Feature frames as an ordered ``{block name: frame}`` dict (a single frame is "features")."""
    if features is None:
        return {}
    if isinstance(features, (pd.DataFrame, pd.Series)):
        return {"features": features}
    if isinstance(features, Mapping):
        out = {}
        for k, v in features.items():
            if not isinstance(k, str) or not k:
                raise DataError(f"feature block names must be non-empty strings, got {k!r}")
            out[k] = v
        return out
    raise DataError(
        "`features` must be a DataFrame or a mapping of block name to DataFrame, got "
        f"{type(features).__name__}"
    )


@dataclass(frozen=True, eq=False)
class ObservationNormalizer:
    """Column means and scales fitted on the rows of a training window.

    Attributes
    ----------
    mean, scale : ndarray of shape (n_columns,)
        ``(x - mean) / scale``; a constant column gets scale 1.
    window : tuple of str
        First and last observation month used in the fit.
    n_rows : int
        Number of rows used.
    """

    mean: FloatArray
    scale: FloatArray
    window: tuple[str, str]
    n_rows: int

    def transform(self, rows: FloatArray) -> FloatArray:
        """Standardise rows of shape ``(..., n_columns)``."""
        return (rows - self.mean) / self.scale


def fit_normalizer(
    rows: FloatArray, mask: BoolArray, window: tuple[str, str]
) -> ObservationNormalizer:
    """Fit mean and (population) std of ``rows[mask]``, the training-window rows only.

    Raises
    ------
    DataError
        If the window holds no complete row.
    """
    sel = rows[mask]
    sel = sel[np.all(np.isfinite(sel), axis=1)]
    if sel.shape[0] == 0:
        raise DataError(
            f"`normalize_window` {window} holds no complete observation row to fit the normaliser"
        )
    mean = sel.mean(axis=0)
    std = sel.std(axis=0)
    scale = np.where(std > 1e-12, std, 1.0)
    return ObservationNormalizer(mean=mean, scale=scale, window=window, n_rows=int(sel.shape[0]))


def block_columns(
    blocks: Sequence[str],
    assets: Sequence[str],
    lookback: int,
    feature_columns: Sequence[str],
) -> dict[str, tuple[str, ...]]:
    """Column names of each observation block, in layout order."""
    out: dict[str, tuple[str, ...]] = {}
    if "returns" in blocks:
        out["returns"] = tuple(f"ret_lag{j}:{a}" for j in range(lookback) for a in assets)
    if "volatility" in blocks:
        out["volatility"] = tuple(f"vol:{a}" for a in assets)
    if "features" in blocks and feature_columns:
        out["features"] = tuple(feature_columns)
    if "weights" in blocks:
        out["weights"] = tuple(f"w:{a}" for a in assets)
    return out
