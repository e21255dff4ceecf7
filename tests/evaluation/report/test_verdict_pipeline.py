"""The verdict through the whole pipeline: no signal -> no winner; a planted signal -> found.

Each run goes through the real runner (purged walk-forward folds, the env, the 1/N benchmark
unit, the results store) on a market written as a tidy CSV:
``x_t = mu + phi (x_{t-1} - mu) + e_t`` for four assets, 300 months, one market per seed.
The agents: two stand-ins without an edge (random weights, 2 seeds; a trend follower, 2 seeds)
and ``LastMonthTilt`` (equal weights in the assets whose last month beat their training mean),
which can exploit ``phi > 0`` and cannot do anything useful when ``phi = 0``. The no-signal
markets are frictionless (no agent loses to 1/N by its costs alone: the deflation has to do
the work); the planted-signal markets pay the central costs. The verdict is computed by the
report's own code from the stored tables.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import report_support as rs

from factorgym.evaluation.run_series import run_view
from factorgym.evaluation.significance import assess_significance
from factorgym.evaluation.verdict import decide
from factorgym.experiments import load_run

N_SEEDS = 20


def _verdict(folder: Path, seed: int, phi: float, costs: str):
    csv = rs.ar1_market_csv(folder / f"market-{seed}.csv", seed=seed, phi=phi)
    root = rs.make_run(
        folder / f"run-{seed}", data=rs.files_data(csv), agents=rs.PIPELINE_AGENTS, costs=costs
    )
    view = run_view(load_run(root))
    sig = assess_significance(
        view.net[list(view.agents)],
        view.benchmark,
        view.rf,
        view.contender_trials,
        contenders=view.contenders,
        roles=view.roles,
        reps=300,
        seed=0,
    )
    assert sig.n_trials == 5  # random x 2, trend x 2, tilt: every seed counted
    return decide(sig)


@pytest.mark.slow
def test_no_signal_no_winner_in_most_seeds(tmp_path: Path) -> None:
    # frictionless: the agents do not lose to 1/N by their costs; the rule has to do the work
    winners = [bool(_verdict(tmp_path, s, 0.0, "zero").significant) for s in range(N_SEEDS)]
    rate = sum(winners) / N_SEEDS
    assert rate <= 0.05, f"{sum(winners)} of {N_SEEDS} no-signal markets declared a winner"


@pytest.mark.slow
def test_a_planted_signal_is_found_in_most_seeds(tmp_path: Path) -> None:
    found = []
    for seed in range(N_SEEDS):
        verdict = _verdict(tmp_path, seed, 0.4, "central")
        assert set(verdict.significant) <= {"tilt"}  # never a stand-in without an edge
        found.append(verdict.significant == ("tilt",))
    rate = sum(found) / N_SEEDS
    assert rate >= 0.8, f"the planted signal was found in {sum(found)} of {N_SEEDS} markets"
