"""`FactorPanel`: the immutable, validated container of monthly factor or asset returns."""

from __future__ import annotations

import builtins
import datetime as _dt
import difflib
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from factorgym._arrays import frozen_copy
from factorgym._typing import FloatArray
from factorgym.errors import DataError, UnknownAssetError
from factorgym.validation import is_real

__all__ = ["FactorPanel", "Provenance", "parse_month", "to_months"]

PanelKind = Literal["excess", "total"]
_KINDS = ("excess", "total")

# A monthly return series in decimals has a median absolute value of about 0.01-0.05; in percent
# of about 1-5. These thresholds sit an order of magnitude away from both, so they only catch
# a units mix-up, not an unusual but genuine series.
_PERCENT_LOOKING_MEDIAN_ABS = 0.25
_MISSING_MARKERS = (-99.99, -999.0)
# Gross returns 1 + r of a monthly series all lie near 1: every value > 0 and the median within
# this distance of 1. Net returns (decimals) have a median near 0, percent near 1-5 in |value|
# but with both signs, so neither looks like this.
_GROSS_MEDIAN_DISTANCE = 0.25
# Months a panel may hold: four-digit years, what "YYYY-MM" text, the CSV export and Python's
# dates (strftime) can represent.
_FIRST_MONTH = pd.Period("0001-01", freq="M")
_LAST_MONTH = pd.Period("9999-12", freq="M")


@dataclass(frozen=True)
class Provenance:
    """Where a panel's numbers came from.

    Attributes
    ----------
    source : str
        Source name (``"french"``, ``"etf"``, ``"synthetic"``, a file path, ``"user"``).
    vintage : str
        Data vintage as stated by the source (e.g. ``"linearmodels 6.1 (Ken French, 2017-03)"``).
    units_converted : str
        What conversion was applied (``"percent -> decimal"``, ``"none"``, ...).
    rf_source : str
        What the risk-free series is.
    notes : str
        Free text (e.g. merged files, selection applied).
    files : tuple of str
        Absolute paths of the files the numbers were read from (empty for embedded and
        synthetic data); writers refuse to write over them.
    """

    source: str = "user"
    vintage: str = "unknown"
    units_converted: str = "none"
    rf_source: str = "given"
    notes: str = ""
    files: tuple[str, ...] = ()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _month_values(index: Iterable[object], name: str) -> tuple[pd.PeriodIndex, pd.Index | None]:
    """Monthly periods of ``index`` and, when it held dates, the dates themselves."""
    if isinstance(index, pd.PeriodIndex):
        values: pd.Index = index
    elif isinstance(index, pd.Index):
        values = index
    else:
        try:
            values = pd.Index(list(index))
        except (TypeError, ValueError) as exc:
            raise DataError(
                f"`{name}` must hold dates or monthly periods, got {_first_line(exc)}"
            ) from exc
    if isinstance(values, pd.PeriodIndex):
        if values.freqstr not in ("M", "ME"):
            raise DataError(
                f"`{name}` must hold monthly periods (freq 'M'), got periods of freq "
                f"{values.freqstr!r} (e.g. {values[0]}); convert them to months first"
            )
        return values, None
    if len(values) and (
        pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)
    ):
        shown = ", ".join(str(v) for v in values[:3])
        raise DataError(
            f"`{name}` must hold dates or monthly periods, got numbers ({shown}, ...): a row "
            "number or a bare YYYYMM is not a date; convert it first (e.g. "
            "pd.to_datetime(x.astype(str), format='%Y%m'))"
        )
    if len(values) and values.dtype == object and all(isinstance(v, pd.Period) for v in values):
        freqs = sorted({v.freqstr for v in values})
        raise DataError(
            f"`{name}` must hold periods of one monthly frequency, got frequencies {freqs}"
        )
    try:
        dt = pd.DatetimeIndex(values)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DataError(
            f"`{name}` must hold dates or monthly periods, got {_first_line(exc)}"
        ) from exc
    if dt.tz is not None:
        dt = dt.tz_localize(None)
    return dt.to_period("M"), dt


