"""Subperiods, replay-level summaries and break-even levels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation.metrics import sharpe_ratio
from factorgym.evaluation.robustness import (
    BreakEven,
    break_even,
    level_summary,
    subperiod_table,
)
from factorgym.evaluation.run_series import view_from_returns
from factorgym.experiments.units import BENCHMARK


@pytest.mark.parametrize(
    ("levels", "edge", "log", "expected"),
    [
        ([0.0, 1.0, 2.0], [0.2, 0.1, -0.1], False, BreakEven(1.5, "crossed")),
        ([0.0, 0.5, 1.0], [0.3, -0.1, 0.2], False, BreakEven(0.375, "crossed")),  # first crossing
        ([1e7, 1e8], [0.1, -0.1], True, BreakEven(10**7.5, "crossed")),
        ([1e7, 1e8, 1e9], [0.1, 0.0, -0.1], True, BreakEven(1e8, "crossed")),
        ([0.0, 1.0], [-0.1, 0.2], False, BreakEven(float("nan"), "never positive")),
        ([0.0, 4.0], [0.1, 0.2], False, BreakEven(4.0, "positive throughout")),
    ],
)
def test_break_even(levels, edge, log, expected) -> None:
    got = break_even(levels, edge, log=log)
    assert got.status == expected.status
    np.testing.assert_allclose(got.level, expected.level, rtol=1e-12, equal_nan=True)


def test_break_even_descriptions() -> None:
    assert BreakEven(1.5, "crossed").describe("{:.2f}x") == "1.50x"
    assert BreakEven(float("nan"), "never positive").describe().startswith("none")
    assert BreakEven(4.0, "positive throughout").describe() == "> 4 (edge at every level tried)"


def test_break_even_refuses_bad_input() -> None:
    with pytest.raises(DataError, match="must be 1-D of the same non-zero length"):
        break_even([1.0, 2.0], [0.1])
    with pytest.raises(DataError, match=r"`levels` must increase, got \[2.0, 1.0\]"):
        break_even([2.0, 1.0], [0.1, 0.2])
    with pytest.raises(DataError, match="must increase and be > 0"):
        break_even([0.0, 1.0], [0.1, 0.2], log=True)
    with pytest.raises(DataError, match="must be finite"):
        break_even([0.0, 1.0], [0.1, float("nan")])
    with pytest.raises(ConfigError, match="`log` must be True or False, got 1"):
        break_even([0.0, 1.0], [0.1, 0.2], log=1)  # type: ignore[arg-type]


def _replay_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    dates = pd.period_range("2000-01", periods=60, freq="M").to_timestamp(how="end")
    bench = rng.normal(0.006, 0.04, 60)
    active = rng.normal(0.002, 0.01, 60)
    rows = []
    for level, drag in ((1.0, 0.0), (2.0, 0.003)):
        for agent, seed, ret in (
            (BENCHMARK, 0, bench - drag / 3),
            ("x", 0, bench + active - drag),
            ("x", 1, bench + active - drag + 0.001),
        ):
            for d, r in zip(dates, ret, strict=True):
                rows.append(
                    {
                        "fold": 0,
                        "agent": agent,
                        "seed": seed,
                        "path": 0,
                        "level": level,
                        "date": d,
                        "net_return": r,
                        "rf": 0.002,
                        "cost_total": drag,
                        "turnover": 0.1 * level,
                    }
                )
    return pd.DataFrame(rows)


def test_level_summary_against_direct_computation() -> None:
    table = _replay_table()
    out = level_summary(table)
    assert list(out.index.get_level_values("level").unique()) == [1.0, 2.0]
    for level in (1.0, 2.0):
        part = table.loc[table["level"] == level]
        x = part.loc[part["agent"] == "x"].groupby("date")["net_return"].mean().to_numpy()
        b = part.loc[part["agent"] == BENCHMARK, "net_return"].to_numpy()
        sr_x = float(sharpe_ratio(x, rf=0.002))
        sr_b = float(sharpe_ratio(b, rf=0.002))
        row = out.loc[(level, "x")]
        np.testing.assert_allclose(row["sharpe"], sr_x, rtol=1e-12)
        np.testing.assert_allclose(row["sharpe_diff"], sr_x - sr_b, rtol=1e-12)
        np.testing.assert_allclose(row["active_return"], (x - b).mean() * 12, rtol=1e-12)
        np.testing.assert_allclose(row["cost_drag"], part["cost_total"].iloc[0] * 12)
        assert out.loc[(level, BENCHMARK), "sharpe_diff"] == 0.0
    assert out.loc[(2.0, "x"), "sharpe"] < out.loc[(1.0, "x"), "sharpe"]


def test_level_summary_refuses_bad_tables() -> None:
    table = _replay_table()
    with pytest.raises(DataError, match=r"missing \['turnover'\]"):
        level_summary(table.drop(columns="turnover"))
    with pytest.raises(DataError, match="holds no rows of the benchmark"):
        level_summary(table.loc[table["agent"] != BENCHMARK])
    short = table.drop(table.index[(table["agent"] == BENCHMARK) & (table["level"] == 2.0)][:3])
    with pytest.raises(DataError, match="replay level 2: the agents and the benchmark do not"):
        level_summary(short)


def _view(n: int = 48) -> object:
    months = pd.period_range("1988-07", periods=n, freq="M")
    rng = np.random.default_rng(3)
    rows = []
    for agent, mu in ((BENCHMARK, 0.006), ("x", 0.008)):
        for i, m in enumerate(months):
            p0 = 0.8 if (i // 12) % 2 == 0 else 0.3
            rows.append(
                {
                    "agent": agent,
                    "seed": 0,
                    "month": str(m),
                    "net_return": mu + rng.normal(0.0, 0.03),
                    "gross_return": 0.0,
                    "rf": 0.002,
                    "turnover": 0.0,
                    "regime_p0": p0,
                    "regime_p1": 1.0 - p0,
                }
            )
    return view_from_returns(pd.DataFrame(rows))


def test_subperiods_by_decade_and_regime() -> None:
    view = _view()
    out = subperiod_table(view, min_months=12)  # type: ignore[arg-type]
    dec = out.loc[out["split"] == "decade"]
    assert dec.groupby("period")["months"].first().to_dict() == {"1980s": 18, "1990s": 30}
    strict = subperiod_table(view, min_months=24)  # type: ignore[arg-type]
    assert set(strict.loc[strict["split"] == "decade", "period"]) == {"1990s"}
    reg = out.loc[out["split"] == "regime"]
    assert set(reg["period"]) == {"state 0", "state 1"}
    assert reg.groupby("period")["months"].first().sum() == 48
    row = reg.loc[(reg["period"] == "state 0") & (reg["agent"] == "x")].iloc[0]
    mask = (view.regimes["regime_p0"] > 0.5).to_numpy()  # type: ignore[attr-defined]
    x = view.net["x"][mask]  # type: ignore[attr-defined]
    np.testing.assert_allclose(row["sharpe"], float(sharpe_ratio(x, rf=0.002)), rtol=1e-12)
    assert row["sharpe_diff"] == pytest.approx(row["sharpe"] - row["sharpe_1n"])
