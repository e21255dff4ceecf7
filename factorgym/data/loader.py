"""`load`: one entry point to every data source."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from factorgym.data.csv_export import is_export
from factorgym.data.embedded_etf import load_etf
from factorgym.data.embedded_french import FRENCH_UNIVERSES, load_french
from factorgym.data.kenfrench_csv import load_kenfrench
from factorgym.data.synthetic import synthetic_market
from factorgym.data.tidy_file import load_tidy
from factorgym.errors import ConfigError, DataError
from factorgym.panel import FactorPanel

__all__ = ["SOURCES", "SourceInfo", "load"]


@dataclass(frozen=True)
class SourceInfo:
    """What a named source holds (for ``factorgym data list``)."""

    name: str
    kind: str
    period: str
    holds: str
    options: str


SOURCES: dict[str, SourceInfo] = {
    "french": SourceInfo(
        "french",
        "excess / total",
        "1949-01..2017-03 (819 months)",
        "Ken French data embedded in linearmodels: "
        + "; ".join(f"{u}: {', '.join(c)}" for u, (c, _, _) in FRENCH_UNIVERSES.items()),
        "universe=factors|industries|size_value|size_momentum",
    ),
    "etf": SourceInfo(
        "etf",
        "total",
        "2014-02..2022-11 (106 months)",
        "iShares factor ETFs MTUM, QUAL, SIZE, USMV, VLUE from skfolio (daily -> month end); "
        "rf = 0 unless given",
        "rf=<monthly decimal or Series>",
    ),
    "synthetic": SourceInfo(
        "synthetic",
        "excess",
        "1960-01.. (n_months)",
        "2-state regime-switching Gaussian market with known parameters (tests only)",
        "n_months, n_assets, seed, separation (see data.synthetic_market for ground truth)",
    ),
    "<path.CSV>": SourceInfo(
        "<path.CSV>",
        "excess (kind=)",
        "as in the file(s)",
        "Ken French CSV file(s) as downloaded (percent, monthly + annual sections); several "
        "paths are merged on month",
        "table=, kind=, rf=",
    ),
    "<path.csv|.parquet>": SourceInfo(
        "<path.csv|.parquet>",
        "kind=",
        "as in the file",
        "tidy file: a date column plus one column per asset",
        "units=decimal|percent (required), kind=, rf_column=, rf=",
    ),
}


def _is_kenfrench(path: Path) -> bool:
    if path.suffix.lower() == ".parquet" or not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            raw = fh.read(4096)
    except OSError as exc:
        raise DataError(f"`source`: cannot read {str(path)!r}: {exc.strerror or exc}") from exc
    if is_export(raw):
        return False
    head = raw.decode("latin-1")
    first = head.lstrip().splitlines()[0] if head.strip() else ""
    # A tidy CSV starts with its header row of names; a Ken French file with free text or a
    # leading-comma header line.
    return first.startswith(",") or ("," not in first)


def load(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    start: object = None,
    end: object = None,
    assets: str | Sequence[str] | None = None,
    **options: object,
) -> FactorPanel:
    """Load monthly returns from a named source or from files.

    Parameters
    ----------
    source : str, path or sequence of paths
        ``"french"`` (default data, embedded), ``"etf"`` (embedded), ``"synthetic"`` (tests),
        a path to Ken French CSV file(s), or a path to a tidy ``.csv``/``.parquet`` file
        (requires ``units=``).
    start, end : month, optional
        First and last month kept (inclusive), e.g. ``"1990-01"``.
    assets : str or sequence of str, optional
        Assets kept, in this order (unknown names raise with suggestions).
    **options
        Source options (see ``factorgym data list``); unknown options raise ``ConfigError``.

    Returns
    -------
    FactorPanel
    """
    allowed: tuple[str, ...]
    if isinstance(source, (list, tuple)):
        paths = [Path(p) for p in source]
        allowed = ("table", "kind", "rf")
        _check_options(options, allowed, "Ken French CSV files")
        panel = load_kenfrench(paths, start=start, end=end, **options)  # type: ignore[arg-type]
    elif not isinstance(source, (str, os.PathLike)):
        raise DataError(f"`source` must be a source name or a path, got {type(source).__name__}")
    elif str(source) == "french":
        _check_options(options, ("universe",), "french")
        panel = load_french(**options)  # type: ignore[arg-type]
    elif str(source) == "etf":
        _check_options(options, ("rf",), "etf")
        panel = load_etf(**options)
    elif str(source) == "synthetic":
        allowed = ("n_months", "n_assets", "seed", "separation", "rf", "start_month")
        _check_options(options, allowed, "synthetic")
        opts = dict(options)
        if "start_month" in opts:
            opts["start"] = opts.pop("start_month")
        panel = synthetic_market(**opts).panel  # type: ignore[arg-type]
    else:
        path = Path(source)
        looks_like_path = path.suffix != "" or os.sep in str(source) or path.exists()
        if not looks_like_path:
            names = [s for s in SOURCES if not s.startswith("<")]
            raise DataError(
                f"`source` must be one of {names} or a path to a file, got {str(source)!r}"
            )
        if not path.exists():
            raise DataError(f"`source`: file not found: {str(path)!r}")
        if path.is_dir():
            raise DataError(f"`source` must be a file, got the directory {str(path)!r}")
        if _is_kenfrench(path) and "units" not in options:
            _check_options(options, ("table", "kind", "rf"), "Ken French CSV file")
            panel = load_kenfrench(path, start=start, end=end, **options)  # type: ignore[arg-type]
        else:
            allowed = ("units", "kind", "date_column", "rf_column", "rf")
            _check_options(options, allowed, "tidy file")
            if "units" not in options:
                raise DataError(
                    f"`units` is required for the tidy file {path.name}: pass units='decimal' "
                    "or units='percent'"
                )
            panel = load_tidy(path, start=start, end=end, **options)  # type: ignore[arg-type]
    if start is not None or end is not None:
        panel = panel.slice(start, end)
    if assets is not None:
        panel = panel.select(assets)
    return panel


def _check_options(options: dict[str, object], allowed: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ConfigError(
            f"unknown option(s) {unknown} for source {what!r}; allowed: {sorted(allowed)}"
        )