def to_months(index: Iterable[object], *, name: str = "index") -> pd.PeriodIndex:
    """Convert dates, month-end timestamps or monthly periods to a monthly ``PeriodIndex``.

    Parameters
    ----------
    index : iterable of dates or monthly periods, ``DatetimeIndex`` or ``PeriodIndex``
        Any date inside a month maps to that month. A list of ``pd.Period`` works like a
        ``PeriodIndex``. Numbers are refused (a row number or a bare ``YYYYMM`` is not a date),
        and so are periods of another frequency than monthly.
    name : str
        Parameter name used in error messages.

    Raises
    ------
    DataError
        If the values cannot be read as dates or monthly periods.
    """
    return _month_values(index, name)[0]


def _validate_months(months: pd.PeriodIndex, dates: pd.Index | None = None) -> None:
    """Raise unless ``months`` is non-empty, sorted, unique, gap-free and in 0001-01..9999-12.

    ``dates`` (the dates the months came from, if any) lets a daily or weekly index be told
    apart from a duplicated month.
    """
    if len(months) == 0:
        raise DataError("`index` must hold at least one month, got an empty index")
    if months.hasnans:
        raise DataError("`index` must not contain missing dates (NaT)")
    ordinals = months.asi8
    steps = np.diff(ordinals)
    if np.any(steps == 0):
        pos = int(np.flatnonzero(steps == 0)[0])
        dup = months[pos]
        same = np.flatnonzero(ordinals == ordinals[pos])
        if dates is not None and len(set(dates[same])) > 1:
            shown = ", ".join(str(d.date()) for d in dates[same][:3])
            raise DataError(
                f"`index` must hold one row per month, got {len(same)} rows in {dup} ({shown}"
                f"{', ...' if len(same) > 3 else ''}): the data are not monthly (daily or "
                "weekly?); aggregate them to one return per month first"
            )
        raise DataError(f"`index` must have unique months, got a duplicate month {dup}")
    if np.any(steps < 0):
        bad = int(np.flatnonzero(steps < 0)[0])
        raise DataError(
            f"`index` must be sorted ascending, got {months[bad]} followed by {months[bad + 1]}"
        )
    if np.any(steps > 1):
        bad = int(np.flatnonzero(steps > 1)[0])
        raise DataError(
            f"`index` must have no gaps between months, got {months[bad]} followed by "
            f"{months[bad + 1]} ({int(steps[bad]) - 1} months missing)"
        )
    if months[0] < _FIRST_MONTH or months[-1] > _LAST_MONTH:
        raise DataError(
            f"`index` must lie in {_FIRST_MONTH}..{_LAST_MONTH} (four-digit years), got "
            f"{months[0]}..{months[-1]}"
        )


