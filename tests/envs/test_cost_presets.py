"""The checks of COSTS.md section 4 against the presets and the env's accounting."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest

from factorgym import FactorPanel
from factorgym.envs import (
    PRESET_TABLES,
    EnvConfig,
    FactorTimingEnv,
    break_even_aum,
    impact_cost,
    impact_rate,
)
from factorgym.envs.cost_presets import asset_class, preset_row, resolve_cost_model
from factorgym.errors import ConfigError

NONZERO = ("low", "central", "high")
FACTORS = ("Mkt-RF", "SMB", "HML", "RMW", "CMA", "Mom")


def _row(preset, name, kind="excess"):
    return preset_row(preset, name, kind)


# --- 1. zero preset: net equals gross exactly, for any action sequence ----------------------
@pytest.mark.parametrize("mode", ["long_only", "long_short", "tilt"])
def test_zero_preset_net_equals_gross(french_small, mode):
    env = FactorTimingEnv(
        french_small,
        config=EnvConfig(costs="zero", action_mode=mode, aum=1e12, episode_length=60),
    )
    env.reset(seed=3)
    rng = np.random.default_rng(3)
    for _ in range(60):
        _, _, term, trunc, info = env.step(rng.uniform(-1, 1, 4).astype(np.float32))
        assert info["net_return"] == info["gross_return"]
        assert info["cost_total"] == 0.0
        assert info["fill_ratio"] == 1.0  # zero is frictionless: no capacity cut at $1tn
        if term or trunc:
            break


# --- 2. signs, symmetry, ordering of presets ------------------------------------------------
@pytest.mark.parametrize("preset", ["zero", *NONZERO])
def test_costs_are_non_negative_zero_for_no_trade_and_symmetric(preset, french_panel):
    cm = resolve_cost_model(french_panel.assets, "excess", EnvConfig(costs=preset))
    for arr in (cm.cost_bps, cm.internal_bps, cm.impact_coef, cm.sigma_daily):
        assert np.all(arr >= 0)
    assert np.all(cm.capacity_usd > 0)
    zero = np.zeros(4)
    assert float(zero @ cm.cost_rate) == 0.0
    assert impact_cost(zero, 1e9, cm.impact_scale) == 0.0
    d = np.array([0.3, 0.1, 0.2, 0.05])
    buy, sell = np.abs(d), np.abs(-d)
    assert buy @ cm.cost_rate == sell @ cm.cost_rate
    assert impact_cost(buy, 1e9, cm.impact_scale) == impact_cost(sell, 1e9, cm.impact_scale)


@pytest.mark.parametrize("asset", [*FACTORS, "ETF"])
def test_presets_are_ordered_low_central_high(asset):
    lo, mid, hi = (PRESET_TABLES[p][asset] for p in NONZERO)
    for key in ("c_bps", "h_bps", "Y"):
        assert lo[key] <= mid[key] <= hi[key], key
    assert lo["V_usd"] >= mid["V_usd"] >= hi["V_usd"]
    slo, smid, shi = (PRESET_TABLES[p]["_shared"] for p in NONZERO)
    assert slo["D"] >= smid["D"] >= shi["D"]
    assert slo["p_max"] >= smid["p_max"] >= shi["p_max"]


# --- 3. momentum is mid-turnover, value low-turnover ----------------------------------------
@pytest.mark.parametrize("preset", NONZERO)
def test_momentum_internal_cost_at_least_four_times_value(preset):
    assert _row(preset, "Mom")["h_bps"] >= 4 * _row(preset, "HML")["h_bps"]


# --- 4. the market is cheapest to trade ---------------------------------------------------------
@pytest.mark.parametrize("preset", NONZERO)
def test_market_cheaper_than_value_cheaper_than_size(preset):
    c = {a: _row(preset, a)["c_bps"] for a in FACTORS}
    assert c["Mkt-RF"] < c["HML"] <= c["SMB"]
    assert c["Mkt-RF"] <= 5.0


# --- 5. concavity of the square-root law ----------------------------------------------------
def test_impact_concavity():
    r = _row("central", "Mom")
    kw = {
        "impact_coef": r["Y"],
        "sigma_daily": r["sigma_daily"],
        "capacity_usd": r["V_usd"],
        "trade_days": 5.0,
    }
    rate_1 = impact_rate(1e9 * 0.3, **kw)
    rate_2 = impact_rate(2e9 * 0.3, **kw)
    assert rate_2 / rate_1 == pytest.approx(math.sqrt(2), rel=1e-14)
    scale = np.array([r["legs"] * r["Y"] * r["sigma_daily"] / math.sqrt(r["V_usd"] * 5.0)])
    c1 = impact_cost(np.array([0.2]), 1e9, scale)
    c2 = impact_cost(np.array([0.4]), 1e9, scale)
    assert c2 / c1 == pytest.approx(2**1.5, rel=1e-14)


@pytest.mark.parametrize("asset", [*FACTORS, "MTUM"])
def test_impact_below_proportional_cost_at_one_million(asset):
    kind = "total" if asset == "MTUM" else "excess"
    cm = resolve_cost_model([asset], kind, EnvConfig(costs="central"))
    charge = impact_cost(np.array([1.0]), 1e6, cm.impact_scale)
    assert charge < cm.cost_rate[0]
    if asset == "MTUM":
        assert charge == pytest.approx(2.2e-4, abs=0.1e-4)  # "about 2 bp for a $150m/day ETF"
    else:
        assert charge <= 1.2e-4  # "about 1 bp or less otherwise"


# --- 6. participation cap -----------------------------------------------------------------
def test_participation_cap_clips_and_reports(french_small):
    cfg = EnvConfig(costs="central", aum=1e12, random_start=False, episode_length=3)
    env = FactorTimingEnv(french_small, config=cfg)
    env.reset()
    cm = env.cost_model
    _, _, _, _, info = env.step(np.array([1.0, -1.0, -1.0, -1.0], dtype=np.float32))
    # desired: buy 100 % MktRF = $1tn; cap p_max V D = 0.1 * 30e9 * 5 = $15bn
    cap = cm.participation_cap * cm.capacity_usd[0] * cm.trade_days
    assert cap == pytest.approx(15e9)
    assert info["fill_ratio"] == pytest.approx(cap / 1e12, rel=1e-12)
    assert info["executed_weights"][0] == pytest.approx(cap / 1e12, rel=1e-12)
    assert info["trade_cut_notional"][0] == pytest.approx(1e12 - cap, rel=1e-12)
    participation = 1e12 * info["executed_weights"][0] / (cm.capacity_usd[0] * cm.trade_days)
    assert participation == pytest.approx(cm.participation_cap, rel=1e-12)


# --- 7. capacity: break-even AUM -----------------------------------------------------------
def _break_even(asset, turnover, premium):
    r = _row("central", asset)
    return break_even_aum(
        premium=premium,
        internal_bps=r["h_bps"],
        turnover=turnover,
        legs=r["legs"],
        impact_coef=r["Y"],
        sigma_daily=r["sigma_daily"],
        capacity_usd=r["V_usd"],
        trade_days=PRESET_TABLES["central"]["_shared"]["D"],
    )


def test_break_even_capacity():
    mom = _break_even("Mom", 0.35, 0.006)
    hml = _break_even("HML", 0.04, 0.003)
    assert mom == pytest.approx(15e9, rel=0.05)  # "about $15bn"
    assert hml > 1e13  # "tens of trillions"
    assert mom < hml
    assert 5e9 <= mom <= 320e9  # Korajczyk & Sadka; Ratcliffe et al. (five-day trading)


def test_break_even_edge_cases():
    kw = {"turnover": 0.1, "legs": 2, "sigma_daily": 0.02, "capacity_usd": 1e10, "trade_days": 5}
    assert break_even_aum(premium=0.001, internal_bps=20, impact_coef=0.5, **kw) == 0.0
    assert break_even_aum(premium=0.01, internal_bps=0, impact_coef=0.0, **kw) == math.inf


# --- 8. units ---------------------------------------------------------------------------
def test_units_ten_bp_on_a_unit_trade_is_exactly_1e_3():
    months = pd.period_range("2000-01", periods=4, freq="M")
    panel = FactorPanel(np.full((4, 1), 0.01), 0.0, months, ["X"], kind="total")
    cfg = EnvConfig(costs="zero", cost_bps=10.0, lookback=1, vol_lookback=2, random_start=False)
    env = FactorTimingEnv(panel, config=cfg)
    env.reset()
    _, _, _, _, info = env.step(np.array([1.0], dtype=np.float32))
    assert info["turnover"] == 1.0
    assert info["cost_total"] == 1e-3
    assert info["net_return"] == info["gross_return"] - 1e-3


# --- names, fallbacks, overrides -------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("MktRF", "excess", "Mkt-RF"),
        ("Mkt-RF", "excess", "Mkt-RF"),
        ("mkt_rf", "excess", "Mkt-RF"),
        ("UMD", "excess", "Mom"),
        ("RMW", "excess", "RMW"),
        ("MTUM", "total", "ETF"),
        ("spy", "total", "ETF"),
    ],
)
def test_known_names(name, kind, expected):
    assert asset_class(name, kind) == (expected, True)


def test_unknown_names_fall_back_by_kind_and_are_logged(caplog):
    assert asset_class("STREV", "excess") == ("HML", False)
    assert asset_class("NoDur", "total") == ("ETF", False)
    with caplog.at_level(logging.INFO, logger="factorgym.envs.cost_presets"):
        cm = resolve_cost_model(["NoDur", "Durbl"], "total", EnvConfig())
    assert "no row for ['NoDur', 'Durbl']" in caplog.text
    assert cm.sources == ("generic asset (ETF row)", "generic asset (ETF row)")
    assert np.all(cm.legs == 1) and np.all(cm.internal_bps == 0)


def test_ticker_volume_overrides():
    assert _row("central", "SPY", "total")["V_usd"] == 30e9
    assert _row("central", "IWM", "total")["V_usd"] == 3.5e9
    assert _row("high", "SPY", "total")["V_usd"] == 15e9
    assert _row("central", "MTUM", "total")["V_usd"] == 0.15e9


def test_config_overrides_reach_the_cost_model():
    cfg = EnvConfig(
        cost_bps=(1.0, 2.0),
        internal_bps=3.0,
        impact_coef=0.2,
        sigma_daily=0.03,
        capacity_usd=(1e9, 2e9),
        trade_days=2.0,
        participation_cap=0.5,
    )
    cm = resolve_cost_model(["HML", "Mom"], "excess", cfg)
    np.testing.assert_array_equal(cm.cost_bps, [1.0, 2.0])
    np.testing.assert_array_equal(cm.internal_bps, [3.0, 3.0])
    np.testing.assert_array_equal(cm.impact_coef, [0.2, 0.2])
    np.testing.assert_array_equal(cm.capacity_usd, [1e9, 2e9])
    assert (cm.trade_days, cm.participation_cap) == (2.0, 0.5)
    assert (
        "overrides(cost_bps, internal_bps, sigma_daily, capacity_usd, impact_coef)"
        in (cm.sources[0])
    )
    assert cm.table()[1]["c_bps"] == 2.0


def test_vector_override_of_wrong_length_raises():
    with pytest.raises(ConfigError, match=r"`cost_bps` must be a scalar or have one value per"):
        resolve_cost_model(["HML", "Mom"], "excess", EnvConfig(cost_bps=(1.0, 2.0, 3.0)))


def test_unknown_preset_raises():
    with pytest.raises(ConfigError, match="`costs` must be one of"):
        preset_row("medium", "HML", "excess")
