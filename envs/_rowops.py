"""Row-wise reductions that work on one portfolio ``(n,)`` or a batch ``(n_envs, n)`` alike.

The single env and the batched env call the same pure functions; these helpers let one code path
serve both shapes. A per-portfolio scalar is a Python/NumPy scalar for one portfolio and an array
of shape ``(n_envs,)`` for a batch.

Speed note: for a handful of assets, ``x.sum(axis=-1)`` on a ``(1024, 4)`` array is several
times slower than ``x @ ones`` (NumPy reduces a short last axis with a slow inner loop), and a
NumPy reduction of a 4-vector costs microseconds where ``sum(x.tolist())`` costs a few hundred
nanoseconds; hence the forms below. The two shapes may therefore sum in a different order, which
changes results by at most a few units in the last place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from factorgym._typing import FloatArray

__all__ = ["as_column", "ones", "row_dot", "row_max", "row_sum"]

_ONES: dict[int, FloatArray] = {}


def ones(n: int) -> FloatArray:
    """A cached read-only vector of ``n`` ones."""
    v = _ONES.get(n)
    if v is None:
        v = np.ones(n)
        v.setflags(write=False)
        _ONES[n] = v
    return v


def row_sum(x: FloatArray) -> Any:
    """Sum over the last axis: a float for shape ``(n,)``, shape ``(n_envs,)`` for a batch."""
    if x.ndim == 1:
        return sum(x.tolist())
    return x @ ones(x.shape[1])


def row_dot(a: FloatArray, b: FloatArray) -> Any:
    """Row-wise inner product of two arrays of the same shape ``(n,)`` or ``(n_envs, n)``.

    ``b`` may also be a single row of shape ``(n,)`` broadcast against a batch ``a``.
    """
    if a.ndim == 1:
        return a.dot(b)
    if b.ndim == 1:
        return a @ b
    return (a * b) @ ones(a.shape[1])


def row_max(x: FloatArray) -> Any:
    """Maximum over the last axis (a float for ``(n,)``, ``(n_envs,)`` for a batch)."""
    if x.ndim == 1:
        return max(x.tolist())
    out = x[:, 0].copy()
    for k in range(1, x.shape[1]):
        np.maximum(out, x[:, k], out=out)
    return out


def as_column(s: Any) -> Any:
    """A per-portfolio scalar shaped to broadcast against weights: ``(n_envs, 1)`` or scalar."""
    if isinstance(s, np.ndarray) and s.ndim == 1:
        return s[:, None]
    return s