def check_decimal_units(
    values: FloatArray, *, name: str, declared: str = "decimal", where: str = ""
) -> None:
    """Raise if returns converted to decimals still do not look like decimal returns.

    Checks, in order: missing-value markers (``-99.99``, ``-999``); gross returns ``1 + r``
    (every value > 0, median within 0.25 of 1); values that look 100 times too large (median
    ``|value|`` > 0.25: percent declared as decimals, or basis points declared as percent);
    losses of 100 % or more.

    Parameters
    ----------
    values : ndarray
        Returns after conversion to decimals (0.01 = 1 %).
    name : str
        What the values are, for the message (``"returns"``, ``"rf"``).
    declared : {"decimal", "percent"}
        The units the values were declared in before conversion, for the message.
    where : str
        Prefix naming the file, e.g. ``"returns.csv: "``.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return
    for marker in _MISSING_MARKERS:
        hits = np.isclose(finite, marker, rtol=0.0, atol=1e-9)
        if hits.any():
            raise DataError(
                f"{where}`{name}` contains the missing-value marker {marker} "
                f"({int(hits.sum())} times); replace it with NaN and drop or fill those months "
                "before building a panel"
            )
    median = float(np.median(finite))
    if np.all(finite > 0) and abs(median - 1.0) < _GROSS_MEDIAN_DISTANCE:
        one = "1" if declared == "decimal" else "100"
        raise DataError(
            f"{where}`{name}` looks like gross returns (1 + r), not returns: every value is > 0 "
            f"and the median is {median * (1 if declared == 'decimal' else 100):.4g} "
            f"(declared {declared}); subtract {one} from every value first"
        )
    med = float(np.median(np.abs(finite)))
    if med > _PERCENT_LOOKING_MEDIAN_ABS:
        if declared == "percent":
            raise DataError(
                f"{where}`{name}` is declared in percent but looks like basis points: median "
                f"|value| is {med * 100:.3g} (> {_PERCENT_LOOKING_MEDIAN_ABS * 100:g} %); "
                "factorgym reads decimals or percent: divide basis points by 100 and declare "
                "units='percent'"
            )
        raise DataError(
            f"{where}`{name}` is declared in decimals but looks like percent: median |value| is "
            f"{med:.3g} (> {_PERCENT_LOOKING_MEDIAN_ABS}); divide by 100 or declare units='percent'"
        )
    if np.any(finite <= -1.0):
        worst = float(finite.min())
        raise DataError(
            f"{where}`{name}` holds a monthly return of {worst:.4g} <= -1 (a loss over 100 %), "
            "which is impossible for decimal returns; are the units right?"
        )


def _suggest(name: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.5)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


class FactorPanel:
    """Monthly returns of a set of factors or assets, with the risk-free rate.

    The panel is immutable: its arrays are read-only copies and every method returns a new
    panel. Construction validates everything; an invalid panel cannot exist.

    Parameters
    ----------
    returns : array-like of shape (n_months, n_assets)
        Monthly returns in decimals. For ``kind="excess"`` these are excess returns of
        self-financing long-short factors (a portfolio earns ``rf + sum_k w_k x_k``); for
        ``kind="total"`` total returns of investable assets (uncommitted weight earns ``rf``).
    rf : array-like of shape (n_months,) or float
        Monthly risk-free return in decimals, for the same months.
    index : DatetimeIndex, PeriodIndex or sequence of dates
        One entry per month; sorted, unique and without gaps.
    assets : sequence of str
        Unique, non-empty asset names.
    kind : {"excess", "total"}
        How the returns combine into a portfolio return (see above).
    provenance : Provenance, optional
        Where the data came from.

    Raises
    ------
    DataError
        On any shape mismatch, non-finite value, unsorted, duplicate or missing month,
        duplicate asset name, unknown kind, or decimals that look like percent.
    """

    __slots__ = ("_assets", "_hash", "_kind", "_months", "_provenance", "_returns", "_rf")

    def __init__(
        self,
        returns: object,
        rf: object,
        index: Iterable[object],
        assets: Sequence[str],
        *,
        kind: PanelKind = "excess",
        provenance: Provenance | None = None,
    ) -> None:
        if kind not in _KINDS:
            raise DataError(f"`kind` must be one of {_KINDS}, got {kind!r}")
        try:
            ret = frozen_copy(returns)
        except (TypeError, ValueError) as exc:
            raise DataError(f"`returns` must be numeric, got {_first_line(exc)}") from exc
        if ret.ndim == 1:
            ret = ret.reshape(-1, 1)
        if ret.ndim != 2:
            raise DataError(f"`returns` must be 2-D (n_months, n_assets), got shape {ret.shape}")
        months, dates = _month_values(index, "index")
        _validate_months(months, dates)
        if ret.shape[0] != len(months):
            raise DataError(
                f"`returns` must have one row per month: {len(months)} months in `index`, "
                f"got {ret.shape[0]} rows"
            )
        names = [str(a) for a in assets]
        if len(names) != ret.shape[1]:
            raise DataError(
                f"`assets` must name every column: {ret.shape[1]} columns, got {len(names)} names"
            )
        if any(not n.strip() for n in names):
            raise DataError(f"`assets` must be non-empty strings, got {names}")
        if len(set(names)) != len(names):
            dups = sorted({n for n in names if names.count(n) > 1})
            raise DataError(f"`assets` must be unique, got duplicates {dups}")
        rf_arr = _rf_array(rf, len(months))
        for label, arr in (("returns", ret), ("rf", rf_arr)):
            bad = ~np.isfinite(arr)
            if bad.any():
                row = int(np.argwhere(bad)[0][0])
                col = "" if arr.ndim == 1 else f", asset {names[int(np.argwhere(bad)[0][1])]!r}"
                raise DataError(
                    f"`{label}` must be finite, got {int(bad.sum())} NaN/inf values "
                    f"(first at {months[row]}{col})"
                )
        check_decimal_units(ret, name="returns")
        check_decimal_units(rf_arr, name="rf")
        # frozen_copy: C-ordered float64 over an immutable bytes buffer, so nobody can change
        # the numbers behind content_hash, and the input's dtype and memory order leave no trace.
        self._returns = ret
        self._rf = rf_arr
        self._months = months
        self._assets = tuple(names)
        self._kind: PanelKind = kind
        self._provenance = provenance or Provenance()
        self._hash = self._compute_hash()

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        rf: object = None,
        rf_column: str | None = None,
        kind: PanelKind = "excess",
        provenance: Provenance | None = None,
    ) -> FactorPanel:
        """Build a panel from a frame indexed by month with one column per asset.

        Parameters
        ----------
        frame : DataFrame
            Index of dates or monthly periods; columns are assets (decimals).
        rf : float or array-like, optional
            Risk-free series, if not a column of ``frame``.
        rf_column : str, optional
            Name of the column of ``frame`` holding the risk-free rate (removed from assets).
            Exactly one of ``rf`` and ``rf_column`` must be given.
        kind, provenance
            As in the constructor.
        """
        if not isinstance(frame, pd.DataFrame):
            raise DataError(f"`frame` must be a pandas DataFrame, got {type(frame).__name__}")
        if rf_column is not None and rf is not None:
            raise DataError(
                "`rf` and `rf_column` must not both be given (which risk-free rate?), got an "
                f"rf of type {type(rf).__name__} and rf_column={rf_column!r}"
            )
        if rf_column is not None:
            if rf_column not in frame.columns:
                raise UnknownAssetError(
                    f"`rf_column` {rf_column!r} is not a column of the frame"
                    f"{_suggest(rf_column, [str(c) for c in frame.columns])}"
                )
            rf = frame[rf_column].to_numpy(dtype=np.float64)
            frame = frame.drop(columns=[rf_column])
        if rf is None:
            raise DataError("`rf` is required: pass rf=<float or series> or rf_column=<name>")
        return cls(
            frame.to_numpy(dtype=np.float64),
            rf,
            frame.index,
            [str(c) for c in frame.columns],
            kind=kind,
            provenance=provenance,
        )

    def _compute_hash(self) -> str:
        h = hashlib.sha256()
        h.update(self._kind.encode())
        h.update("\x1f".join(self._assets).encode())
        h.update(np.ascontiguousarray(self._months.asi8).tobytes())
        h.update(np.ascontiguousarray(self._returns).tobytes())
        h.update(np.ascontiguousarray(self._rf).tobytes())
        return h.hexdigest()

    # ------------------------------------------------------------------ read-only views
    @property
    def returns(self) -> FloatArray:
        """Read-only array of shape (n_months, n_assets), decimals."""
        return self._returns

    @property
    def rf(self) -> FloatArray:
        """Read-only array of shape (n_months,), monthly risk-free return, decimals."""
        return self._rf

    @property
    def months(self) -> pd.PeriodIndex:
        """Monthly ``PeriodIndex`` of the rows."""
        return self._months

    @property
    def index(self) -> pd.DatetimeIndex:
        """Month-end ``DatetimeIndex`` of the rows."""
        return self._months.to_timestamp(how="end").normalize()

    @property
    def assets(self) -> tuple[str, ...]:
        """Asset names, in column order."""
        return self._assets

    @property
    def kind(self) -> PanelKind:
        """``"excess"`` or ``"total"``."""
        return self._kind

    @property
    def provenance(self) -> Provenance:
        """Source, vintage, units conversion and notes."""
        return self._provenance

    @property
    def content_hash(self) -> str:
        """SHA-256 of kind, asset names, months, returns and rf (hex)."""
        return self._hash

    @property
    def n_months(self) -> int:
        """Number of months (rows)."""
        return self._returns.shape[0]

    @property
    def n_assets(self) -> int:
        """Number of assets (columns)."""
        return self._returns.shape[1]

    @property
    def start(self) -> pd.Period:
        """First month."""
        return self._months[0]

    @property
    def end(self) -> pd.Period:
        """Last month."""
        return self._months[-1]

    def __len__(self) -> int:
        return self.n_months

    def __repr__(self) -> str:
        return (
            f"FactorPanel(kind={self._kind!r}, assets={list(self._assets)}, "
            f"months={self.n_months} [{self.start}..{self.end}], "
            f"source={self._provenance.source!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FactorPanel):
            return NotImplemented
        return self._hash == other._hash

    def __hash__(self) -> int:
        return hash(self._hash)

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild,
            (
                self._returns,
                self._rf,
                self._months.asi8,
                self._assets,
                self._kind,
                self._provenance,
            ),
        )

    # ------------------------------------------------------------------ transformations
    def month_position(self, month: object, *, name: str = "month") -> int:
        """Row position of ``month`` (a date, period or ``"YYYY-MM"`` string).

        Raises
        ------
        DataError
            If the month is outside the panel.
        """
        period = parse_month(month, name=name)
        pos = int(period.ordinal - self._months[0].ordinal)
        if not 0 <= pos < self.n_months:
            raise DataError(f"`{name}` must lie in {self.start}..{self.end}, got {period}")
        return pos

    def slice(self, start: object = None, end: object = None) -> FactorPanel:
        """Months from ``start`` to ``end``, both inclusive (``None`` = open end).

        Raises
        ------
        DataError
            If ``start`` is after ``end`` or the range holds no month of the panel.
        """
        p0 = self.start if start is None else parse_month(start, name="start")
        p1 = self.end if end is None else parse_month(end, name="end")
        if p0 > p1:
            raise DataError(f"`start` must not be after `end`, got start={p0} > end={p1}")
        lo = max(p0.ordinal, self.start.ordinal) - self.start.ordinal
        hi = min(p1.ordinal, self.end.ordinal) - self.start.ordinal
        if lo > hi:
            raise DataError(
                f"`start`..`end` = {p0}..{p1} holds no month of the panel "
                f"({self.start}..{self.end})"
            )
        return self._take(slice(lo, hi + 1), list(range(self.n_assets)))

    def select(self, assets: str | Sequence[str]) -> FactorPanel:
        """Keep the named assets, in the order given.

        Raises
        ------
        UnknownAssetError
            For a name that is not in the panel (close matches are suggested).
        DataError
            For an empty or duplicated selection.
        """
        names = [assets] if isinstance(assets, str) else list(assets)
        if not names:
            raise DataError(f"`assets` must name at least one asset of {list(self._assets)}")
        if len(set(names)) != len(names):
            raise DataError(f"`assets` must not repeat a name, got {names}")
        cols = []
        for n in names:
            if n not in self._assets:
                raise UnknownAssetError(
                    f"`assets`: unknown asset {n!r}; the panel holds {list(self._assets)}"
                    f"{_suggest(n, self._assets)}"
                )
            cols.append(self._assets.index(n))
        return self._take(slice(None), cols)

    def _take(self, rows: builtins.slice, cols: list[int]) -> FactorPanel:
        new = object.__new__(FactorPanel)
        new._returns = frozen_copy(self._returns[rows][:, cols])
        new._rf = frozen_copy(self._rf[rows])
        new._months = self._months[rows]
        new._assets = tuple(self._assets[c] for c in cols)
        new._kind = self._kind
        new._provenance = self._provenance
        new._hash = new._compute_hash()
        return new

    def with_provenance(self, **changes: Any) -> FactorPanel:
        """A copy with some provenance fields replaced."""
        new = self._take(slice(None), list(range(self.n_assets)))
        new._provenance = replace(self._provenance, **changes)
        return new

    def to_frame(self, *, include_rf: bool = False, period_index: bool = False) -> pd.DataFrame:
        """Returns as a DataFrame (month-end dates; ``RF`` column last if ``include_rf``)."""
        idx = self._months if period_index else self.index
        frame = pd.DataFrame(np.array(self._returns), index=idx, columns=list(self._assets))
        if include_rf:
            frame["RF"] = np.array(self._rf)
        frame.index.name = "date"
        return frame

    # ------------------------------------------------------------------ statistics
    def describe(self, *, periods_per_year: int = 12) -> pd.DataFrame:
        """Per-asset summary statistics.

        Columns: ``ann_mean`` (arithmetic mean x periods_per_year), ``ann_vol`` (sample std
        x sqrt(periods_per_year)), ``sharpe`` (ann_mean / ann_vol of *excess* returns: the
        returns themselves for ``kind="excess"``, ``R - rf`` for ``kind="total"``),
        ``max_drawdown`` (largest peak-to-trough loss of the compounded value of 1 invested
        in the asset's returns, a positive fraction), ``skew`` (sample skewness, bias
        corrected as in pandas), ``months``.
        """
        if periods_per_year <= 0:
            raise DataError(f"`periods_per_year` must be > 0, got {periods_per_year}")
        excess = self._returns if self._kind == "excess" else self._returns - self._rf[:, None]
        frame = pd.DataFrame(excess, columns=list(self._assets))
        mean = frame.mean() * periods_per_year
        vol = frame.std(ddof=1) * np.sqrt(periods_per_year)
        wealth = np.cumprod(1.0 + self._returns, axis=0)
        peak = np.maximum.accumulate(np.vstack([np.ones((1, self.n_assets)), wealth]), axis=0)[1:]
        mdd = (1.0 - wealth / peak).max(axis=0)
        out = pd.DataFrame(
            {
                "ann_mean": mean.to_numpy(),
                "ann_vol": vol.to_numpy(),
                "sharpe": (mean / vol).to_numpy(),
                "max_drawdown": mdd,
                "skew": frame.skew().to_numpy(),
                "months": self.n_months,
            },
            index=pd.Index(self._assets, name="asset"),
        )
        return out


def _rf_array(rf: object, n_months: int) -> FloatArray:
    """``rf`` as a frozen float64 array of shape (n_months,).

    Accepted: a real number (or a 0-d array), used for every month, or a 1-D array-like of
    exactly ``n_months`` values. Anything else -- an (n_months, 1) column, a 2-D array that
    happens to hold ``n_months`` values, a string, a bool -- is refused, not reshaped.
    """
    if is_real(rf) or (isinstance(rf, np.ndarray) and rf.ndim == 0 and rf.dtype.kind in "iuf"):
        return frozen_copy(np.full(n_months, float(rf)))  # type: ignore[arg-type]
    if isinstance(rf, (str, bytes, bool, np.bool_)) or rf is None:
        raise DataError(
            f"`rf` must be a number or a 1-D array of {n_months} monthly values, got {rf!r}"
        )
    try:
        arr = frozen_copy(rf)
    except (TypeError, ValueError) as exc:
        raise DataError(f"`rf` must be numeric, got {_first_line(exc)}") from exc
    if arr.shape != (n_months,):
        raise DataError(
            f"`rf` must be a number or a 1-D array with one value per month ({n_months}), got "
            f"shape {arr.shape}"
        )
    return arr


def _rebuild(
    returns: FloatArray,
    rf: FloatArray,
    ordinals: np.ndarray,
    assets: tuple[str, ...],
    kind: PanelKind,
    provenance: Provenance,
) -> FactorPanel:
    months = pd.PeriodIndex.from_ordinals(ordinals, freq="M")
    return FactorPanel(returns, rf, months, assets, kind=kind, provenance=provenance)


_MONTH_STRING = re.compile(r"^\d{4}-\d{2}(-\d{2})?$|^\d{6}$")


def parse_month(value: object, *, name: str) -> pd.Period:
    """A month from a monthly ``Period``, a date, or a string (``YYYY-MM``, ``YYYYMM``, ...).

    The rule: text and dates name a month; numbers do not. ``1990`` could be the year 1990 or
    a typo of ``199001``, and pandas reads it as 1990 months after 1970 (with a deprecation
    warning), so a bare number -- int, float or bool -- is refused, as is a ``Period`` coarser
    than a month (``Period("1990", "Y")`` spans twelve months). A finer period or a date maps to
    the month that holds it.

    Raises
    ------
    DataError
        For any other value, with the parameter name and the value.
    """
    expected = (
        f"`{name}` must be a month such as '1990-01' (a string 'YYYY-MM', 'YYYYMM' or "
        "'YYYY-MM-DD', a date or a monthly pandas Period)"
    )
    if isinstance(value, pd.Period):
        first, last = value.asfreq("M", how="start"), value.asfreq("M", how="end")
        if first != last:
            raise DataError(f"{expected}; got {value!r}, which spans {first}..{last}")
        return first
    if isinstance(value, str):
        text = value.strip()
        if not _MONTH_STRING.match(text):
            raise DataError(f"{expected}, got {value!r}")
        if len(text) == 6:
            text = f"{text[:4]}-{text[4:]}"
        try:
            if len(text) == 10:
                pd.Timestamp(text)  # the day must exist too
            return pd.Period(text[:7], freq="M")
        except (TypeError, ValueError) as exc:
            raise DataError(f"{expected}, got {value!r}") from exc
    if isinstance(value, (_dt.date, np.datetime64)):  # datetime, date, Timestamp (not NaT)
        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            raise DataError(f"{expected}, got {value!r}")
        return pd.Period(year=stamp.year, month=stamp.month, freq="M")
    if is_real(value) or isinstance(value, (bool, np.bool_)):
        raise DataError(
            f"{expected}, got {value!r} ({type(value).__name__}); a bare number is ambiguous "
            "(the year 1990 or YYYYMM?): write '1990-01'"
        )
    raise DataError(f"{expected}, got {value!r} ({type(value).__name__})")
