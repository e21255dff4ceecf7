"""Data sources for factorgym.

Embedded Ken French and factor-ETF data, Ken French CSV files, tidy files and a synthetic
regime-switching market. Everything returns a validated :class:`~factorgym.FactorPanel`;
:func:`write_csv` writes one back to a self-verifying tidy CSV, atomically.
"""

from factorgym.data.csv_export import write_csv
from factorgym.data.embedded_etf import ETF_TICKERS, load_etf, monthly_returns_from_daily_prices
from factorgym.data.embedded_french import FRENCH_UNIVERSES, load_french
from factorgym.data.kenfrench_csv import KenFrenchTable, load_kenfrench, parse_kenfrench_csv
from factorgym.data.loader import SOURCES, SourceInfo, load
from factorgym.data.synthetic import SyntheticMarket, default_regime_parameters, synthetic_market
from factorgym.data.tidy_file import load_tidy

__all__ = [
    "ETF_TICKERS",
    "FRENCH_UNIVERSES",
    "SOURCES",
    "KenFrenchTable",
    "SourceInfo",
    "SyntheticMarket",
    "default_regime_parameters",
    "load",
    "load_etf",
    "load_french",
    "load_kenfrench",
    "load_tidy",
    "monthly_returns_from_daily_prices",
    "parse_kenfrench_csv",
    "synthetic_market",
    "write_csv",
]
