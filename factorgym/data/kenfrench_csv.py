"""Parser for CSV files as downloaded from the Kenneth R. French Data Library.

The format, as served (e.g. ``F-F_Research_Data_Factors.CSV``): free-text header lines; one or
more tables, each introduced by a header line that starts with a comma (``,Mkt-RF,SMB,HML,RF``)
and optionally preceded by a title line (``Annual Factors: January-December``, ``Average Value
Weighted Returns -- Monthly``); rows ``YYYYMM, v1, v2, ...`` (monthly), ``YYYY, ...`` (annual) or
``YYYYMMDD, ...`` (daily); values in **percent**; ``-99.99`` or ``-999`` for missing values;
CRLF line endings; a copyright footer (``Copyright 2026 Eugene F. Fama and Kenneth R. French``).
Tables end at a blank line.

Every file of the Data Library ends with that copyright line, and monthly files carry an annual
section after the monthly block; a file that ends early (an interrupted download, a copy cut
short) lacks them, and its last row may be cut inside a number (``0.03`` -> ``0.0``). Such a file
is refused, with what is missing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from factorgym.data.window import window_frame
from factorgym.errors import DataError
from factorgym.panel import FactorPanel, PanelKind, Provenance
from factorgym.validation import check_real

__all__ = ["KenFrenchTable", "load_kenfrench", "parse_kenfrench_csv"]

_MISSING = (-99.99, -999.0)
_FOOTER = re.compile(r"^copyright\b.*\bfrench\b", re.IGNORECASE)
_MONTHLY_ROW = re.compile(r"^\s*\d{6}\s*,")
_ANNUAL_ROW = re.compile(r"^\s*\d{4}\s*,")
_DATE = re.compile(r"^\d{4}(\d{2})?(\d{2})?$")
_FREQ = {4: "annual", 6: "monthly", 8: "daily"}
#: Ken French column names renamed to factorgym's (the embedded data's) names.
RENAME = {"Mkt-RF": "MktRF"}
# Two files may both carry a column (RF in the 3- and 5-factor files). They must agree to within
# this many percentage points on the overlap (rounding in the last printed digit plus vintage
# revisions of a hundredth or two); a larger gap means different definitions.
_DUPLICATE_TOLERANCE_PCT = 0.05


@dataclass(frozen=True, eq=False)
class KenFrenchTable:
    """One table of a Ken French CSV file, in the file's units (percent), missing as NaN.

    Attributes
    ----------
    title : str
        The text line right above the header line ("" for the first table of most files).
    frequency : {"monthly", "annual", "daily"}
        From the width of the date field.
    frame : DataFrame
        Values indexed by ``Period`` (monthly/annual) or ``Timestamp`` (daily).
    line : int
        1-based line number of the header line.
    n_missing : int
        How many missing-value markers were replaced by NaN.
    """

    title: str
    frequency: str
    frame: pd.DataFrame
    line: int
    n_missing: int


def _read_text(path: Path) -> str:
    if not path.exists():
        raise DataError(f"`source`: file not found: {str(path)!r}")
    if path.is_dir():
        raise DataError(f"`source` must be a file, got the directory {str(path)!r}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"`source`: cannot read {str(path)!r}: {exc.strerror or exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _parse_date(token: str, freq: str, where: str) -> pd.Period | pd.Timestamp:
    if freq != "annual" and not 1 <= int(token[4:6]) <= 12:
        raise DataError(f"{where}: invalid date {token!r} (month must be 01..12)")
    try:
        if freq == "monthly":
            return pd.Period(year=int(token[:4]), month=int(token[4:6]), freq="M")
        if freq == "annual":
            return pd.Period(year=int(token), freq="Y")
        return pd.Timestamp(year=int(token[:4]), month=int(token[4:6]), day=int(token[6:8]))
    except ValueError as exc:
        raise DataError(f"{where}: invalid date {token!r} ({exc})") from exc


def _title_above(lines: list[str], header_idx: int) -> str:
    """The text lines directly above a header (no blank line between), at most two."""
    block: list[str] = []
    j = header_idx - 1
    while j >= 0 and lines[j].strip() and len(block) < 2:
        block.insert(0, lines[j].strip())
        j -= 1
    return " ".join(block)


def parse_kenfrench_csv(path: str | os.PathLike[str]) -> list[KenFrenchTable]:
    """Every table of a Ken French CSV file.

    Raises
    ------
    DataError
        File not found; no table header; a row whose date, field count or number cannot be
        read (the message gives the line number and the line).
    """
    path = Path(path)
    lines = _read_text(path).splitlines()
    if not any(line.strip().startswith(",") for line in lines):
        raise DataError(
            f"{path.name}: unreadable format: no table header line (a line starting with ',' "
            "such as ',Mkt-RF,SMB,HML,RF'); is this a Ken French CSV file?"
        )
    _check_complete(path, lines)
    tables: list[KenFrenchTable] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped.startswith(","):
            i += 1
            continue
        header_line = i + 1
        columns = [c.strip() for c in stripped.split(",")[1:]]
        if not columns or any(not c for c in columns):
            raise DataError(
                f"{path.name} line {header_line}: header must name every column, got {stripped!r}"
            )
        dates: list[pd.Period | pd.Timestamp] = []
        rows: list[list[float]] = []
        width = None
        i += 1
        while i < len(lines) and lines[i].strip():
            where = f"{path.name} line {i + 1}"
            cells = [c.strip() for c in lines[i].split(",")]
            token = cells[0]
            if not _DATE.match(token):
                raise DataError(
                    f"{where}: expected a date (YYYY, YYYYMM or YYYYMMDD) in the first field, "
                    f"got {lines[i].strip()!r}"
                )
            if width is None:
                width = len(token)
            elif len(token) != width:
                raise DataError(
                    f"{where}: date {token!r} has {len(token)} digits, the table's earlier "
                    f"rows have {width}"
                )
            if len(cells) != len(columns) + 1:
                raise DataError(
                    f"{where}: expected {len(columns) + 1} fields (date + {columns}), "
                    f"got {len(cells)}: {lines[i].strip()!r}"
                )
            try:
                rows.append([float(c) for c in cells[1:]])
            except ValueError as exc:
                raise DataError(
                    f"{where}: non-numeric value ({exc}): {lines[i].strip()!r}"
                ) from exc
            dates.append(_parse_date(token, _FREQ[width], where))
            i += 1
        if not rows:
            raise DataError(f"{path.name} line {header_line}: header {stripped!r} has no data rows")
        values = np.array(rows, dtype=np.float64)
        missing = np.zeros(values.shape, dtype=bool)
        for marker in _MISSING:
            missing |= np.isclose(values, marker, rtol=0.0, atol=1e-9)
        values[missing] = np.nan
        frame = pd.DataFrame(values, index=pd.Index(dates), columns=columns)
        tables.append(
            KenFrenchTable(
                title=_title_above(lines, header_line - 1),
                frequency=_FREQ[width],  # type: ignore[index]
                frame=frame,
                line=header_line,
                n_missing=int(missing.sum()),
            )
        )
    return tables


def _check_complete(path: Path, lines: list[str]) -> None:
    """Raise unless the file ends with the copyright footer (else it was cut short).

    Checked before the rows are parsed, so that a last row cut in the middle is reported as
    what it is (the file ends early), not as a malformed row.
    """
    filled = [(n, line.strip()) for n, line in enumerate(lines, start=1) if line.strip()]
    last_no, last = filled[-1]
    if _FOOTER.match(last):
        return
    missing = "the copyright footer ('Copyright ... Kenneth R. French')"
    monthly = any(_MONTHLY_ROW.match(line) for line in lines)
    annual = any(_ANNUAL_ROW.match(line) for line in lines)
    if monthly and not annual:
        missing = "the annual section and " + missing
    raise DataError(
        f"{path.name} ends early: it stops at line {last_no} ({last[:60]!r}) without {missing} "
        "that close every file of the Ken French Data Library; the file looks cut short (an "
        "interrupted download?) and its last row may be cut inside a number: download it again"
    )


def _monthly_table(path: Path, table: int | str) -> KenFrenchTable:
    monthly = [t for t in parse_kenfrench_csv(path) if t.frequency == "monthly"]
    if not monthly:
        raise DataError(f"{path.name}: no monthly table found (only annual or daily sections)")
    if isinstance(table, int):
        if not 0 <= table < len(monthly):
            raise DataError(
                f"`table` must be in 0..{len(monthly) - 1} for {path.name} "
                f"({len(monthly)} monthly tables), got {table}"
            )
        return monthly[table]
    hits = [t for t in monthly if table.lower() in t.title.lower()]
    if not hits:
        titles = [t.title for t in monthly]
        raise DataError(
            f"`table` {table!r} matches no monthly table title of {path.name}: {titles}"
        )
    return hits[0]


def load_kenfrench(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    start: object = None,
    end: object = None,
    table: int | str = 0,
    kind: PanelKind = "excess",
    rf: float | None = None,
) -> FactorPanel:
    """Load and merge Ken French CSV files into a panel (monthly section only, decimals).

    Parameters
    ----------
    paths : path or sequence of paths
        Files as downloaded. Several files are merged on the months they all cover (e.g. the
        three factors and momentum). A column present in two files (``RF``) must agree within
        0.05 percentage points; the first file's values are kept.
    start, end : month, optional
        Keep these months (inclusive) before checking for missing values.
    table : int or str
        Which monthly table of each file: position among the monthly tables, or a substring of
        its title (portfolio files hold several, e.g. ``"Value Weighted"``).
    kind : {"excess", "total"}
        ``"excess"`` for factor files, ``"total"`` for portfolio files.
    rf : float, optional
        Constant monthly risk-free return (decimal) for files without an ``RF`` column; giving
        it when a file has one is refused (which one is meant?).

    Returns
    -------
    FactorPanel
        Columns renamed ``Mkt-RF`` -> ``MktRF``; ``RF`` becomes the panel's ``rf``.

    Raises
    ------
    DataError
        See :func:`parse_kenfrench_csv`; also: missing values in the kept months, no common
        months, conflicting duplicate columns, no RF and no ``rf`` or both, decimals in the
        file, a file that ends early (no copyright footer).
    """
    rf_value = None if rf is None else check_real("rf", rf, low=-1.0, low_open=True)
    path_list = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    if not path_list:
        raise DataError("`paths` must name at least one Ken French CSV file, got none")
    merged: pd.DataFrame | None = None
    notes = []
    for path in path_list:
        tab = _monthly_table(path, table)
        frame = tab.frame.rename(columns=RENAME)
        notes.append(f"{path.name}[{tab.title or 'monthly'}]")
        if merged is None:
            merged = frame
            continue
        common = merged.index.intersection(frame.index)
        if len(common) == 0:
            raise DataError(
                f"{path.name} shares no month with the files before it "
                f"({merged.index[0]}..{merged.index[-1]} vs {frame.index[0]}..{frame.index[-1]})"
            )
        for col in frame.columns.intersection(merged.columns):
            gap = np.nanmax(np.abs(frame.loc[common, col] - merged.loc[common, col]))
            if gap > _DUPLICATE_TOLERANCE_PCT:
                raise DataError(
                    f"column {col!r} appears in {path.name} and an earlier file with values "
                    f"{gap:.2f} percentage points apart (> {_DUPLICATE_TOLERANCE_PCT}); load the "
                    "files separately or drop one definition"
                )
        new_cols = frame.columns.difference(merged.columns, sort=False)
        merged = merged.loc[common].join(frame.loc[common, new_cols])
    assert merged is not None
    merged = window_frame(merged, start, end, what="the files")
    nan = merged.isna()
    if nan.to_numpy().any():
        col = nan.any().idxmax()
        first = merged.index[nan[col].to_numpy()][0]
        raise DataError(
            f"column {col!r} has {int(nan[col].sum())} missing values (-99.99/-999) in the "
            f"selected months, first at {first}; choose `start`/`end` to exclude them"
        )
    med = float(np.median(np.abs(merged.drop(columns=["RF"], errors="ignore").to_numpy())))
    if med < 0.05:
        raise DataError(
            f"values look like decimals, not the percent Ken French files use (median |value| "
            f"{med:.3g} < 0.05); is this file already converted?"
        )
    decimals = merged / 100.0
    if "RF" in decimals.columns:
        if rf_value is not None:
            raise DataError(
                f"the files have an RF column and `rf`={rf_value!r} (--rf) was given too: which "
                "one? Drop `rf` to use the files' RF"
            )
        rf_desc = "RF column (one-month T-bill), converted percent -> decimal"
    elif rf_value is None:
        raise DataError(
            "no file has an RF column: add F-F_Research_Data_Factors.CSV to `paths` or pass "
            "rf=<monthly decimal>"
        )
    else:
        rf_desc = f"constant {rf_value!r} given by the caller"
    return FactorPanel.from_frame(
        decimals,
        rf=rf_value,
        rf_column="RF" if rf_value is None else None,
        kind=kind,
        provenance=Provenance(
            source=", ".join(str(p) for p in path_list),
            vintage=_vintage_line(path_list[0]),
            units_converted="percent -> decimal (divided by 100)",
            rf_source=rf_desc,
            notes="Ken French CSV: " + "; ".join(notes),
            files=tuple(str(p.resolve()) for p in path_list),
        ),
    )


def _vintage_line(path: Path) -> str:
    for line in _read_text(path).splitlines()[:5]:
        m = re.search(r"created using the (\d{6}) CRSP", line)
        if m:
            return f"CRSP {m.group(1)}"
    return "unknown"
