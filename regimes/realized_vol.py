"""Trailing realised volatility of each asset from monthly returns, point in time.

The panel is monthly, so "realised" volatility here is the sample standard deviation (``ddof=1``)
of the last ``w`` monthly returns, months ``t - w + 1 .. t`` (month ``t`` included: its return is
known at the end of month ``t``), annualised by ``sqrt(periods_per_year)``. Rows with fewer than
``w`` months of history are NaN. The standard deviation is :func:`factorgym.trailing.trailing_std`
(each window on its own, one summation order), so a row is unchanged, to the bit, by anything
that happens to later months or by the panel's memory layout.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from factorgym._typing import FloatArray
from factorgym.errors import ConfigError
from factorgym.panel import FactorPanel
from factorgym.regimes._feature_frames import (
    cached_frame,
    check_columns,
    check_panel,
    month_frame,
    panel_columns,
)
from factorgym.trailing import trailing_std
from factorgym.validation import check_int, check_matrix

__all__ = ["RealizedVolatility", "realized_volatility"]


def realized_volatility(returns: object, window: int, *, periods_per_year: int) -> FloatArray:
    """Trailing annualised standard deviation of each column.

    Parameters
    ----------
    returns : array-like of shape (n_months, n_assets)
        Periodic returns, oldest first.
    window : int
        Periods per window (>= 2).
    periods_per_year : int
        Periods in a year (12 for monthly data); the result is ``std * sqrt(periods_per_year)``.

    Returns
    -------
    ndarray of shape (n_months, n_assets)
        NaN for the first ``window - 1`` rows.

    Raises
    ------
    ConfigError
        If ``window`` < 2 or ``periods_per_year`` < 1.
    DataError
        If ``returns`` is not a finite 2-D array.
    """
    x = check_matrix(returns, name="returns")
    window = check_int("window", window, minimum=2)
    periods_per_year = check_int("periods_per_year", periods_per_year, minimum=1)
    return trailing_std(x, window) * np.sqrt(periods_per_year)


class RealizedVolatility:
    """Builder of trailing realised-volatility columns ``rvol_{w}m_{asset}``.

    Parameters
    ----------
    windows : sequence of int, default (3, 12, 36)
        Window lengths in months (each >= 2, no repeats).
    periods_per_year : int, default 12
        Annualisation (monthly panel).
    columns : sequence of str, optional
        Assets (default: all).
    """

    def __init__(
        self,
        windows: Sequence[int] = (3, 12, 36),
        *,
        periods_per_year: int = 12,
        columns: tuple[str, ...] | list[str] | None = None,
    ) -> None:
        self.windows = windows
        self.periods_per_year = periods_per_year
        self.columns = columns

    def _windows(self) -> list[int]:
        ws = self.windows
        if isinstance(ws, (str, bytes)) or not isinstance(ws, Sequence) or len(ws) == 0:
            raise ConfigError(f"`windows` must be a non-empty sequence of integers, got {ws!r}")
        out = [check_int("windows", w, minimum=2) for w in ws]
        if len(set(out)) != len(out):
            raise ConfigError(f"`windows` must not repeat a length, got {list(ws)}")
        return out

    def get_params(self) -> dict[str, object]:
        """Parameters, as given (also the cache key's parameters)."""
        cols = check_columns(self.columns)
        return {
            "windows": self._windows(),
            "periods_per_year": self.periods_per_year,
            "columns": None if cols is None else list(cols),
        }

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"RealizedVolatility({args})"

    def compute(self, panel: FactorPanel, *, cache: object = None) -> pd.DataFrame:
        """Columns ``rvol_{w}m_{asset}`` for every window and asset, indexed by ``panel.months``.

        Raises
        ------
        ConfigError, DataError, UnknownAssetError
            For invalid windows or annualisation; a non-panel; an unknown column.
        """
        params = self.get_params()
        check_int("periods_per_year", self.periods_per_year, minimum=1)
        sub, x = panel_columns(check_panel(panel), check_columns(self.columns))

        def run() -> pd.DataFrame:
            data: dict[str, FloatArray] = {}
            for w in self._windows():
                vol = realized_volatility(x, w, periods_per_year=self.periods_per_year)
                for j, asset in enumerate(sub.assets):
                    data[f"rvol_{w}m_{asset}"] = vol[:, j]
            return month_frame(sub, data)

        return cached_frame(cache, "factorgym.regimes.RealizedVolatility", params, panel, run)
