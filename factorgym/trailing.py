"""Trailing-window statistics: the one home of the rolling sums, means, stds and covariances.

envs/ (observation blocks), forecasts/ (design matrix), regimes/ (realised volatility,
turbulence) and agents/ (baselines) all compute their trailing statistics here.

Rules, so that a result depends on the values only:

* **Point in time.** Row ``t`` uses rows ``t - w + 1 .. t`` and nothing else; rows ``t < w - 1``
  are NaN. Each window is computed on its own (no running sums whose rounding would carry the
  history, or the future, into a row).
* **One summation order.** A window is accumulated element by element from its oldest to its
  newest row (``s = x[t-w+1]; s += x[t-w+2]; ...``), as whole-array elementwise additions. NumPy's
  reductions (``sum(axis=...)``) pick a pairwise or blocked order that depends on memory layout
  and strides, so a row-ordered and a column-ordered copy of the same panel would differ in the
  last bits; elementwise additions in a fixed order cannot.
* **Sample moments.** Standard deviations and covariances use ``ddof=1`` unless stated, computed
  in two passes (window mean first, then the sum of squared deviations), which is exact for a
  constant window (std 0, not a rounding residue).
"""

from __future__ import annotations

import numpy as np

from factorgym._typing import FloatArray
from factorgym.validation import check_int, check_matrix

__all__ = [
    "trailing_compound",
    "trailing_covariance",
    "trailing_lags",
    "trailing_mean",
    "trailing_std",
    "trailing_sum",
]


def _prepare(values: object, window: object, minimum: int) -> tuple[FloatArray, int]:
    x = check_matrix(values, name="values", allow_nan=True)
    w = check_int("window", window, minimum=minimum)
    return x, w


def _window_sum(x: FloatArray, w: int) -> FloatArray:
    """``out[i] = x[i] + x[i+1] + ... + x[i+w-1]`` for ``i = 0 .. n-w``, oldest first."""
    m = x.shape[0] - w + 1
    acc = x[0:m].copy()
    for j in range(1, w):
        acc += x[j : j + m]
    return acc


def _pad(rows: FloatArray, n: int, w: int) -> FloatArray:
    out = np.full((n, *rows.shape[1:]), np.nan)
    out[w - 1 :] = rows
    return out


def trailing_sum(values: object, window: int) -> FloatArray:
    """Sum of the last ``window`` rows, per column.

    Parameters
    ----------
    values : array-like of shape (n_months, n_columns)
        Oldest row first; NaN propagates into every window that holds it.
    window : int
        ``w >= 1``.

    Returns
    -------
    ndarray of shape (n_months, n_columns)
        Rows ``t < w - 1`` are NaN.
    """
    x, w = _prepare(values, window, 1)
    n = x.shape[0]
    if n < w:
        return np.full(x.shape, np.nan)
    return _pad(_window_sum(x, w), n, w)


def trailing_mean(values: object, window: int) -> FloatArray:
    """Mean of the last ``window`` rows, per column (``trailing_sum / window``)."""
    return trailing_sum(values, window) / float(check_int("window", window, minimum=1))


def trailing_std(values: object, window: int, *, ddof: int = 1) -> FloatArray:
    """Standard deviation of the last ``window`` rows, per column (two-pass, ``ddof=1``).

    Returns
    -------
    ndarray of shape (n_months, n_columns)
        Rows ``t < w - 1`` are NaN; ``window`` must exceed ``ddof``.
    """
    ddof = check_int("ddof", ddof, minimum=0)
    x, w = _prepare(values, window, ddof + 1)
    n = x.shape[0]
    if n < w:
        return np.full(x.shape, np.nan)
    m = n - w + 1
    mean = _window_sum(x, w) / w
    ss = np.zeros_like(mean)
    for j in range(w):
        d = x[j : j + m] - mean
        ss += d * d
    return _pad(np.sqrt(ss / (w - ddof)), n, w)


def trailing_covariance(values: object, window: int, *, ddof: int = 1) -> FloatArray:
    """Sample covariance matrix of the last ``window`` rows (two-pass, ``ddof=1``).

    Returns
    -------
    ndarray of shape (n_months, n_columns, n_columns)
        Rows ``t < w - 1`` are NaN.
    """
    ddof = check_int("ddof", ddof, minimum=0)
    x, w = _prepare(values, window, ddof + 1)
    n, k = x.shape
    if n < w:
        return np.full((n, k, k), np.nan)
    m = n - w + 1
    mean = _window_sum(x, w) / w
    acc = np.zeros((m, k, k))
    for j in range(w):
        d = x[j : j + m] - mean
        acc += d[:, :, None] * d[:, None, :]
    return _pad(acc / (w - ddof), n, w)


def trailing_compound(values: object, window: int) -> FloatArray:
    """Compounded return of the last ``window`` rows: ``(1 + x_{t-w+1}) ... (1 + x_t) - 1``.

    The product runs from the oldest to the newest month, as an elementwise product.
    """
    x, w = _prepare(values, window, 1)
    n = x.shape[0]
    if n < w:
        return np.full(x.shape, np.nan)
    m = n - w + 1
    acc = 1.0 + x[0:m]
    for j in range(1, w):
        acc *= 1.0 + x[j : j + m]
    return _pad(acc - 1.0, n, w)


def trailing_lags(values: object, lags: int) -> FloatArray:
    """Lagged values side by side: row ``t`` holds ``x[t], x[t-1], ..., x[t-L+1]``.

    Returns
    -------
    ndarray of shape (n_months, lags * n_columns)
        Column ``j * n_columns + k`` is column ``k`` at lag ``j`` (lag-major); rows ``t < L - 1``
        are NaN.
    """
    x, n_lags = _prepare(values, lags, 1)
    n, k = x.shape
    out = np.full((n, n_lags * k), np.nan)
    for j in range(min(n_lags, n)):
        out[j:, j * k : (j + 1) * k] = x[: n - j]
    out[: n_lags - 1] = np.nan
    return out
