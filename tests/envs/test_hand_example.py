"""A three-month example computed by hand (drift, costs, impact, capacity cut) against info.

Panel (tiny_panel): HML and Mom excess returns, rf = 0.1 %/month::

    month    HML     Mom
    2000-01  0.01    0.02
    2000-02 -0.01    0.03
    2000-03  0.02   -0.01
    2000-04  0.03    0.04
    2000-05 -0.02    0.01

Costs: c = (10, 20) bp, h = (5, 40) bp/month, Y = 0.5, sigma = (2 %, 2.5 %), V = ($1bn, $0.5bn),
D = 5 days, p_max = 10 %, both factors long-short (2 legs); AUM $1bn growing with wealth.
With lookback 1 and vol_lookback 2 the first decision is at the end of 2000-02.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from factorgym.envs import EnvConfig, FactorTimingEnv

C = (10e-4, 20e-4)
H = (5e-4, 40e-4)
Y = 0.5
SIGMA = (0.02, 0.025)
V = (1e9, 5e8)
D = 5.0
P_MAX = 0.1
RF = 0.001
X = {"2000-03": (0.02, -0.01), "2000-04": (0.03, 0.04), "2000-05": (-0.02, 0.01)}

CONFIG = EnvConfig(
    action_mode="long_short",
    max_weight=1.0,
    max_gross=2.0,
    cost_bps=(10.0, 20.0),
    internal_bps=(5.0, 40.0),
    impact_coef=Y,
    sigma_daily=SIGMA,
    capacity_usd=V,
    trade_days=D,
    participation_cap=P_MAX,
    aum=1e9,
    aum_grows_with_wealth=True,
    lookback=1,
    vol_lookback=2,
    random_start=False,
    episode_length=None,
)


def _month(drifted, target, wealth, x):
    """One month by hand: COSTS.md formulas with Python floats."""
    aum = 1e9 * wealth
    trade = [target[k] - drifted[k] for k in range(2)]
    # participation cap: the whole rebalance is filled at the largest feasible fraction
    loads = [aum * abs(trade[k]) / (P_MAX * V[k] * D) for k in range(2)]
    fill = min(1.0, 1.0 / max(loads))
    executed = [target[k] - (1 - fill) * trade[k] for k in range(2)]
    dw = [abs(fill * trade[k]) for k in range(2)]
    prop = sum(C[k] * dw[k] for k in range(2))
    internal = sum(H[k] * abs(executed[k]) for k in range(2))
    impact = sum(2 * dw[k] * Y * SIGMA[k] * math.sqrt(aum * dw[k] / (V[k] * D)) for k in range(2))
    gross = RF + sum(executed[k] * x[k] for k in range(2))
    net = gross - prop - internal - impact
    new_drifted = [executed[k] * (1 + RF + x[k]) / (1 + gross) for k in range(2)]
    return {
        "fill": fill,
        "executed": executed,
        "cut": [(1 - fill) * trade[k] for k in range(2)],
        "cut_notional": [aum * abs((1 - fill) * trade[k]) for k in range(2)],
        "prop": prop,
        "internal": internal,
        "impact": impact,
        "gross": gross,
        "net": net,
        "wealth": wealth * (1 + net),
        "drifted": new_drifted,
        "aum": aum,
        "turnover": sum(dw),
    }


def test_three_months_by_hand(tiny_panel):
    env = FactorTimingEnv(tiny_panel, config=CONFIG)
    obs, info = env.reset()
    assert str(info["date"].date()) == "2000-02-29"
    targets = [(0.2, 0.1), (0.4, 0.05), (-0.3, 0.5)]
    drifted, wealth, peak = [0.0, 0.0], 1.0, 1.0
    for month, target in zip(X, targets, strict=True):
        exp = _month(drifted, target, wealth, X[month])
        obs, reward, term, trunc, info = env.step(np.array(target, dtype=np.float64))
        assert str(info["date"].to_period("M")) == month
        np.testing.assert_allclose(info["target_weights"], target, rtol=0, atol=1e-15)
        for key, got in [
            ("fill", info["fill_ratio"]),
            ("prop", info["cost_proportional"]),
            ("internal", info["cost_internal"]),
            ("impact", info["cost_impact"]),
            ("gross", info["gross_return"]),
            ("net", info["net_return"]),
            ("wealth", info["wealth"]),
            ("aum", info["aum"]),
            ("turnover", info["turnover"]),
        ]:
            assert got == pytest.approx(exp[key], rel=1e-12, abs=1e-12), key
        for key, got in [
            ("executed", info["executed_weights"]),
            ("drifted", info["drifted_weights"]),
            ("cut", info["trade_cut"]),
        ]:
            np.testing.assert_allclose(got, exp[key], rtol=0, atol=1e-12, err_msg=key)
        np.testing.assert_allclose(info["trade_cut_notional"], exp["cut_notional"], rtol=1e-12)
        assert info["cost_total"] == pytest.approx(
            exp["prop"] + exp["internal"] + exp["impact"], abs=1e-12
        )
        peak = max(peak, exp["wealth"])
        assert info["drawdown"] == pytest.approx(1 - exp["wealth"] / peak, abs=1e-12)
        assert reward == pytest.approx(math.log1p(exp["net"]), abs=1e-12)
        np.testing.assert_array_equal(obs[-2:], np.asarray(exp["drifted"], dtype=np.float32))
        drifted, wealth = exp["drifted"], exp["wealth"]
    assert trunc and not term


def test_first_month_in_round_numbers(tiny_panel):
    env = FactorTimingEnv(tiny_panel, config=CONFIG)
    env.reset()
    _, _, _, _, info = env.step(np.array([0.2, 0.1]))
    # proportional 10 bp * 0.2 + 20 bp * 0.1 = 4 bp; internal 5 bp * 0.2 + 40 bp * 0.1 = 5 bp
    assert info["cost_proportional"] == pytest.approx(0.0004, abs=1e-15)
    assert info["cost_internal"] == pytest.approx(0.0005, abs=1e-15)
    # impact HML: 2 * 0.2 * 0.5 * 0.02 * sqrt(1e9 * 0.2 / (1e9 * 5)) = 0.004 * 0.2 = 8 bp
    # impact Mom: 2 * 0.1 * 0.5 * 0.025 * sqrt(1e9 * 0.1 / (5e8 * 5)) = 0.0025 * 0.2 = 5 bp
    assert info["cost_impact"] == pytest.approx(0.0013, abs=1e-15)
    # gross 0.001 + 0.2 * 0.02 + 0.1 * -0.01 = 0.4 %; net 0.4 % - 22 bp = 0.18 %
    assert info["gross_return"] == pytest.approx(0.004, abs=1e-15)
    assert info["net_return"] == pytest.approx(0.0018, abs=1e-15)
    assert info["wealth"] == pytest.approx(1.0018, abs=1e-15)
    np.testing.assert_allclose(
        info["drifted_weights"], [0.2 * 1.021 / 1.004, 0.1 * 0.991 / 1.004], atol=1e-15
    )


def test_third_month_is_cut_by_the_participation_cap(tiny_panel):
    env = FactorTimingEnv(tiny_panel, config=CONFIG)
    env.reset()
    infos = [env.step(np.array(t, dtype=np.float64))[4] for t in [(0.2, 0.1), (0.4, 0.05)]]
    assert all(i["fill_ratio"] == 1.0 for i in infos)
    _, _, _, _, info = env.step(np.array([-0.3, 0.5]))
    assert 0.5 < info["fill_ratio"] < 0.6
    # Mom binds: its executed trade uses exactly p_max of V * D
    executed_trade = abs(info["executed_weights"][1] - infos[-1]["drifted_weights"][1])
    assert info["aum"] * executed_trade == pytest.approx(P_MAX * V[1] * D, rel=1e-12)
    assert info["trade_cut_notional"][1] > 0 and info["trade_cut_notional"][0] > 0
