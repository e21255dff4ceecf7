"""Tidy CSV or Parquet files: a date column plus one column per asset."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from factorgym.data.csv_export import is_export, read_export
from factorgym.data.window import window_frame
from factorgym.errors import DataError, UnknownAssetError
from factorgym.panel import FactorPanel, PanelKind, Provenance, check_decimal_units
from factorgym.validation import check_choice, check_real

__all__ = ["load_tidy"]

_UNITS = ("decimal", "percent")
_KINDS = ("excess", "total")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _read_frame(p: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The file as a frame, and what a factorgym export declares about itself (else ``{}``)."""
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".txt", ".parquet"):
        raise DataError(f"`source` must be a .csv or .parquet file, got suffix {suffix!r}")
    declared: dict[str, str] = {}
    try:
        if suffix == ".parquet":
            return pd.read_parquet(p), declared
        raw = p.read_bytes()
        if is_export(raw):
            table, info = read_export(raw, what=p.name)
            raw = table
            declared = {"units": info.units, "kind": info.kind}
        return pd.read_csv(io.BytesIO(raw)), declared
    except (ValueError, ImportError, OSError, pd.errors.ParserError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{p.name}: unreadable file ({_first_line(exc)})") from exc


def _dates(raw: pd.Series, column: str, what: str) -> pd.DatetimeIndex:
    """Parse the date column: ISO dates (``2001-01-31``, ``2001-01``) or integers ``YYYYMM``."""
    if raw.isna().any():
        row = int(np.flatnonzero(raw.isna().to_numpy())[0])
        raise DataError(
            f"{what}: column {column!r} has {int(raw.isna().sum())} empty dates (first in data "
            f"row {row + 1})"
        )
    if pd.api.types.is_bool_dtype(raw) or pd.api.types.is_float_dtype(raw):
        raise DataError(
            f"{what}: column {column!r} must hold dates (ISO dates such as 2001-01-31 or "
            f"2001-01, or integers YYYYMM), got numbers such as {raw.iloc[0]}"
        )
    if pd.api.types.is_integer_dtype(raw):
        values = raw.to_numpy(dtype=np.int64)
        months = values % 100
        if not np.all((values >= 100001) & (values <= 999912) & (months >= 1) & (months <= 12)):
            shown = ", ".join(str(v) for v in values[:3])
            raise DataError(
                f"{what}: column {column!r} holds integers that are not YYYYMM months ({shown}, "
                "...): a row number? Name the date column with `date_column`, or write dates "
                "such as 2001-01-31"
            )
        return pd.DatetimeIndex(pd.to_datetime(raw.astype(str), format="%Y%m"))
    try:
        return pd.DatetimeIndex(pd.to_datetime(raw, format="ISO8601"))
    except (ValueError, TypeError, OverflowError) as exc:
        raise DataError(
            f"{what}: column {column!r} does not hold dates (expected ISO dates such as "
            f"2001-01-31 or 2001-01, or integers YYYYMM): {_first_line(exc)}"
        ) from exc


def _check_monthly(dates: pd.DatetimeIndex, column: str, what: str) -> pd.PeriodIndex:
    months = dates.to_period("M")
    dup = months.duplicated(keep=False)
    if dup.any():
        month = months[dup][0]
        inside = dates[months == month]
        if inside.nunique() > 1:
            shown = ", ".join(str(d.date()) for d in inside[:3])
            raise DataError(
                f"{what}: column {column!r} is not monthly: {len(inside)} rows fall in {month} "
                f"({shown}{', ...' if len(inside) > 3 else ''}); factorgym needs one row per "
                "month: aggregate daily or weekly returns to months first"
            )
        raise DataError(
            f"{what}: month {month} appears {len(inside)} times in column {column!r}; each "
            "month must appear once"
        )
    return months


def load_tidy(
    path: str | os.PathLike[str],
    *,
    units: str,
    kind: PanelKind | None = None,
    date_column: str | None = None,
    rf_column: str | None = "RF",
    rf: float | None = None,
    start: object = None,
    end: object = None,
) -> FactorPanel:
    """Load a tidy file (``.csv``, ``.parquet``) of monthly returns.

    A CSV written by ``factorgym data export`` (or :func:`factorgym.data.write_csv`) is checked
    first: a file cut short or changed since the export is refused (see
    :mod:`factorgym.data.csv_export`).

    Parameters
    ----------
    path : path
        File with a date column and one numeric column per asset.
    units : {"decimal", "percent"}
        Units of the values; required, never guessed. Percent is divided by 100.
    kind : {"excess", "total"}, optional
        How the columns combine into a portfolio return. Default: what a factorgym export
        declares, else ``"excess"``.
    date_column : str, optional
        Name of the date column (default: a column named ``date``/``Date``, else the first).
    rf_column : str or None
        Column with the risk-free rate (same units), default ``"RF"``.
    rf : float, optional
        Constant monthly risk-free return (decimal) for a file **without** a risk-free column;
        giving both is refused (which one is meant?).
    start, end : month, optional
        Keep these months (inclusive).

    Raises
    ------
    DataError
        Unreadable, empty or non-monthly file; dates that are not dates; non-numeric columns;
        values that do not look like the declared units (percent, basis points, gross returns);
        ``rf`` together with a risk-free column, or neither; a factorgym export cut short,
        changed, or declaring other units or kind than asked for.
    """
    if units not in _UNITS:
        raise DataError(f"`units` must be one of {_UNITS}, got {units!r}")
    if kind is not None:
        check_choice("kind", kind, _KINDS)
    rf_value = None if rf is None else check_real("rf", rf, low=-1.0, low_open=True)
    p = Path(path)
    if not p.exists():
        raise DataError(f"`source`: file not found: {str(p)!r}")
    if p.is_dir():
        raise DataError(f"`source` must be a file, got the directory {str(p)!r}")
    frame, declared = _read_frame(p)
    if declared:
        if declared["units"] != units:
            raise DataError(
                f"{p.name} is a factorgym export in units={declared['units']!r}, but "
                f"units={units!r} was declared; load it with units={declared['units']!r}"
            )
        if kind is not None and declared["kind"] != kind:
            raise DataError(
                f"{p.name} is a factorgym export of a kind={declared['kind']!r} panel, but "
                f"kind={kind!r} was asked for; drop `kind` or pass kind={declared['kind']!r}"
            )
        kind = declared["kind"]  # type: ignore[assignment]
    panel_kind: PanelKind = "excess" if kind is None else kind
    if frame.shape[1] < 2:
        raise DataError(f"{p.name}: needs a date column and at least one asset column")
    if frame.shape[0] == 0:
        raise DataError(
            f"{p.name}: no data rows: the file holds only the column names {list(frame.columns)}"
        )
    if date_column is None:
        lowered = {str(c).lower(): c for c in frame.columns}
        date_column = lowered.get("date", frame.columns[0])
    if date_column not in frame.columns:
        raise UnknownAssetError(f"`date_column` {date_column!r} is not a column of {p.name}")
    raw_dates = frame.pop(date_column)
    dates = _dates(raw_dates, str(date_column), p.name)
    frame.index = _check_monthly(dates, str(date_column), p.name)
    non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise DataError(f"{p.name}: columns must be numeric, got non-numeric {non_numeric}")
    has_rf_column = rf_column is not None and rf_column in frame.columns
    if has_rf_column and rf_value is not None:
        raise DataError(
            f"{p.name} has a risk-free column {rf_column!r} and `rf`={rf_value!r} (--rf) was "
            "given too: which one? Drop `rf`, or pass rf_column=None to ignore the column"
        )
    if not has_rf_column and rf_value is None:
        raise DataError(
            f"{p.name}: no risk-free column {rf_column!r}; pass rf_column=<name> or rf=<float>"
        )
    frame = window_frame(frame, start, end, what=p.name)
    where = f"{p.name}: "
    if units == "percent":
        med = float(np.nanmedian(np.abs(frame.to_numpy(dtype=np.float64))))
        if med < 0.05:
            raise DataError(
                f"{p.name}: declared units='percent' but values look like decimals "
                f"(median |value| {med:.3g} < 0.05); use units='decimal'"
            )
        frame = frame / 100.0
    asset_cols = [c for c in frame.columns if not (has_rf_column and c == rf_column)]
    check_decimal_units(
        frame[asset_cols].to_numpy(dtype=np.float64), name="returns", declared=units, where=where
    )
    prov = Provenance(
        source=str(p),
        vintage="factorgym export" if declared else "user file",
        units_converted="percent -> decimal" if units == "percent" else "none (declared decimal)",
        rf_source=f"column {rf_column!r}" if has_rf_column else f"constant {rf_value!r}",
        notes="tidy file",
        files=(str(p.resolve()),),
    )
    if has_rf_column:
        check_decimal_units(
            frame[rf_column].to_numpy(dtype=np.float64), name="rf", declared=units, where=where
        )
        return FactorPanel.from_frame(frame, rf_column=rf_column, kind=panel_kind, provenance=prov)
    return FactorPanel.from_frame(frame, rf=rf_value, kind=panel_kind, provenance=prov)
