"""Reshaping a run's returns table into agent, trial and benchmark series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from factorgym.errors import DataError
from factorgym.evaluation.run_series import (
    CONTENDER,
    NOT_CONTENDER,
    UPPER_BOUND,
    optional_table,
    run_panel,
    run_view,
    view_from_returns,
)
from factorgym.experiments import load_run
from factorgym.experiments.units import BENCHMARK

MONTHS = [str(m) for m in pd.period_range("2001-01", periods=6, freq="M")]


def _rows(agent: str, seed: int, net: list[float], *, path: int = 0) -> list[dict]:
    return [
        {
            "fold": 0,
            "agent": agent,
            "seed": seed,
            "path": path,
            "month": m,
            "net_return": r,
            "gross_return": r + 0.001,
            "rf": 0.001,
            "turnover": 0.1,
            "cost_proportional": 0.0005,
            "cost_internal": 0.0004,
            "cost_impact": 0.0001,
            "executed_weights:A": 0.5,
            "executed_weights:B": 0.25 + 0.1 * seed,
            "regime_p0": 0.9 if i < 3 else 0.2,
            "regime_p1": 0.1 if i < 3 else 0.8,
        }
        for i, (m, r) in enumerate(zip(MONTHS, net, strict=True))
    ]


def _table() -> pd.DataFrame:
    rows = _rows(BENCHMARK, 0, [0.01, 0.02, -0.01, 0.0, 0.03, 0.01])
    rows += _rows("a", 0, [0.02, 0.00, 0.01, 0.02, 0.01, 0.00])
    rows += _rows("a", 1, [0.00, 0.02, 0.03, 0.00, 0.01, 0.02])
    rows += _rows("peek", 0, [0.05] * 6)
    rows += _rows("b", 0, [0.01, 0.01, 0.01, 0.01, 0.01, 0.01])
    return pd.DataFrame(rows)


LEDGER = pd.DataFrame(
    {
        "agent": [BENCHMARK, "a", "a", "peek", "b"],
        "kind": ["bench", "x:A", "x:A", "agents:HindsightOracle", "x:Fixed"],
        "contender": [False, True, True, False, False],
    }
)


def test_agent_series_average_seeds_and_trials_keep_them() -> None:
    view = view_from_returns(_table(), ledger=LEDGER)
    assert view.agents == ("a", "peek", "b")
    assert list(view.net.columns) == [BENCHMARK, "a", "peek", "b"]
    np.testing.assert_allclose(view.net["a"], [0.01, 0.01, 0.02, 0.01, 0.01, 0.01])
    assert list(view.trials.columns) == ["a/0", "a/1", "peek/0", "b/0"]
    np.testing.assert_allclose(view.trials["a/1"], [0.0, 0.02, 0.03, 0.0, 0.01, 0.02])
    assert view.trial_agent["a/1"] == "a"
    np.testing.assert_allclose(view.rf, 0.001)
    np.testing.assert_allclose(view.gross["a"], view.net["a"] + 0.001)
    np.testing.assert_allclose(view.costs["cost_impact"]["b"], 0.0001)
    np.testing.assert_allclose(view.weights["a"]["B"], 0.30)  # mean of seeds 0.25, 0.35
    np.testing.assert_allclose(view.first_seed_weights["a"]["B"], 0.25)
    assert view.assets == ("A", "B")
    assert list(view.regimes.columns) == ["regime_p0", "regime_p1"]
    assert view.seeds == {BENCHMARK: (0,), "a": (0, 1), "peek": (0,), "b": (0,)}
    assert str(view.months[0]) == "2001-01" and len(view.months) == 6


def test_roles_from_the_ledger_and_the_name() -> None:
    view = view_from_returns(_table(), ledger=LEDGER)
    assert view.roles == {"a": CONTENDER, "peek": UPPER_BOUND, "b": NOT_CONTENDER}
    assert view.contenders == ("a",)
    assert list(view.contender_trials.columns) == ["a/0", "a/1"]
    named = view_from_returns(_table().replace({"agent": {"b": "oracle2"}}))
    assert named.roles["oracle2"] == UPPER_BOUND  # the name alone makes an upper bound
    assert named.roles["peek"] == CONTENDER  # without a ledger, only names "oracle*"


def test_months_an_episode_did_not_earn_count_as_cash() -> None:
    table = _table()
    ruined = table.loc[~((table["agent"] == "b") & (table["month"] >= "2001-05"))]
    view = view_from_returns(ruined, ledger=LEDGER)
    np.testing.assert_allclose(view.trials["b/0"].iloc[-2:], 0.001)
    np.testing.assert_allclose(view.net["b"].iloc[-2:], 0.001)
    assert any("b/0: 2 month(s) without a return" in n for n in view.notes)


def test_bad_tables_are_refused() -> None:
    table = _table()
    with pytest.raises(DataError, match=r"missing \['turnover'\]"):
        view_from_returns(table.drop(columns="turnover"))
    with pytest.raises(DataError, match="hold no rows of the benchmark 'benchmark_1n'"):
        view_from_returns(table.loc[table["agent"] != BENCHMARK])
    gap = table.loc[~((table["agent"] == BENCHMARK) & (table["month"] == "2001-03"))]
    with pytest.raises(DataError, match="the benchmark has no return in 1 month"):
        view_from_returns(gap)
    with pytest.raises(DataError, match=r"`agents` \['ghost'\] have no rows"):
        view_from_returns(table, agents=["a", "ghost"])


def test_run_view_of_a_real_run(tiny_run: Path) -> None:
    results = load_run(tiny_run)
    view = run_view(results)
    assert view.agents == ("fixed", "random", "trend")  # the config's order
    assert view.roles["fixed"] == NOT_CONTENDER  # the stand-in says contender=False
    assert view.contenders == ("random", "trend")
    assert view.trials.shape[1] == 5
    assert not view.net.isna().to_numpy().any()
    assert optional_table(results, "capacity") is None
    panel = run_panel(results.manifest)
    assert panel.content_hash == results.manifest["data"]["content_hash"]


def test_run_panel_refuses_changed_or_missing_data(tiny_run: Path) -> None:
    manifest = load_run(tiny_run).manifest
    changed = {**manifest, "data": {**manifest["data"], "content_hash": "0" * 64}}
    with pytest.raises(DataError, match="the run's data changed since the run"):
        run_panel(changed)
    with pytest.raises(DataError, match="the run's manifest has no data record"):
        run_panel({})
    doc = manifest["config_document"]
    files = {
        **manifest,
        "config_document": {
            **doc,
            "data": {"source": "files", "paths": ["/nonexistent.csv"], "units": "decimal"},
        },
    }
    with pytest.raises(DataError, match="the run's data cannot be loaded again"):
        run_panel(files)


def test_optional_table_is_verified(regime_run: Path) -> None:
    results = load_run(regime_run)
    cap = optional_table(results, "capacity")
    assert cap is not None and set(cap["agent"]) == {BENCHMARK, "fixed", "random", "trend"}
    path = regime_run / "tables" / "capacity.parquet"
    data = path.read_bytes()
    try:
        path.write_bytes(data[:-10])
        with pytest.raises(DataError, match="does not match its recorded SHA-256"):
            optional_table(results, "capacity")
    finally:
        path.write_bytes(data)
