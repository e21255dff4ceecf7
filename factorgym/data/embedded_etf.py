"""Factor ETFs embedded in skfolio (``load_factors_dataset``), aggregated to month ends."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from factorgym.errors import DataError
from factorgym.panel import FactorPanel, Provenance, to_months

__all__ = ["ETF_TICKERS", "load_etf", "monthly_returns_from_daily_prices"]

ETF_TICKERS = ("MTUM", "QUAL", "SIZE", "USMV", "VLUE")


def monthly_returns_from_daily_prices(prices: pd.DataFrame) -> pd.DataFrame:
    """Month-end total returns from daily adjusted closes.

    The return of month m is ``P(last close of m) / P(last close of m-1) - 1``. The first
    month (no previous month end) is dropped, and so is a last month whose final observation
    falls more than one business day before the month's last business day (an incomplete
    month would otherwise masquerade as a full one).

    Parameters
    ----------
    prices : DataFrame of shape (n_days, n_assets)
        Adjusted closing prices indexed by trading date, positive and finite.

    Returns
    -------
    DataFrame of shape (n_months, n_assets), monthly ``PeriodIndex``.
    """
    if not isinstance(prices.index, pd.DatetimeIndex):
        raise DataError("`prices` must be indexed by a DatetimeIndex of trading days")
    if not prices.index.is_monotonic_increasing or prices.index.has_duplicates:
        raise DataError("`prices` index must be sorted and unique")
    values = prices.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise DataError("`prices` must be finite and > 0 (adjusted closing prices)")
    months = prices.index.to_period("M")
    month_end = prices.groupby(months).last()
    last_day = prices.index.to_series().groupby(months).max()
    final_month = month_end.index[-1]
    final_bday = pd.offsets.BMonthEnd().rollforward(final_month.to_timestamp(how="start"))
    short_by = int(np.busday_count(last_day.iloc[-1].date(), final_bday.date()))
    if short_by > 1:
        month_end = month_end.iloc[:-1]
    rets = month_end.pct_change().iloc[1:]
    return rets


@lru_cache(maxsize=1)
def _monthly() -> pd.DataFrame:
    from skfolio.datasets import load_factors_dataset  # local: import cost only when used

    return monthly_returns_from_daily_prices(load_factors_dataset())


def load_etf(*, rf: float | pd.Series = 0.0) -> FactorPanel:
    """Skfolio's five iShares factor ETFs as monthly total returns (``kind="total"``).

    MTUM (momentum), QUAL (quality), SIZE (size), USMV (minimum volatility), VLUE (value);
    daily adjusted closes 2014-01-02..2022-12-28 aggregated to month ends, giving
    2014-02..2022-11 (December 2022 is incomplete in the source and dropped).

    Parameters
    ----------
    rf : float or Series, default 0.0
        Monthly risk-free return earned by uncommitted weight. No T-bill series ships with
        skfolio for these years, so the default is **zero** (state it in any result); pass a
        constant monthly rate or a Series indexed by month covering every panel month.
    """
    rets = _monthly()
    if isinstance(rf, pd.Series):
        rf_months = to_months(rf.index, name="rf.index")
        rf_series = pd.Series(rf.to_numpy(dtype=np.float64), index=rf_months)
        missing = rets.index.difference(rf_series.index)
        if len(missing):
            raise DataError(
                f"`rf` must cover every ETF month {rets.index[0]}..{rets.index[-1]}, "
                f"missing {len(missing)} months (first {missing[0]})"
            )
        rf_arr = rf_series.reindex(rets.index).to_numpy()
        rf_desc = "user-supplied monthly series"
    else:
        rf_arr = float(rf)
        rf_desc = f"constant {float(rf)!r} per month (no T-bill series embedded for 2014-2022)"
    import skfolio

    return FactorPanel(
        rets.to_numpy(dtype=np.float64),
        rf_arr,
        rets.index,
        [str(c) for c in rets.columns],
        kind="total",
        provenance=Provenance(
            source="etf",
            vintage=f"skfolio {skfolio.__version__} load_factors_dataset (daily, 2014-01..2022-12)",
            units_converted="daily adjusted prices -> month-end total returns",
            rf_source=rf_desc,
            notes="iShares MSCI USA factor ETFs; fund fees are inside the price returns",
        ),
    )
