"""Tidy CSV or Parquet files: a date column plus one column per asset."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from factorgym.data.window import window_frame
from factorgym.errors import DataError, UnknownAssetError
from factorgym.panel import FactorPanel, PanelKind, Provenance, to_months

__all__ = ["load_tidy"]

_UNITS = ("decimal", "percent")


def load_tidy(
    path: str | os.PathLike[str],
    *,
    units: str,
    kind: PanelKind = "excess",
    date_column: str | None = None,
    rf_column: str | None = "RF",
    rf: float | None = None,
    start: object = None,
    end: object = None,
) -> FactorPanel:
    """Load a tidy file (``.csv``, ``.parquet``) of monthly returns.

    Parameters
    ----------
    path : path
        File with a date column and one numeric column per asset.
    units : {"decimal", "percent"}
        Units of the values; required, never guessed. Percent is divided by 100.
    kind : {"excess", "total"}
        How the columns combine into a portfolio return.
    date_column : str, optional
        Name of the date column (default: a column named ``date``/``Date``, else the first).
    rf_column : str or None
        Column with the risk-free rate (same units); ignored when absent and ``rf`` is given.
    rf : float, optional
        Constant monthly risk-free return (decimal) when the file has no rf column.
    start, end : month, optional
        Keep these months (inclusive).
    """
    if units not in _UNITS:
        raise DataError(f"`units` must be one of {_UNITS}, got {units!r}")
    p = Path(path)
    if not p.exists():
        raise DataError(f"`source`: file not found: {str(p)!r}")
    suffix = p.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(p)
        elif suffix in (".csv", ".txt"):
            frame = pd.read_csv(p)
        else:
            raise DataError(f"`source` must be a .csv or .parquet file, got suffix {suffix!r}")
    except (ValueError, ImportError, pd.errors.ParserError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{p.name}: unreadable file ({exc})") from exc
    if frame.shape[1] < 2:
        raise DataError(f"{p.name}: needs a date column and at least one asset column")
    if date_column is None:
        lowered = {str(c).lower(): c for c in frame.columns}
        date_column = lowered.get("date", frame.columns[0])
    if date_column not in frame.columns:
        raise UnknownAssetError(f"`date_column` {date_column!r} is not a column of {p.name}")
    raw_dates = frame.pop(date_column)
    try:
        if pd.api.types.is_integer_dtype(raw_dates):
            dates = pd.to_datetime(raw_dates.astype(str), format="%Y%m")
        else:
            dates = pd.to_datetime(raw_dates, format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"{p.name}: column {date_column!r} does not hold dates (expected ISO dates such as "
            f"2001-01-31 or 2001-01, or integers YYYYMM): {exc}"
        ) from exc
    frame.index = to_months(dates, name=date_column)
    non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise DataError(f"{p.name}: columns must be numeric, got non-numeric {non_numeric}")
    frame = window_frame(frame, start, end, what=p.name)
    scale = 100.0 if units == "percent" else 1.0
    if units == "percent":
        med = float(np.nanmedian(np.abs(frame.to_numpy(dtype=np.float64))))
        if med < 0.05:
            raise DataError(
                f"{p.name}: declared units='percent' but values look like decimals "
                f"(median |value| {med:.3g} < 0.05); use units='decimal'"
            )
    frame = frame / scale
    prov = Provenance(
        source=str(p),
        vintage="user file",
        units_converted="percent -> decimal" if units == "percent" else "none (declared decimal)",
        rf_source="",
        notes="tidy file",
    )
    if rf_column is not None and rf_column in frame.columns:
        return FactorPanel.from_frame(
            frame,
            rf_column=rf_column,
            kind=kind,
            provenance=Provenance(**{**prov.__dict__, "rf_source": f"column {rf_column!r}"}),
        )
    if rf is None:
        raise DataError(
            f"{p.name}: no risk-free column {rf_column!r}; pass rf_column=<name> or rf=<float>"
        )
    return FactorPanel.from_frame(
        frame,
        rf=float(rf),
        kind=kind,
        provenance=Provenance(**{**prov.__dict__, "rf_source": f"constant {float(rf)!r}"}),
    )
