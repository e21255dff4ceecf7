"""Argument shapes of the public maths functions: one portfolio ``(n,)`` or a batch ``(n_envs, n)``.

The formulas themselves are written once, for one row, in :mod:`~factorgym.envs.kernel`; the
public functions turn their arguments into C-ordered float64 batches with these helpers, run the
kernel's row loop, and give back a float (or an ``(n,)`` row) for one portfolio. This module is
the only place that looks at whether an argument is one row or a batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from factorgym._typing import FloatArray
from factorgym.errors import DataError

__all__ = ["as_rows", "floats", "per_row", "rows_like", "unbatch"]


def as_rows(x: Any, name: str) -> tuple[FloatArray, bool]:
    """``x`` as a new C-ordered float64 array of shape ``(n_rows, n)``, and whether it was ``(n,)``.

    Raises
    ------
    DataError
        If ``x`` is not numeric or not one- or two-dimensional.
    """
    try:
        arr = np.array(x, dtype=np.float64, order="C")
    except (TypeError, ValueError) as exc:
        raise DataError(f"`{name}` must be an array of numbers, got {x!r}") from exc
    if arr.ndim == 1:
        return arr.reshape(1, -1), True
    if arr.ndim != 2:
        raise DataError(f"`{name}` must have shape (n,) or (n_envs, n), got shape {arr.shape}")
    return arr, False


def rows_like(x: Any, shape: tuple[int, ...], name: str) -> FloatArray:
    """``x`` (a row or a batch) broadcast to ``shape``, as a new C-ordered float64 array."""
    try:
        arr = np.asarray(x, dtype=np.float64)
        return np.array(np.broadcast_to(arr, shape), dtype=np.float64, order="C")
    except (TypeError, ValueError) as exc:
        raise DataError(f"`{name}` must broadcast to shape {shape}, got {x!r}") from exc


def per_row(x: Any, n_rows: int, name: str) -> FloatArray:
    """A per-portfolio value (a scalar or shape ``(n_rows,)``) as a new float64 ``(n_rows,)``."""
    try:
        arr = np.asarray(x, dtype=np.float64)
        return np.array(np.broadcast_to(arr, (n_rows,)), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"`{name}` must be a number or one per portfolio ({n_rows}), got {x!r}"
        ) from exc


def floats(x: Any) -> FloatArray:
    """``x`` as float64 (a 0-d array for a scalar), so that a compiled ufunc runs its float loop."""
    return np.asarray(x, dtype=np.float64)


def unbatch(out: np.ndarray, one: bool) -> Any:
    """For one portfolio: ``out[0]`` (a Python scalar or a row); for a batch: ``out`` itself."""
    if one:
        return out[0].item() if out.ndim == 1 else out[0]
    return out
