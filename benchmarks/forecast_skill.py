"""Out-of-sample skill of the walk-forward forecasts on the embedded Ken French factors.

Prints the time of the full forecast set (six models + equal-weight ensemble) over the 819
embedded months (1949-01..2017-03), then one row per model and factor: OOS R² against the
prevailing historical mean (Campbell-Thompson) and against zero, the time-series Spearman IC,
the hit rate and the one-sided Clark-West p-value against the historical mean. Negative R² is a
result, not a failure: monthly factor returns are close to unpredictable.

    python benchmarks/forecast_skill.py [--refit-every 12] [--per-model]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import time

import numpy as np
import pandas as pd

import factorgym
from factorgym.feature_cache import FeatureCache
from factorgym.forecasts import (
    MODEL_NAMES,
    EnsembleForecaster,
    WalkForwardForecaster,
    information_coefficient,
    next_month_labels,
    skill_table,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refit-every", type=int, default=12)
    parser.add_argument("--min-train-months", type=int, default=120)
    parser.add_argument("--hac-lags", type=int, default=None)
    parser.add_argument("--per-model", action="store_true", help="also time each model alone")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    panel = factorgym.load("french")
    params = {"min_train_months": args.min_train_months, "refit_every": args.refit_every}
    print(f"panel: {panel}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} logical cores; "
        f"refit every {args.refit_every} months, expanding window, "
        f"min {args.min_train_months} training samples"
    )

    # the full set as the library computes it: one ensemble fit (members + mean + spread), one
    # process; the cache is empty, so every member is computed
    cache = FeatureCache()
    t0 = time.perf_counter()
    ens = EnsembleForecaster(forecaster=WalkForwardForecaster(**params), cache=cache).fit(panel)
    total = time.perf_counter() - t0
    members, ensemble, spread = ens.member_forecasts_, ens.forecast_, ens.uncertainty_
    print(f"full forecast set (6 models + ensemble, {panel.n_months} months): {total:.1f} s")
    t0 = time.perf_counter()
    EnsembleForecaster(forecaster=WalkForwardForecaster(**params), cache=cache).fit(panel)
    print(
        f"same set again from the feature cache: {time.perf_counter() - t0:.3f} s "
        f"({cache.hits} hits)"
    )
    if args.per_model:  # a second, per-model timing (not part of the total above)
        for name in MODEL_NAMES:
            t0 = time.perf_counter()
            fc = WalkForwardForecaster(name, **params).fit(panel)
            assert fc.forecast_.equals(members[name])
            print(
                f"  {name:<6} {time.perf_counter() - t0:6.2f} s  ({len(fc.refit_months_)} "
                f"refits from {fc.refit_months_[0]}, {fc.n_convergence_warnings_} "
                "convergence warnings)"
            )

    frames = {**members, "ensemble": ensemble}
    table = skill_table(frames, panel, hac_lags=args.hac_lags)
    first, last, n = table["first"].iloc[0], table["last"].iloc[0], table["n_months"].iloc[0]
    print(f"\nOut-of-sample forecasts made {first}..{last} ({n} months; targets one month later)")
    print(
        "r2_hm / r2_zero: OOS R² in % vs prevailing mean / vs zero; ic: Spearman over months; "
        "cw_p: Clark-West one-sided p vs prevailing mean"
        + ("" if args.hac_lags is None else f" (Newey-West, {args.hac_lags} lags)")
    )
    shown = table[["r2_hm", "r2_zero", "ic", "hit_rate", "cw_stat", "cw_pvalue"]].copy()
    shown[["r2_hm", "r2_zero"]] *= 100
    shown = shown.rename(columns={"r2_hm": "r2_hm%", "r2_zero": "r2_zero%", "cw_pvalue": "cw_p"})
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print(shown.round(3).to_string())

    labels = next_month_labels(panel).to_numpy()
    ok = np.isfinite(ensemble.to_numpy()).all(axis=1) & np.isfinite(labels).all(axis=1)
    print("\nCross-sectional IC (Spearman across the 4 factors each month; mean, t-stat):")
    for name, frame in frames.items():
        ics = information_coefficient(labels[ok], frame.to_numpy()[ok], axis="cross_section")
        ics = ics[np.isfinite(ics)]
        tstat = ics.mean() / ics.std(ddof=1) * np.sqrt(ics.size)
        print(f"  {name:<8} {ics.mean():+.3f}  t={tstat:+.2f}")
    print(
        "\nensemble uncertainty (mean cross-member std, % per month): "
        + ", ".join(f"{a} {100 * spread[a].mean():.2f}" for a in panel.assets)
    )


if __name__ == "__main__":
    main()
