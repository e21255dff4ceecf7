from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorgym import DataError, load
from factorgym.data import load_etf, monthly_returns_from_daily_prices


def test_french_default_is_819_months_of_four_factors(french_panel):
    assert french_panel.n_months == 819
    assert (str(french_panel.start), str(french_panel.end)) == ("1949-01", "2017-03")
    assert french_panel.assets == ("MktRF", "SMB", "HML", "Mom")
    assert french_panel.kind == "excess"


def test_mktrf_sharpe_matches_hand_computation_from_raw_data(french_panel):
    from linearmodels.datasets import french

    raw = french.load()["MktRF"].to_numpy()
    n = len(raw)
    mean = sum(raw) / n
    var = sum((v - mean) ** 2 for v in raw) / (n - 1)
    hand = mean / var**0.5 * 12**0.5
    assert french_panel.describe().loc["MktRF", "sharpe"] == pytest.approx(hand, rel=1e-12)
    assert hand == pytest.approx(0.527, abs=5e-4)


@pytest.mark.parametrize(
    ("universe", "n_assets", "first"),
    [("industries", 12, "NoDur"), ("size_value", 9, "S1V1"), ("size_momentum", 9, "S1M1")],
)
def test_french_portfolio_universes_are_total_returns(universe, n_assets, first):
    panel = load("french", universe=universe)
    assert panel.kind == "total" and panel.n_assets == n_assets and panel.assets[0] == first
    assert panel.n_months == 819


def test_french_unknown_universe():
    with pytest.raises(DataError, match="`universe` must be one of .* got 'sectors'"):
        load("french", universe="sectors")


def test_etf_month_ends():
    panel = load("etf")
    assert panel.assets == ("MTUM", "QUAL", "SIZE", "USMV", "VLUE")
    assert panel.kind == "total"
    assert (str(panel.start), str(panel.end)) == ("2014-02", "2022-11")
    assert np.all(panel.rf == 0.0)
    assert "no T-bill" in panel.provenance.rf_source
    from skfolio.datasets import load_factors_dataset

    prices = load_factors_dataset()
    jan = prices.loc["2014-01"].iloc[-1]
    feb = prices.loc["2014-02"].iloc[-1]
    np.testing.assert_allclose(panel.returns[0], (feb / jan - 1).to_numpy(), rtol=1e-14)


def test_etf_rf_series_must_cover_every_month():
    months = pd.period_range("2014-02", "2022-11", freq="M")
    panel = load_etf(rf=pd.Series(0.001, index=months))
    assert np.all(panel.rf == 0.001)
    with pytest.raises(DataError, match="must cover every ETF month .* missing 1 months"):
        load_etf(rf=pd.Series(0.001, index=months[1:]))


def test_monthly_aggregation_drops_incomplete_last_month():
    days = pd.bdate_range("2020-01-01", "2020-03-20")
    prices = pd.DataFrame({"X": np.linspace(100, 110, len(days))}, index=days)
    monthly = monthly_returns_from_daily_prices(prices)
    assert [str(m) for m in monthly.index] == ["2020-02"]  # Jan has no base, March incomplete
    full = prices.reindex(pd.bdate_range("2020-01-01", "2020-03-31")).ffill()
    assert [str(m) for m in monthly_returns_from_daily_prices(full).index] == ["2020-02", "2020-03"]


@pytest.mark.parametrize(
    ("prices", "match"),
    [
        (pd.DataFrame({"X": [1.0, 2.0]}, index=[0, 1]), "DatetimeIndex"),
        (
            pd.DataFrame({"X": [1.0, -2.0]}, index=pd.to_datetime(["2020-01-02", "2020-01-03"])),
            "finite and > 0",
        ),
        (
            pd.DataFrame({"X": [1.0, 2.0]}, index=pd.to_datetime(["2020-01-03", "2020-01-02"])),
            "sorted and unique",
        ),
    ],
)
def test_monthly_aggregation_rejects_bad_prices(prices, match):
    with pytest.raises(DataError, match=match):
        monthly_returns_from_daily_prices(prices)
