"""The significance table and the verdict on hand-built results (planted winner, pure noise)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation.significance import (
    SIGNIFICANCE_COLUMNS,
    assess_significance,
    pbo_partitions,
)
from factorgym.evaluation.verdict import DecisionRule, decide

RF = 0.002
T = 240


def _months(n: int = T) -> pd.PeriodIndex:
    return pd.period_range("1990-01", periods=n, freq="M")


def _results(
    seed: int,
    *,
    edge: float = 0.0,
    n_noise: int = 2,
    seeds: int = 2,
    oracle: bool = False,
    same: bool = False,
    n: int = T,
    mu: float = 0.005,
) -> dict[str, object]:
    """Benchmark + agents whose returns are 1/N's plus active noise (+ ``edge`` for 'winner')."""
    rng = np.random.default_rng(seed)
    idx = _months(n)
    bench = pd.Series(RF + mu + rng.normal(0.0, 0.04, n), index=idx, name="1/N")
    trials = {}
    agents = {}
    names = [f"noise{i}" for i in range(n_noise)] + (["winner"] if edge else [])
    for name in names:
        common = rng.normal(0.0, 0.008, n)
        cols = []
        for s in range(seeds):
            active = common + rng.normal(0.0, 0.004, n) + (edge if name == "winner" else 0.0)
            col = bench + active
            trials[f"{name}/{s}"] = col
            cols.append(col)
        agents[name] = sum(cols) / len(cols)
    if same:
        agents["equal_weight"] = bench.copy()
        trials["equal_weight/0"] = bench.copy()
    contenders = list(agents)
    roles = {}
    if oracle:
        agents["oracle"] = bench + 0.02 + rng.normal(0.0, 0.002, n)
        roles["oracle"] = "upper bound"
    return {
        "net": pd.DataFrame(agents),
        "benchmark": bench,
        "rf": pd.Series(RF, index=idx),
        "trials": pd.DataFrame(trials),
        "contenders": contenders,
        "roles": roles,
    }


