"""Every agent on the embedded French factors: out-of-sample Sharpe, turnover and cost drag.

Train 1949-1979 (the first month an episode can earn is 1950-01: the observation needs 12 months
of returns), validation 1980-1989 (RL early stopping), test 1990-01..2017-03, central costs,
$100m AUM. Every agent runs through ``factorgym.agents.run_allocator`` on the same test months.

- Long-only rules and the RL agents: ``action_mode="long_only"`` (cash allowed).
- Long-short rules (DGU, vol-managed, long-short momentum): ``action_mode="long_short"`` with the
  env's default limits (``|w_k| <= 1``, ``sum |w| <= 2``).
- Rules fed by features (regime switch/state allocation, forecast tilt, PPO+features) see
  ``regime`` (filtered HMM probabilities, ``RegimeFeatures(min_train=60)``), ``forecast`` and
  ``forecast_spread`` (``EnsembleForecaster(("ridge", "lasso", "enet"),
  forecaster=WalkForwardForecaster(min_train_months=60))`` mean and cross-member spread);
  these exist from 1953-12/1955-01, so those agents train from 1955-01 (the test months are
  the same for everyone).

Usage::

    python benchmarks/bench_agents.py [--quick] [--seed 0] [--rl ppo a2c ...]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from factorgym import load
from factorgym.agents import (
    BASELINES,
    RL_AGENTS,
    ForecastTilt,
    SB3Allocator,
    make_allocator,
    run_allocator,
)
from factorgym.envs import ActionSpec, EnvConfig, EnvSpec
from factorgym.forecasts import EnsembleForecaster, WalkForwardForecaster
from factorgym.regimes import RegimeFeatures

TRAIN = ("1950-01", "1979-12")
TRAIN_FEATURES = ("1955-01", "1979-12")
VALIDATION = ("1980-01", "1989-12")
TEST = ("1990-01", "2017-03")
FEATURE_RULES = ("regime_switch", "regime_state_allocation", "forecast_tilt")


def features(panel) -> dict[str, pd.DataFrame]:
    t0 = time.process_time()
    regime = RegimeFeatures(min_train=60).compute(panel)[["regime_p0", "regime_p1"]]
    template = WalkForwardForecaster(min_train_months=60)
    ens = EnsembleForecaster(("ridge", "lasso", "enet"), forecaster=template).fit(panel)
    print(f"features: {time.process_time() - t0:.1f} s CPU")
    return {"regime": regime, "forecast": ens.forecast_, "forecast_spread": ens.uncertainty_}


def mode_of(alloc) -> str:
    if alloc.output != "weights":
        return "long_only"
    lo = ActionSpec.from_config(EnvConfig(), 4)
    return "long_only" if not alloc.weight_bounds(4).mismatches(lo) else "long_short"


def row(name, alloc, spec, train_window, seed) -> dict[str, object]:
    mode = mode_of(alloc)
    spec = spec.replace(action_mode=mode)
    t0 = time.process_time()
    alloc.fit(
        spec.replace(window=train_window),
        validation_env_factory=spec.replace(window=VALIDATION),
        seed=seed,
    )
    fit_s = time.process_time() - t0
    r = run_allocator(alloc, spec.replace(window=TEST))
    s = r.summary()
    return {
        "agent": name,
        "mode": mode,
        "train": f"{train_window[0][:4]}-{train_window[1][:4]}",
        "sharpe": s["sharpe"],
        "mean_excess_%": 100 * s["mean_excess"],
        "vol_%": 100 * s["volatility"],
        "turnover": s["turnover"],
        "cost_drag_%": 100 * s["cost_drag"],
        "max_dd_%": 100 * s["max_drawdown"],
        "fit_cpu_s": fit_s,
        "contender": r.contender,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rl", nargs="*", default=list(RL_AGENTS))
    parser.add_argument("--quick", action="store_true", help="tiny RL budgets (smoke run)")
    args = parser.parse_args()

    panel = load("french")
    feats = features(panel)
    plain = EnvSpec(panel, {}, EnvConfig(costs="central"))
    with_features = EnvSpec(panel, feats, EnvConfig(costs="central"))
    rows = []
    for name in BASELINES:
        if name in FEATURE_RULES:
            continue
        rows.append(row(name, make_allocator(name), plain, TRAIN, args.seed))
    rows.append(
        row(
            "regime_switch",
            make_allocator("regime_switch"),
            with_features,
            TRAIN_FEATURES,
            args.seed,
        )
    )
    rows.append(
        row(
            "regime_state_allocation",
            make_allocator("regime_state_allocation"),
            with_features,
            TRAIN_FEATURES,
            args.seed,
        )
    )
    rows.append(
        row(
            "forecast_tilt",
            ForecastTilt(uncertainty_block="forecast_spread"),
            with_features,
            TRAIN_FEATURES,
            args.seed,
        )
    )
    budget = {"total_timesteps": 2048} if args.quick else {}
    for algo in args.rl:
        rows.append(row(algo, SB3Allocator(algo, **budget), plain, TRAIN, args.seed))
        print(f"{algo}: done ({rows[-1]['fit_cpu_s']:.1f} s CPU)", flush=True)
    if "ppo" in args.rl:
        rows.append(
            row(
                "ppo+features",
                SB3Allocator("ppo", name="ppo+features", **budget),
                with_features,
                TRAIN_FEATURES,
                args.seed,
            )
        )
        rows.append(
            row("ppo_x3", SB3Allocator("ppo", n_seeds=3, **budget), plain, TRAIN, args.seed)
        )
    table = pd.DataFrame(rows).set_index("agent")
    pd.set_option("display.width", 200)
    print(f"\nOut of sample {TEST[0]}..{TEST[1]}, central costs, seed {args.seed}")
    print(
        "(turnover: mean monthly one-way; cost drag: annual; hindsight_oracle is an upper bound)\n"
    )
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
