"""Replaying recorded decisions at other AUM and cost levels (experiments/replay.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from exp_testing import STANDIN, tiny_config_text

from factorgym.envs.action_maps import InvalidActionError
from factorgym.envs.config import EnvConfig
from factorgym.envs.env_spec import EnvSpec
from factorgym.errors import ConfigError, DataError
from factorgym.experiments import parse_config, plan_experiment, run_experiment
from factorgym.experiments.replay import (
    DEFAULT_AUM_LEVELS,
    DEFAULT_COST_MULTIPLIERS,
    REPLAY_COLUMNS,
    replay_decisions,
    replay_run,
    replay_unit,
    scaled_cost_spec,
)
from factorgym.panel import FactorPanel

AGENTS = f"""
[agents.random]
kind = "{STANDIN}:RandomWeights"
concentration = 2.0

[agents.trend]
kind = "{STANDIN}:TrendFollower"
learning_rate = 0.5
seeds = [0]
"""
KEYS = ["fold", "agent", "seed", "path", "date"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    """A finished tiny run (4 folds; 1/N, random x 2 seeds, trend) and its plan."""
    root = tmp_path_factory.mktemp("replay")
    config = parse_config(tomllib.loads(tiny_config_text(root / "runs", agents=AGENTS)))
    plan = plan_experiment(config)
    results = run_experiment(config, run_dir=root / "run", plan=plan)
    return results, plan


@pytest.fixture(scope="module")
def tables(run) -> dict[str, pd.DataFrame]:
    results, _ = run
    return replay_run(results.run_dir)


def _unit(results, fold: int, agent: str, seed: int) -> pd.DataFrame:
    r = results.returns
    return r.loc[(r["fold"] == fold) & (r["agent"] == agent) & (r["seed"] == seed)]


def test_tables_have_every_unit_level_and_month(run, tables) -> None:
    results, _ = run
    n_rows = len(results.returns)
    for name, levels in (
        ("capacity", DEFAULT_AUM_LEVELS),
        ("cost_sensitivity", DEFAULT_COST_MULTIPLIERS),
    ):
        frame = tables[name]
        assert list(frame.columns[:5]) == ["fold", "agent", "seed", "path", "level"]
        assert list(frame.columns[5:]) == list(REPLAY_COLUMNS)
        assert len(frame) == n_rows * len(levels)
        assert sorted(frame["level"].unique()) == sorted(levels)
        counts = frame.groupby(["fold", "agent", "seed", "level"]).size()
        assert counts.nunique() <= results.folds["fold"].nunique()  # one count per fold length


def test_replay_at_the_runs_own_settings_gives_back_the_recorded_months(run, tables) -> None:
    results, _ = run
    recorded = results.returns[KEYS + ["net_return", "cost_total", "turnover"]]
    for name, level in (("capacity", 1e8), ("cost_sensitivity", 1.0)):  # the run's AUM, costs
        frame = tables[name]
        same = frame.loc[frame["level"] == level, KEYS + ["net_return", "cost_total", "turnover"]]
        merged = recorded.merge(same, on=KEYS, suffixes=("", "_replay"), validate="1:1")
        assert len(merged) == len(recorded)
        for col in ("net_return", "cost_total", "turnover"):
            np.testing.assert_allclose(merged[f"{col}_replay"], merged[col], rtol=0, atol=1e-12)


def test_cost_multiplier_scales_proportional_and_internal_costs_only(tables) -> None:
    frame = tables["cost_sensitivity"].set_index(KEYS)
    base = frame.loc[frame["level"] == 1.0]
    assert (base["cost_proportional"] > 0).any() and (base["cost_internal"] > 0).any()
    for m in DEFAULT_COST_MULTIPLIERS:
        at = frame.loc[frame["level"] == m].reindex(base.index)
        # the trades do not depend on costs (drift uses the gross return): same turnover
        np.testing.assert_array_equal(at["turnover"], base["turnover"])
        np.testing.assert_allclose(
            at["cost_proportional"], m * base["cost_proportional"], atol=1e-15
        )
        np.testing.assert_allclose(at["cost_internal"], m * base["cost_internal"], atol=1e-15)
        np.testing.assert_array_equal(at["cost_impact"], base["cost_impact"])
        expected = base["gross_return"] - m * (base["cost_proportional"] + base["cost_internal"])
        np.testing.assert_allclose(at["net_return"], expected - base["cost_impact"], atol=1e-14)


def test_impact_grows_as_the_square_root_of_aum_while_no_trade_is_cut(tables) -> None:
    frame = tables["capacity"].set_index(KEYS)
    small = frame.loc[frame["level"] == 1e7]
    large = frame.loc[frame["level"] == 1e8].reindex(small.index)
    assert (small["fill_ratio"] == 1.0).all() and (large["fill_ratio"] == 1.0).all()
    traded = small["cost_impact"] > 0
    assert traded.sum() > 50
    ratio = large.loc[traded, "cost_impact"] / small.loc[traded, "cost_impact"]
    np.testing.assert_allclose(ratio, np.sqrt(10.0), rtol=1e-12)


def test_the_participation_cap_cuts_trades_at_100bn(tables) -> None:
    frame = tables["capacity"]
    huge = frame.loc[(frame["level"] == 1e11) & (frame["agent"] == "random")]
    assert (huge["fill_ratio"] < 1.0).any()
    small = frame.loc[(frame["level"] == 1e7) & (frame["agent"] == "random")]
    assert huge["turnover"].sum() < small["turnover"].sum()


def test_replay_unit_is_what_the_runner_calls_per_unit(run, tables) -> None:
    results, plan = run
    records = _unit(results, 2, "random", 1).drop(columns=["month", "benchmark_net_return"])
    out = replay_unit(plan.folds[2], records, aum_levels=(1e9,), cost_multipliers=(0.0, 2.0))
    cap = out["capacity"]
    assert set(cap["level"]) == {1e9} and len(cap) == len(records)
    assert sorted(out["cost_sensitivity"]["level"].unique()) == [0.0, 2.0]
    full = tables["capacity"]
    same = full.loc[
        (full["fold"] == 2)
        & (full["agent"] == "random")
        & (full["seed"] == 1)
        & (full["level"] == 1e9)
    ]
    np.testing.assert_array_equal(cap["net_return"].to_numpy(), same["net_return"].to_numpy())


def test_changed_records_are_refused(run) -> None:
    results, plan = run
    records = _unit(results, 1, "trend", 0).copy()
    records.loc[records.index[5], "net_return"] += 1e-6
    with pytest.raises(DataError, match="does not reproduce the recorded net returns"):
        replay_unit(plan.folds[1], records)


def test_records_of_another_fold_or_several_units_are_refused(run) -> None:
    results, plan = run
    records = _unit(results, 1, "trend", 0)
    with pytest.raises(DataError, match="are of fold 1, `envs` of fold 0"):
        replay_unit(plan.folds[0], records)
    both = pd.concat([records, _unit(results, 1, "random", 0)])
    with pytest.raises(DataError, match="must hold one unit; column 'agent'"):
        replay_unit(plan.folds[1], both)
    with pytest.raises(DataError, match="must have a 'seed' column"):
        replay_unit(plan.folds[1], records.drop(columns="seed"))
    with pytest.raises(DataError, match="must hold the recorded target weights"):
        replay_unit(plan.folds[1], records.drop(columns="target_weights:SMB"))
    wrong_path = records.assign(path=3)
    with pytest.raises(DataError, match="hold no month of the test window"):
        replay_unit(plan.folds[1], wrong_path)
    shifted = records.assign(
        decision_date=pd.to_datetime(records["decision_date"]) - pd.offsets.MonthEnd(1)
    )
    with pytest.raises(DataError, match="the records do not belong to this window"):
        replay_unit(plan.folds[1], shifted)


def test_bad_levels_are_refused(run) -> None:
    results, plan = run
    records = _unit(results, 0, "trend", 0)
    with pytest.raises(ConfigError, match=r"`cost_multipliers\[1\]` must be a finite number >= 0"):
        replay_unit(plan.folds[0], records, cost_multipliers=(1.0, -0.5))
    with pytest.raises(ConfigError, match=r"`aum_levels\[0\]` must be a finite number >= 1"):
        replay_unit(plan.folds[0], records, aum_levels=(0.5,))
    with pytest.raises(ConfigError, match="`multiplier` must be a finite number >= 0"):
        scaled_cost_spec(plan.folds[0].tests[0].spec, float("nan"))


def test_scaled_cost_spec_multiplies_the_resolved_preset(run) -> None:
    _, plan = run
    spec = plan.folds[0].tests[0].spec
    base = spec().cost_model
    scaled = scaled_cost_spec(spec, 2.5)().cost_model
    np.testing.assert_allclose(scaled.cost_bps, 2.5 * base.cost_bps)
    np.testing.assert_allclose(scaled.internal_bps, 2.5 * base.internal_bps)
    np.testing.assert_array_equal(scaled.impact_coef, base.impact_coef)
    assert base.cost_bps.min() > 0 and len(set(base.cost_bps.tolist())) > 1  # per asset


def _crash_spec() -> EnvSpec:
    months = pd.period_range("2000-01", periods=12, freq="M")
    returns = np.full((12, 2), 0.01)
    returns[8, 0] = -0.995  # asset A loses everything in 2000-09
    panel = FactorPanel(returns, 0.0, months, ["A", "B"], kind="excess")
    config = EnvConfig(costs="zero", lookback=1, vol_lookback=2, window=("2000-04", "2000-12"))
    return EnvSpec(panel, {}, config)


def test_a_replay_stops_at_ruin_like_the_env() -> None:
    spec = _crash_spec()
    w = np.tile([1.0, 0.0], (9, 1))
    out = replay_decisions(spec, w, seed=0)
    assert list(out.columns) == list(REPLAY_COLUMNS)
    assert len(out) == 6  # 2000-04 .. 2000-09, then ruin
    assert pd.Timestamp(out["date"].iloc[-1]).strftime("%Y-%m") == "2000-09"
    spread = replay_decisions(spec, np.tile([0.5, 0.5], (9, 1)))
    assert len(spread) == 9


def test_replay_decisions_refuses_bad_input() -> None:
    spec = _crash_spec()
    with pytest.raises(DataError, match=r"must have shape \(n_months, 2\), got \(9, 3\)"):
        replay_decisions(spec, np.full((9, 3), 0.2))
    with pytest.raises(DataError, match="has 10 rows but the window"):
        replay_decisions(spec, np.full((10, 2), 0.5))
    with pytest.raises(DataError, match="one date per row of `target_weights` \\(9\\), got 2"):
        replay_decisions(spec, np.full((9, 2), 0.5), decision_dates=["2000-03-31", "2000-04-30"])
    with pytest.raises(ConfigError, match="`spec` must be an EnvSpec, got dict"):
        replay_decisions({}, np.full((9, 2), 0.5))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`seed` must be an int >= 0, got -1"):
        replay_decisions(spec, np.full((9, 2), 0.5), seed=-1)
    with pytest.raises(InvalidActionError, match="infeasible"):
        replay_decisions(spec, np.full((9, 2), 0.8))


def test_replay_run_refuses_an_incomplete_run(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="results file missing"):
        replay_run(tmp_path)


def test_cpcv_paths_are_replayed_window_by_window(tmp_path: Path) -> None:
    text = tiny_config_text(tmp_path / "runs", agents=AGENTS)
    text = text.replace(
        'method = "walk_forward"\ntrain_size = 60\nvalidation_size = 12\ntest_size = 48\npurge = 1',
        'method = "cpcv"\nn_groups = 4\nn_test_groups = 2\npurge = 1\nembargo = 1',
    )
    assert 'method = "cpcv"' in text
    config = parse_config(tomllib.loads(text))
    results = run_experiment(config, run_dir=tmp_path / "run")
    assert results.returns["path"].nunique() == 3  # C(4,2) = 6 splits, 3 backtest paths
    tables = replay_run(
        results.run_dir, aum_levels=(1e8,), cost_multipliers=(1.0,)
    )  # the run's own settings: every month of every path comes back
    keys = [*KEYS]
    for name in ("capacity", "cost_sensitivity"):
        merged = results.returns[keys + ["net_return"]].merge(
            tables[name][keys + ["net_return"]], on=keys, suffixes=("", "_replay"), validate="1:1"
        )
        assert len(merged) == len(results.returns)
        np.testing.assert_allclose(merged["net_return_replay"], merged["net_return"], atol=1e-12)