def _assess(d: dict[str, object], **kw: object):
    return assess_significance(
        d["net"],  # type: ignore[arg-type]
        d["benchmark"],  # type: ignore[arg-type]
        d["rf"],  # type: ignore[arg-type]
        d["trials"],  # type: ignore[arg-type]
        contenders=d["contenders"],  # type: ignore[arg-type]
        roles=d["roles"],  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_a_planted_winner_is_declared_significant() -> None:
    d = _results(0, edge=0.006)
    sig = _assess(d, reps=300)
    verdict = decide(sig)
    assert verdict.significant == ("winner",)
    assert verdict.best == "winner"
    row = sig.table.loc["winner"]
    assert row["sharpe_diff_p_holm"] < 0.001 and row["dsr_vs_1n"] > 0.99
    assert sig.spa_pvalue < 0.01
    assert bool(verdict.checks.loc["winner", "significant"])
    assert not verdict.checks.loc[["noise0", "noise1"], "significant"].any()
    text = verdict.text
    assert text.startswith("An agent beats 1/N after the same costs")
    assert "winner (Sharpe" in text and "SPA p" in text and "with 6 trials" in text
    assert f"{row['sharpe']:.2f} vs {row['sharpe_1n']:.2f}" in text


def test_noise_is_not_significant() -> None:
    d = _results(1, edge=0.0, n_noise=3)
    sig = _assess(d, reps=300)
    verdict = decide(sig)
    assert verdict.significant == ()
    assert verdict.text.startswith("No agent beats 1/N after the same costs")
    best = verdict.best
    assert best == sig.table["sharpe"].astype(float).idxmax()
    assert f"best is {best}, Sharpe {sig.table.loc[best, 'sharpe']:.2f}" in verdict.text
    assert "with 6 trials" in verdict.text and "fails:" in verdict.text


def test_false_positive_rate_on_simulated_noise_is_small() -> None:
    """40 noise runs (3 agents x 2 seeds each) through the same verdict code."""
    hits = 0
    for seed in range(40):
        sig = _assess(_results(100 + seed, n_noise=3, n=120), reps=100)
        hits += bool(decide(sig).significant)
    assert hits <= 2  # the rule is conservative: <= 5 % of runs


def test_upper_bounds_are_shown_but_never_in_the_verdict() -> None:
    d = _results(2, oracle=True)
    sig = _assess(d, reps=200)
    table = sig.table
    assert table.loc["oracle", "role"] == "upper bound"
    assert np.isnan(table.loc["oracle", "sharpe_diff_p_holm"])
    assert table.loc["oracle", "sharpe_diff_p"] < 1e-6  # it would "win" if it counted
    assert "oracle" not in sig.spa.agents  # type: ignore[union-attr]
    assert sig.n_trials == 4  # its trials are not counted either
    verdict = decide(sig)
    assert verdict.significant == ()
    assert verdict.upper_bounds == ("oracle",)
    assert "Not in the verdict: oracle (upper bound, Sharpe" in verdict.text


def test_an_agent_identical_to_the_benchmark_cannot_win() -> None:
    d = _results(3, edge=0.006, same=True)
    sig = _assess(d, reps=200)
    row = sig.table.loc["equal_weight"]
    assert row["role"] == "same as 1/N"
    assert row["sharpe_diff"] == 0.0 and row["sharpe_diff_p"] == 1.0
    assert "equal_weight" not in sig.spa.agents  # type: ignore[union-attr]
    assert sig.n_trials == 7  # but it was tried, so it counts
    assert decide(sig).significant == ("winner",)


def test_every_condition_of_the_rule_is_necessary() -> None:
    sig = _assess(_results(4, edge=0.006), reps=200)
    assert decide(sig).significant == ("winner",)
    weak_dsr = sig.table.copy()
    weak_dsr.loc["winner", "dsr_vs_1n"] = 0.94
    assert decide(dataclasses.replace(sig, table=weak_dsr)).significant == ()
    weak_p = sig.table.copy()
    weak_p.loc["winner", "sharpe_diff_p_holm"] = 0.051
    assert decide(dataclasses.replace(sig, table=weak_p)).significant == ()
    weak_spa = dataclasses.replace(sig.spa, spa_consistent=0.06)  # type: ignore[type-var]
    verdict = decide(dataclasses.replace(sig, spa=weak_spa))
    assert verdict.significant == ()
    assert "fails: SPA" in verdict.text
    lenient = DecisionRule(level=0.06, min_dsr=0.9, spa_level=0.1)
    assert decide(dataclasses.replace(sig, spa=weak_spa), lenient).significant == ("winner",)


def test_more_trials_deflate_more() -> None:
    d = _results(5, edge=0.002)
    base = _assess(d, reps=50)
    more = _assess(d, reps=50, n_extra_trials=200)
    assert more.n_trials == base.n_trials + 200 and more.n_trials_extra == 200
    assert more.sr0_active > base.sr0_active
    assert more.table.loc["winner", "dsr_vs_1n"] < base.table.loc["winner", "dsr_vs_1n"]
    assert "200 declared outside the run" in decide(more).text


def test_table_columns_and_one_sided_pvalues() -> None:
    d = _results(6, edge=-0.004)  # "winner" is a loser here
    sig = _assess(d, reps=100)
    assert tuple(sig.table.columns) == SIGNIFICANCE_COLUMNS
    row = sig.table.loc["winner"]
    assert row["sharpe_diff"] < 0 and row["sharpe_diff_p"] > 0.99 and row["nw_p"] > 0.99
    assert row["sharpe_ci_low"] < row["sharpe"] < row["sharpe_ci_high"]
    assert row["sharpe_diff_ci_low"] < row["sharpe_diff"] < row["sharpe_diff_ci_high"]
    assert not row["passes_hlz"]
    holm = sig.table.loc[d["contenders"], "sharpe_diff_p_holm"]  # type: ignore[index]
    raw = sig.table.loc[d["contenders"], "sharpe_diff_p"]  # type: ignore[index]
    assert (holm >= raw - 1e-15).all()
    assert sig.pbo is not None and 0.0 <= sig.pbo.pbo <= 1.0
    assert sig.pbo.n_partitions == 16


def test_no_contender_gives_a_verdict_that_says_so() -> None:
    d = _results(7, oracle=True)
    d["contenders"] = []
    d["roles"] = {"noise0": "not a contender", "noise1": "not a contender", "oracle": "upper bound"}
    sig = _assess(d, reps=50)
    verdict = decide(sig)
    assert verdict.best is None and verdict.significant == ()
    assert verdict.text.startswith("No contender in this run")
    assert "SPA: no contender differs from 1/N" in sig.notes


def test_one_trial_is_not_deflated_and_says_so() -> None:
    d = _results(8, n_noise=1, seeds=1)
    sig = _assess(d, reps=50)
    assert sig.n_trials == 1 and sig.sr0 == 0.0
    assert any("one trial" in n for n in sig.notes)
    assert sig.pbo is None


def test_bad_input_is_refused() -> None:
    d = _results(9)
    with pytest.raises(DataError, match="`benchmark` must be indexed by the months of `net`"):
        assess_significance(
            d["net"], d["benchmark"].iloc[1:], d["rf"], d["trials"], contenders=["noise0"]
        )
    short = {
        k: (v.iloc[:7] if isinstance(v, (pd.Series, pd.DataFrame)) else v) for k, v in d.items()
    }
    with pytest.raises(DataError, match="must hold >= 8 months for the tests, got 7"):
        _assess(short)
    with pytest.raises(DataError, match=r"`contenders` \['ghost'\] are not columns of `net`"):
        assess_significance(d["net"], d["benchmark"], d["rf"], d["trials"], contenders=["ghost"])
    with pytest.raises(ConfigError, match="`n_extra_trials` must be an int >= 0, got -1"):
        _assess(d, n_extra_trials=-1)
    with pytest.raises(ConfigError, match="`size` must be a finite number > 0 and < 1, got 1.5"):
        _assess(d, size=1.5)
    with pytest.raises(ConfigError, match="`reps` must be an int >= 10, got 5"):
        _assess(d, reps=5)


def test_decision_rule_thresholds_are_checked() -> None:
    with pytest.raises(ConfigError, match="`level` must be a finite number > 0 and < 1, got 0"):
        DecisionRule(level=0)
    with pytest.raises(ConfigError, match="`min_dsr` must be a finite number > 0 and < 1, got 1.2"):
        DecisionRule(min_dsr=1.2)
    rule = DecisionRule()
    text = rule.describe()
    assert "Holm-adjusted" in text and "> 0.95" in text and "SPA" in text


@pytest.mark.parametrize(
    ("n", "expected"), [(0, None), (7, None), (8, 2), (31, 6), (64, 16), (600, 16)]
)
def test_pbo_partitions(n: int, expected: int | None) -> None:
    assert pbo_partitions(n) == expected


def test_a_levered_agent_explains_an_spa_rejection_without_a_winner() -> None:
    d = _results(11, n_noise=2, mu=0.012)  # 1/N with a t-stat of ~4.6: leverage pays in mean
    bench = d["benchmark"]
    levered = 2.0 * (bench - RF) + RF  # twice 1/N's excess return: same Sharpe, higher mean
    d["net"]["levered"] = levered  # type: ignore[index]
    d["trials"]["levered/0"] = levered  # type: ignore[index]
    d["contenders"] = [*d["contenders"], "levered"]  # type: ignore[misc]
    sig = _assess(d, reps=300)
    verdict = decide(sig)
    assert sig.spa_pvalue < 0.05 and "levered" in sig.spa.superior  # type: ignore[union-attr]
    assert abs(sig.table.loc["levered", "sharpe_diff"]) < 1e-9
    assert sig.table.loc["levered", "sharpe_diff_p"] == 1.0
    assert any("levered: the Sharpe-difference statistic is undefined" in n for n in sig.notes)
    assert verdict.significant == ()
    assert "SPA rejects on mean net returns only: StepM names levered (fails: Sharpe" in (
        verdict.text
    )
