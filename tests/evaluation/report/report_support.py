"""Helpers of the report tests: small runs through the real runner, planted-signal markets.

On ``sys.path`` through this folder's conftest. The runs use the stand-in allocators of
``tests/experiments/helpers`` and :class:`LastMonthTilt` below.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from factorgym.envs.env_spec import EnvSpec
from factorgym.experiments import load_run, parse_config, run_experiment
from factorgym.experiments.replay import replay_run
from factorgym.experiments.results_store import read_manifest, write_manifest, write_table

STANDIN = "factorgym_standins"
HERE_MODULE = "report_support"

DEFAULT_AGENTS = f"""
[agents.fixed]
kind = "{STANDIN}:FixedWeights"
seeds = [0]

[agents.random]
kind = "{STANDIN}:RandomWeights"
concentration = 2.0

[agents.trend]
kind = "{STANDIN}:TrendFollower"
learning_rate = 0.5
"""


class LastMonthTilt:
    """Long-only: equal weights in the assets whose last month beat their training mean.

    A legitimate timing rule (it reads the point-in-time history only); it earns an edge over
    1/N exactly when returns are positively autocorrelated.
    """

    name = "last_month_tilt"
    output = "weights"
    contender = True

    def __init__(self, invest: float = 0.999) -> None:
        self.invest = float(invest)

    @property
    def params(self) -> dict[str, Any]:
        return {"invest": self.invest}

    def fit(
        self,
        train_env_factory: EnvSpec,
        *,
        validation_env_factory: EnvSpec | None = None,
        seed: int | None = None,
    ) -> LastMonthTilt:
        lo, hi = train_env_factory.config.window
        self.mean_ = train_env_factory.panel.slice(lo, hi).returns.mean(axis=0)
        return self

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        last = info["history"].excess[-1]
        w = (last > self.mean_).astype(float)
        if w.sum() == 0:
            w[:] = 1.0
        return w / w.sum() * self.invest


def config_text(
    out: Path,
    *,
    data: str,
    agents: str = DEFAULT_AGENTS,
    regimes: bool = False,
    seeds: str = "[0, 1]",
    train_size: int = 60,
    test_size: int = 48,
    costs: str = "central",
) -> str:
    regime_table = (
        "\n[features.regimes]\nn_states = 2\nmin_train = 60\nrefit_every = 12\n" if regimes else ""
    )
    return f"""
name = "reporttest"
description = "report test experiment"
seeds = {seeds}

{data}

[env]
costs = "{costs}"
lookback = 6
vol_lookback = 6
{regime_table}
[splits]
method = "walk_forward"
train_size = {train_size}
validation_size = 12
test_size = {test_size}
purge = 1

[output]
directory = "{out.parent}"
replay = false      # the tests add the replay tables themselves (add_replay_tables)
report = false      # and write the report they test
{agents}
"""


def synthetic_data(n_months: int = 240, seed: int = 7) -> str:
    return f"""[data]
source = "synthetic"
n_months = {n_months}
n_assets = 3
seed = {seed}"""


def make_run(
    root: Path,
    *,
    regimes: bool = False,
    n_months: int = 240,
    agents: str = DEFAULT_AGENTS,
    data: str | None = None,
    seeds: str = "[0, 1]",
    costs: str = "central",
) -> Path:
    """Run a small experiment into ``root`` and return it."""
    text = config_text(
        root,
        data=data or synthetic_data(n_months),
        agents=agents,
        regimes=regimes,
        seeds=seeds,
        costs=costs,
    )
    config = parse_config(tomllib.loads(text), name="reporttest")
    run_experiment(config, run_dir=root)
    return root


def add_replay_tables(root: Path) -> None:
    """Replay a run and list its capacity / cost tables in the manifest (as the runner will)."""
    tables = replay_run(root)
    manifest = read_manifest(root)
    for name, frame in tables.items():
        rel = f"tables/{name}.parquet"
        sha = write_table(frame, root / rel)
        manifest["tables"][name] = {"path": rel, "sha256": sha, "rows": len(frame)}
    write_manifest(root, manifest)
    load_run(root)


def ar1_market_csv(path: Path, *, seed: int, phi: float, n_months: int = 300) -> Path:
    """Four excess-return series, ``x_t = mu + phi (x_{t-1} - mu) + e_t``, as a tidy CSV.

    ``phi = 0``: independent months, no signal in the past; ``phi > 0``: momentum that
    :class:`LastMonthTilt` can time.
    """
    rng = np.random.default_rng(seed)
    mu, sigma = 0.005, 0.04
    e = rng.normal(0.0, sigma * np.sqrt(1.0 - phi**2), size=(n_months, 4))
    x = np.empty_like(e)
    x[0] = mu + rng.normal(0.0, sigma, 4)
    for t in range(1, n_months):
        x[t] = mu + phi * (x[t - 1] - mu) + e[t]
    dates = pd.period_range("1980-01", periods=n_months, freq="M").to_timestamp(how="end")
    frame = pd.DataFrame(x, columns=["A", "B", "C", "D"])
    frame.insert(0, "date", dates.strftime("%Y-%m-%d"))
    frame.to_csv(path, index=False)
    return path


def files_data(path: Path) -> str:
    return f"""[data]
source = "files"
paths = ["{path}"]
units = "decimal"
kind = "excess"
rf = 0.002"""


PIPELINE_AGENTS = f"""
[agents.random]
kind = "{STANDIN}:RandomWeights"
concentration = 2.0

[agents.trend]
kind = "{STANDIN}:TrendFollower"
learning_rate = 0.5

[agents.tilt]
kind = "{HERE_MODULE}:LastMonthTilt"
seeds = [0]
"""
