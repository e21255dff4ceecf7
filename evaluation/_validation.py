"""Argument checks and return-matrix handling shared by the evaluation modules (private).

Every public function of :mod:`factorgym.evaluation` accepts returns as a 1-D array (one
strategy), a 2-D array of shape (n_months, n_strategies), a pandas Series or a DataFrame. The
input is read once into a :class:`Returns` (a float64 matrix plus labels), and results are
given back in the caller's shape by :meth:`Returns.wrap`: a float for a 1-D array or a Series,
an ndarray of shape (n_strategies,) for a 2-D array, a Series indexed by the columns for a
DataFrame.

Inputs must be finite: NaN months are refused rather than skipped, because silently dropping
months of one strategy but not of another would compare the two on different samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd

from factorgym._typing import FloatArray
from factorgym.errors import DataError
from factorgym.validation import check_bool, check_choice, check_int, check_real

__all__ = [
    "ColumnStat",
    "Returns",
    "as_returns",
    "as_vector",
    "check_bool",
    "check_choice",
    "check_int",
    "check_lags",
    "check_level",
    "check_periods",
    "check_real",
    "check_seed",
    "excess_of",
]

#: What a per-strategy statistic comes back as (see :meth:`Returns.wrap`).
ColumnStat: TypeAlias = float | FloatArray | pd.Series


def check_periods(value: object) -> int:
    """``periods_per_year`` as an int >= 1 (12 for monthly returns)."""
    return check_int("periods_per_year", value, minimum=1)


def check_level(name: str, value: object) -> float:
    """A probability strictly between 0 and 1 (test size, tail level, confidence)."""
    return check_real(name, value, low=0.0, high=1.0, low_open=True, high_open=True)


def check_seed(value: object) -> int:
    """A bootstrap seed: an int >= 0 (results must be reproducible, so None is refused)."""
    return check_int("seed", value, minimum=0)


def check_lags(name: str, value: object, n_obs: int) -> int:
    """A Newey-West lag count: an int >= 0 and < ``n_obs``."""
    return check_int(name, value, minimum=0, maximum=n_obs - 1)


def _finite(arr: FloatArray, name: str) -> None:
    bad = ~np.isfinite(arr)
    if bad.any():
        first = np.argwhere(bad)[0]
        raise DataError(
            f"`{name}` must be finite, got {int(bad.sum())} NaN/inf values "
            f"(first at row {int(first[0])}); drop or fill them first"
        )


@dataclass(frozen=True)
class Returns:
    """A validated return matrix and how to give results back in the caller's shape.

    Attributes
    ----------
    values : ndarray of shape (n_months, n_strategies)
        Float64, finite, read-only.
    labels : tuple of str
        Column names (``"0"``, ``"1"``, ... for arrays; the Series name or ``"returns"``).
    kind : {"scalar", "array", "frame"}
        ``"scalar"`` for a 1-D array or a Series, ``"array"`` for a 2-D array, ``"frame"``
        for a DataFrame.
    index : pandas Index or None
        The input's index when it was a pandas object.
    """

    values: FloatArray
    labels: tuple[str, ...]
    kind: str
    index: pd.Index | None

    @property
    def n_obs(self) -> int:
        """Number of periods (rows)."""
        return int(self.values.shape[0])

    def wrap(self, stat: FloatArray) -> ColumnStat:
        """Give a per-column statistic of shape (n_strategies,) back in the caller's shape."""
        stat = np.asarray(stat, dtype=np.float64)
        if self.kind == "scalar":
            return float(stat[0])
        if self.kind == "frame":
            return pd.Series(stat, index=pd.Index(self.labels), dtype=np.float64)
        return stat


def as_returns(data: object, *, name: str = "returns", min_obs: int = 2) -> Returns:
    """Read returns into a :class:`Returns`.

    Raises
    ------
    DataError
        If ``data`` is not numeric, not 1-D or 2-D, has fewer than ``min_obs`` rows or no
        column, or holds NaN/inf.
    """
    index: pd.Index | None = None
    if isinstance(data, pd.DataFrame):
        labels = tuple(str(c) for c in data.columns)
        kind, index = "frame", data.index
        raw: object = data.to_numpy()
    elif isinstance(data, pd.Series):
        labels = (str(data.name) if data.name is not None else name,)
        kind, index = "scalar", data.index
        raw = data.to_numpy()
    else:
        raw, kind, labels = data, "", ()
    try:
        arr = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"`{name}` must be numeric, got {type(data).__name__}: {exc}") from exc
    if arr.ndim == 1:
        arr = arr[:, None]
        kind = kind or "scalar"
        labels = labels or (name,)
    elif arr.ndim == 2 and kind != "scalar":
        kind = kind or "array"
        labels = labels or tuple(str(i) for i in range(arr.shape[1]))
    else:
        raise DataError(
            f"`{name}` must be 1-D (n_months,) or 2-D (n_months, n_strategies), "
            f"got shape {arr.shape}"
        )
    if arr.shape[0] < min_obs or arr.shape[1] < 1:
        raise DataError(
            f"`{name}` must have >= {min_obs} rows and >= 1 column, got shape {arr.shape}"
        )
    _finite(arr, name)
    arr.setflags(write=False)
    return Returns(arr, labels, kind, index)


def as_vector(data: object, n_obs: int, *, name: str) -> FloatArray:
    """A per-period series (benchmark, risk-free rate) as a finite vector of length ``n_obs``.

    A scalar is broadcast.

    Raises
    ------
    DataError
        If it is not a scalar or a 1-D array (or a one-column 2-D array) of ``n_obs``
        finite values.
    """
    if isinstance(data, pd.DataFrame):
        if data.shape[1] != 1:
            raise DataError(f"`{name}` must be one series, got a DataFrame of shape {data.shape}")
        data = data.iloc[:, 0]
    try:
        arr = np.array(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"`{name}` must be numeric, got {type(data).__name__}: {exc}") from exc
    shape = arr.shape
    if arr.ndim == 0:
        arr = np.full(n_obs, float(arr))
    elif arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.shape != (n_obs,):
        raise DataError(
            f"`{name}` must be a scalar or have shape ({n_obs},) like the returns, "
            f"got shape {shape}"
        )
    _finite(arr, name)
    return arr


def excess_of(ret: Returns, rf: object) -> FloatArray:
    """Returns minus a per-period risk-free rate (a scalar or a series of length n_obs)."""
    if rf is None:
        return ret.values
    return ret.values - as_vector(rf, ret.n_obs, name="rf")[:, None]
