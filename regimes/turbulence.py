"""Point-in-time financial turbulence (Kritzman & Li 2010).

Turbulence is the Mahalanobis distance of this month's returns from a trailing window's mean and
covariance.

Kritzman, M. and Li, Y. (2010), "Skulls, Financial Turbulence, and Risk Management", Financial
Analysts Journal 66(5), eq. (1): ``d_t = (y_t - mu) Sigma^{-1} (y_t - mu)'``.

Window: by default ``mu`` and ``Sigma`` come from the ``window`` months *before* ``t``
(``t - window .. t - 1``), so ``d_t`` measures how unusual month ``t`` is against the history
known before it; ``include_current=True`` uses ``t - window + 1 .. t`` instead. Either way row
``t`` uses months ``<= t`` only. Rows without a full window are NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorgym._typing import FloatArray
from factorgym.errors import ConfigError, DataError
from factorgym.panel import FactorPanel
from factorgym.regimes._feature_frames import (
    cached_frame,
    check_columns,
    check_panel,
    month_frame,
    panel_columns,
)
from factorgym.trailing import trailing_covariance, trailing_mean
from factorgym.validation import check_bool, check_int, check_matrix

__all__ = ["Turbulence", "turbulence_index"]

# A window covariance whose smallest eigenvalue is below this fraction of the largest is treated
# as singular: its inverse would be dominated by rounding error.
_RCOND = 1e-12


def turbulence_index(
    returns: object, *, window: int = 60, include_current: bool = False
) -> FloatArray:
    """Kritzman & Li (2010) turbulence of every month against a trailing window.

    Parameters
    ----------
    returns : array-like of shape (n_months, n_assets)
        Monthly returns, oldest first.
    window : int, default 60
        Months in the trailing window; must exceed ``n_assets`` so the sample covariance
        (``ddof=1``) can be invertible.
    include_current : bool, default False
        Whether month ``t`` belongs to its own window (see the module docstring).

    Returns
    -------
    ndarray of shape (n_months,)
        ``d_t``; NaN for the first ``window`` months (``window - 1`` if ``include_current``).

    Raises
    ------
    ConfigError
        If ``window`` is not an integer > ``n_assets``.
    DataError
        If ``returns`` is not a finite 2-D array, or a window's covariance is singular.
    """
    x = check_matrix(returns, name="returns")
    n, d = x.shape
    window = check_int("window", window, minimum=2)
    if window <= d:
        raise ConfigError(
            f"`window` must be > n_assets = {d} for an invertible covariance, got {window}"
        )
    include_current = check_bool("include_current", include_current)
    first = window - 1 if include_current else window
    means = trailing_mean(x, window)  # row s: months s - window + 1 .. s
    covs = trailing_covariance(x, window)
    out = np.full(n, np.nan)
    for t in range(first, n):
        s = t if include_current else t - 1  # last month of t's window
        lo = s - window + 1
        cov = covs[s]
        diff = x[t] - means[s]
        eigval, eigvec = np.linalg.eigh(cov)
        if eigval[0] <= _RCOND * eigval[-1]:
            raise DataError(
                f"the covariance of the {window}-month window ending at row {lo + window - 1} "
                f"is singular (condition number > 1/{_RCOND:g}: collinear or constant assets), "
                f"so turbulence at row {t} is undefined"
            )
        z = eigvec.T @ diff
        out[t] = float(z @ (z / eigval))
    return out


class Turbulence:
    """Builder of the point-in-time turbulence column of a panel.

    Parameters
    ----------
    window : int, default 60
        Trailing window in months (> number of assets).
    include_current : bool, default False
        Whether month ``t`` is in its own window.
    columns : sequence of str, optional
        Assets to use (default: all).
    """

    def __init__(
        self,
        window: int = 60,
        *,
        include_current: bool = False,
        columns: tuple[str, ...] | list[str] | None = None,
    ) -> None:
        self.window = window
        self.include_current = include_current
        self.columns = columns

    def get_params(self) -> dict[str, object]:
        """Parameters, as given (also the cache key's parameters)."""
        cols = check_columns(self.columns)
        return {
            "window": self.window,
            "include_current": self.include_current,
            "columns": None if cols is None else list(cols),
        }

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"Turbulence({args})"

    def compute(self, panel: FactorPanel, *, cache: object = None) -> pd.DataFrame:
        """One column ``turbulence`` indexed by ``panel.months`` (NaN before a full window).

        Raises
        ------
        ConfigError, DataError, UnknownAssetError
            As :func:`turbulence_index`; for a non-panel; for an unknown column.
        """
        sub, x = panel_columns(check_panel(panel), check_columns(self.columns))
        params = self.get_params()

        def run() -> pd.DataFrame:
            values = turbulence_index(x, window=self.window, include_current=self.include_current)
            return month_frame(sub, {"turbulence": values})

        return cached_frame(cache, "factorgym.regimes.Turbulence", params, panel, run)
