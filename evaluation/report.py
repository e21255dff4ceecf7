"""``report.html``: one self-contained research report of a finished run, and its summaries.

:func:`analyze_run` computes everything from a run's verified tables (:class:`ReportData`);
:func:`render_html` lays it out as one HTML file that opens offline -- figures are inline
base64 PNGs, the style sheet is inline, there is no script and no external URL;
:func:`write_report` writes ``report.html``, ``summary.csv`` and ``summary.json`` (and, on
request, quantstats tear sheets) atomically into ``RUN_DIR/report/``, never over an existing
report unless ``force``.

What the report holds: run summary and config; agents x metrics with bootstrap intervals; the
significance table and the verdict (:mod:`~factorgym.evaluation.verdict`); wealth and
drawdowns; weights over time; regime probabilities; subperiods; cost sensitivity and the
capacity curve (replay tables, when the run has them or ``replay=True``); attribution;
monitoring (rolling ratios, drift, alerts); forecast skill (when the features can be rebuilt);
the per-fold table; notes on everything that could not be computed and why.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from factorgym._version import __version__
from factorgym.errors import ConfigError, DataError, FactorGymError
from factorgym.evaluation import figures
from factorgym.evaluation.attribution import (
    asset_excess_returns,
    exposures_by_regime,
    return_attribution,
)
from factorgym.evaluation.metrics import sharpe_ratio
from factorgym.evaluation.monitoring import (
    Alert,
    MonitoringThresholds,
    drift_table,
    monitoring_alerts,
    rolling_ratios,
    validation_gap,
)
from factorgym.evaluation.performance_table import performance_table
from factorgym.evaluation.report_html import render_html
from factorgym.evaluation.robustness import (
    PAPER_PORTFOLIO_NOTE,
    BreakEven,
    break_even,
    level_summary,
    subperiod_table,
)
from factorgym.evaluation.run_series import (
    RunView,
    optional_table,
    run_panel,
    run_view,
)
from factorgym.evaluation.significance import (
    SAME_AS_BENCHMARK,
    SignificanceResult,
    assess_significance,
)
from factorgym.evaluation.verdict import DecisionRule, Verdict, decide
from factorgym.experiments.feature_pipeline import FORECAST_BLOCK
from factorgym.experiments.results_store import RunResults, atomic_write_bytes, load_run
from factorgym.experiments.units import BENCHMARK
from factorgym.panel import FactorPanel
from factorgym.validation import check_bool, check_int

__all__ = [
    "REPORT_FILES",
    "ReportData",
    "ReportFiles",
    "analyze_run",
    "summary_document",
    "summary_frame",
    "write_report",
]

PERIODS_PER_YEAR = 12
#: The files :func:`write_report` writes into its folder.
REPORT_FILES = ("report.html", "summary.csv", "summary.json")
REPORT_FOLDER = "report"


@dataclass(frozen=True, eq=False)
class ReportData:
    """Everything the report shows, computed (rendering is :func:`render_html`).

    Attributes
    ----------
    view : RunView
    performance : DataFrame indexed by agent (1/N first)
        :func:`performance_table` with the Sharpe interval and the seed dispersion.
    significance : SignificanceResult
    verdict : Verdict
    subperiods : DataFrame
    cost_summary, capacity_summary : DataFrame or None
        :func:`level_summary` of the replay tables (None when absent).
    break_even : DataFrame indexed by agent
        Break-even cost multiplier and AUM (text).
    attribution, exposures : DataFrame or None
    rolling_sharpe, rolling_ir : DataFrame
    drift : DataFrame or None
    gap : DataFrame
    alerts : list of Alert
    forecast_skill : DataFrame or None
    folds_table : DataFrame
    notes : dict of str to list of str
        Notes by section.
    generated_at : str
    """

    view: RunView
    performance: pd.DataFrame
    significance: SignificanceResult
    verdict: Verdict
    subperiods: pd.DataFrame
    cost_summary: pd.DataFrame | None
    capacity_summary: pd.DataFrame | None
    break_even: pd.DataFrame
    attribution: pd.DataFrame | None
    exposures: pd.DataFrame | None
    rolling_sharpe: pd.DataFrame
    rolling_ir: pd.DataFrame
    drift: pd.DataFrame | None
    gap: pd.DataFrame
    alerts: list[Alert]
    forecast_skill: pd.DataFrame | None
    folds_table: pd.DataFrame
    thresholds: MonitoringThresholds
    notes: dict[str, list[str]] = field(default_factory=dict)
    generated_at: str = ""


@dataclass(frozen=True)
class ReportFiles:
    """Paths written by :func:`write_report`."""

    folder: Path
    html: Path
    csv: Path
    json: Path
    tearsheets: tuple[Path, ...] = ()


# ---------------------------------------------------------------------- analysis
def _performance(view: RunView, sig: SignificanceResult) -> pd.DataFrame:
    cols = [BENCHMARK, *view.agents]
    perf = performance_table(
        view.net[cols],
        benchmark=view.benchmark,
        rf=view.rf,
        turnover=view.turnover[cols],
        gross_returns=view.gross[cols],
        periods_per_year=PERIODS_PER_YEAR,
    )
    perf.index = pd.Index(cols, name="agent")
    perf.insert(0, "role", ["benchmark"] + [view.roles[a] for a in view.agents])
    perf.insert(1, "seeds", [len(view.seeds.get(a, ())) for a in cols])
    table = sig.table
    perf["sharpe_ci_low"] = [
        np.nan if a == BENCHMARK else table.loc[a, "sharpe_ci_low"] for a in cols
    ]
    perf["sharpe_ci_high"] = [
        np.nan if a == BENCHMARK else table.loc[a, "sharpe_ci_high"] for a in cols
    ]
    trial_sr = sharpe_ratio(view.trials, rf=view.rf, periods_per_year=PERIODS_PER_YEAR)
    trial_sr = pd.Series(np.asarray(trial_sr, dtype=float), index=view.trials.columns)
    spread = []
    for a in cols:
        own = [c for c, ag in view.trial_agent.items() if ag == a]
        spread.append(float(trial_sr[own].std(ddof=1)) if len(own) > 1 else np.nan)
    perf["sharpe_seed_sd"] = spread
    return perf


_BREAK_EVENS = (
    # column, table, metric whose sign change is the break-even, log scale, number format
    ("break_even_cost_multiplier", "cost", "sharpe_diff", False, "{:.2f}x"),
    ("break_even_aum", "capacity", "sharpe_diff", True, ""),
    ("break_even_aum_alpha", "capacity", "alpha_1n", True, ""),
)


def _break_evens(
    view: RunView,
    sig: SignificanceResult,
    cost: pd.DataFrame | None,
    capacity: pd.DataFrame | None,
) -> pd.DataFrame:
    """Where the Sharpe edge (and the alpha) over 1/N vanish, per agent, as text."""
    tables = {"cost": cost, "capacity": capacity}
    rows = {}
    for agent in view.agents:
        row: dict[str, str] = {}
        for name, which, metric, log, fmt in _BREAK_EVENS:
            if sig.table.loc[agent, "role"] == SAME_AS_BENCHMARK:
                row[name] = "n/a (same as 1/N)"
                continue
            summary = tables[which]
            if summary is None or agent not in summary.index.get_level_values("agent"):
                row[name] = "n/a (no replay table)"
                continue
            part = summary.xs(agent, level="agent").sort_index()
            be = break_even(part.index.to_numpy(), part[metric].to_numpy(), log=log)
            row[name] = _describe_be(be, fmt, log)
        rows[agent] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "agent"
    return out


def _describe_be(be: BreakEven, fmt: str, log: bool) -> str:
    if be.status == "crossed" and log:
        return figures._dollars(be.level)
    if be.status == "positive throughout" and log:
        return f"> {figures._dollars(be.level)} (edge at every AUM tried)"
    return be.describe(fmt)


def _fold_table(view: RunView) -> pd.DataFrame:
    returns = view.returns
    folds = view.folds
    rows = []
    for fold, part in returns.groupby("fold", sort=True):
        months = pd.PeriodIndex(part["month"].astype(str), freq="M")
        wide = part.assign(_m=months).pivot_table(index="_m", columns="agent", values="net_return")
        rf = part.assign(_m=months).groupby("_m")["rf"].mean().reindex(wide.index)
        row: dict[str, Any] = {"fold": int(fold)}
        if not folds.empty:
            f = folds.loc[folds["fold"] == fold]
            for role in ("train", "validation", "test"):
                w = f.loc[f["role"] == role]
                row[role] = (
                    ", ".join(f"{r.start}..{r.end}" for r in w.itertuples()) if len(w) else ""
                )
        row["months"] = len(wide)
        for agent in [BENCHMARK, *view.agents]:
            if agent in wide.columns and len(wide) >= 2:
                row[agent] = float(
                    sharpe_ratio(wide[agent], rf=rf, periods_per_year=PERIODS_PER_YEAR)
                )
        rows.append(row)
    return pd.DataFrame(rows).set_index("fold")


def _ledger_trials_without_returns(view: RunView) -> int:
    """Contender (agent, seed) pairs of the ledger that have no series in the results."""
    led = view.ledger
    if led.empty or not {"agent", "seed"} <= set(led.columns):
        return 0
    rows = led.loc[led["agent"].isin(view.contenders)]
    if "contender" in rows.columns:
        rows = rows.loc[rows["contender"].astype(bool)]
    pairs = {f"{a}/{int(s)}" for a, s in zip(rows["agent"], rows["seed"], strict=True)}
    return len(pairs - set(view.contender_trials.columns))


def _forecast_skill(forecasts: pd.DataFrame, panel: FactorPanel, view: RunView) -> pd.DataFrame:
    from factorgym.forecasts.skill import skill_table

    decided = view.months - 1  # a forecast made at t is for month t + 1 (the month earned)
    masked = forecasts.copy()
    masked.loc[~masked.index.isin(decided)] = np.nan
    return skill_table({"ensemble": masked}, panel)


def analyze_run(
    results: RunResults,
    *,
    capacity: pd.DataFrame | None = None,
    cost_sensitivity: pd.DataFrame | None = None,
    panel: FactorPanel | None = None,
    features: Mapping[str, pd.DataFrame] | None = None,
    n_extra_trials: int = 0,
    reps: int = 1000,
    seed: int = 0,
    rule: DecisionRule | None = None,
    thresholds: MonitoringThresholds | None = None,
) -> ReportData:
    """Compute every table of the report from a loaded run.

    Parameters
    ----------
    results : RunResults
        From :func:`~factorgym.experiments.load_run` (verified).
    capacity, cost_sensitivity : DataFrame, optional
        Replay tables (:mod:`factorgym.experiments.replay`); default the run's own
        (``tables/capacity.parquet``, ``tables/cost_sensitivity.parquet``) when it has them.
    panel : FactorPanel, optional
        The run's data (default: loaded again from the manifest and checked); needed for the
        attribution, the drift table and the forecast skill.
    features : mapping of str to DataFrame, optional
        The run's feature frames (rebuilt plan); adds feature drift and forecast skill.
    n_extra_trials : int
        Trials outside the run to deflate for (earlier runs, discarded configurations).
    reps, seed : int
        Bootstrap replications and seed.
    rule : DecisionRule, optional
    thresholds : MonitoringThresholds, optional

    Raises
    ------
    DataError
        If the tables do not hold a usable run (no benchmark, fewer than 8 months).
    """
    th = MonitoringThresholds() if thresholds is None else thresholds
    notes: dict[str, list[str]] = {}

    def note(section: str, text: str) -> None:
        notes.setdefault(section, []).append(text)

    view = run_view(results)
    for text in view.notes:
        note("data", text)
    unseen = _ledger_trials_without_returns(view)
    if unseen:
        note(
            "significance",
            f"the trial ledger lists {unseen} contender agent x seed trial(s) without "
            "out-of-sample returns in the results; they are counted in the deflation",
        )
    sig = assess_significance(
        view.net[list(view.agents)],
        view.benchmark,
        view.rf,
        view.contender_trials,
        contenders=view.contenders,
        roles=view.roles,
        n_extra_trials=n_extra_trials + unseen,
        reps=reps,
        seed=seed,
        periods_per_year=PERIODS_PER_YEAR,
    )
    for text in sig.notes:
        note("significance", text)
    verdict = decide(sig, rule)
    performance = _performance(view, sig)
    subperiods = subperiod_table(view, periods_per_year=PERIODS_PER_YEAR)
    if not view.regimes.shape[1]:
        note("regimes", "the run recorded no regime probabilities (no [features.regimes])")

    if capacity is None:
        capacity = optional_table(results, "capacity")
    if cost_sensitivity is None:
        cost_sensitivity = optional_table(results, "cost_sensitivity")
    agents = list(view.agents)
    cost_summary = None
    if cost_sensitivity is not None:
        cost_summary = level_summary(
            cost_sensitivity, agents=agents, periods_per_year=PERIODS_PER_YEAR
        )
    else:
        note(
            "costs",
            "the run has no cost-sensitivity table (tables/cost_sensitivity.parquet); "
            "`factorgym report RUN_DIR --replay` computes it by replaying the recorded decisions",
        )
    capacity_summary = None
    if capacity is not None:
        capacity_summary = level_summary(capacity, agents=agents, periods_per_year=PERIODS_PER_YEAR)
    else:
        note(
            "capacity",
            "the run has no capacity table (tables/capacity.parquet); "
            "`factorgym report RUN_DIR --replay` computes it by replaying the recorded decisions",
        )
    be = _break_evens(view, sig, cost_summary, capacity_summary)

    if panel is None:
        try:
            panel = run_panel(results.manifest)
        except DataError as exc:
            note("attribution", f"no attribution or drift: {exc}")
    attribution = exposures = None
    drift = None
    if panel is not None:
        excess = asset_excess_returns(panel)
        attribution = return_attribution(view, excess, periods_per_year=PERIODS_PER_YEAR)
        worst = float(attribution["residual"].abs().max())
        if worst > 1e-8:
            note(
                "attribution",
                f"the attribution misses the recorded net return by up to {worst:.2e} a year "
                "(the panel does not reproduce the run's gross returns)",
            )
        if view.folds.empty:
            note("monitoring", "the run has no folds table: no drift table")
        else:
            data = excess.add_prefix("return:")
            if features:
                for block, frame in features.items():
                    data = data.join(frame.add_prefix(f"{block}:"), how="left")
            else:
                note(
                    "monitoring",
                    "drift is measured on the assets' returns; the observation features are "
                    "not recorded in the results (they are with --replay, which rebuilds them)",
                )
            drift = drift_table(data, view.folds)
    exposures_frame = exposures_by_regime(view)
    exposures = None if exposures_frame.empty else exposures_frame
    rs, ri = rolling_ratios(view, window=th.window, periods_per_year=PERIODS_PER_YEAR)
    if len(view.months) < th.window:
        note(
            "monitoring",
            f"{len(view.months)} out-of-sample months: too few for {th.window}-month rolling "
            "ratios",
        )
    gap = validation_gap(view.ledger)
    alerts = monitoring_alerts(
        rs, ri, agents=list(view.contenders), drift=drift, gap=gap, thresholds=th
    )
    skill = None
    forecasts = None if features is None else features.get(FORECAST_BLOCK)
    if forecasts is not None and panel is not None:
        try:
            skill = _forecast_skill(forecasts, panel, view)
        except FactorGymError as exc:
            note("forecasts", f"forecast skill not computed: {exc}")
    else:
        note(
            "forecasts",
            "forecast OOS R² is shown when the run's forecast features can be rebuilt "
            "(`--replay` rebuilds them) and the run has [features.forecasts]",
        )
    note(
        "forecasts",
        "feature importance: the runner keeps no fitted forecaster, so none is shown",
    )
    return ReportData(
        view=view,
        performance=performance,
        significance=sig,
        verdict=verdict,
        subperiods=subperiods,
        cost_summary=cost_summary,
        capacity_summary=capacity_summary,
        break_even=be,
        attribution=attribution,
        exposures=exposures,
        rolling_sharpe=rs,
        rolling_ir=ri,
        drift=drift,
        gap=gap,
        alerts=alerts,
        forecast_skill=skill,
        folds_table=_fold_table(view),
        thresholds=th,
        notes=notes,
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


# ---------------------------------------------------------------------- summaries
def summary_frame(data: ReportData) -> pd.DataFrame:
    """One row per agent (1/N first): performance, significance, break-evens, verdict flag."""
    perf = data.performance
    sig = data.significance.table.drop(columns=["role", "months", "sharpe"], errors="ignore")
    sig = sig.drop(columns=["sharpe_ci_low", "sharpe_ci_high"])
    out = perf.join(sig, how="left").join(data.break_even, how="left")
    out["significant"] = [a in data.verdict.significant for a in out.index]
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if value is None or isinstance(value, (str, int)):
        return value
    return str(value)


def summary_document(data: ReportData) -> dict[str, Any]:
    """The verdict, the run-level tests and the per-agent summary as plain JSON values."""
    sig = data.significance
    view = data.view
    frame = summary_frame(data)
    pbo = sig.pbo
    spa = sig.spa
    doc = {
        "format": "factorgym.report/1",
        "generated_at": data.generated_at,
        "factorgym": __version__,
        "run_id": view.manifest.get("run_id"),
        "experiment_hash": view.manifest.get("experiment_hash"),
        "benchmark": "1/N through the same env and costs (" + BENCHMARK + ")",
        "months": {
            "n": len(view.months),
            "first": str(view.months[0]),
            "last": str(view.months[-1]),
        },
        "verdict": {
            "text": data.verdict.text,
            "significant": list(data.verdict.significant),
            "best": data.verdict.best,
            "rule": data.verdict.rule.describe(),
            "thresholds": {
                "level": data.verdict.rule.level,
                "min_dsr": data.verdict.rule.min_dsr,
                "spa_level": data.verdict.rule.spa_level,
            },
            "excluded": list(data.verdict.upper_bounds),
        },
        "tests": {
            "n_trials": sig.n_trials,
            "n_trials_run": sig.n_trials_run,
            "n_trials_extra": sig.n_trials_extra,
            "sr0": sig.sr0,
            "sr0_vs_1n": sig.sr0_active,
            "trial_sharpe_variance_per_period": sig.sharpe_variance,
            "spa_pvalue": None if spa is None else spa.spa_consistent,
            "spa_lower": None if spa is None else spa.spa_lower,
            "spa_upper": None if spa is None else spa.spa_upper,
            "reality_check_pvalue": None if spa is None else spa.reality_check_pvalue,
            "stepm_superior": [] if spa is None else list(spa.superior),
            "pbo": None if pbo is None else pbo.pbo,
            "pbo_partitions": None if pbo is None else pbo.n_partitions,
            "pbo_prob_oos_loss": None if pbo is None else pbo.prob_oos_loss,
            "bootstrap_reps": sig.reps,
            "seed": sig.seed,
        },
        "agents": {
            str(agent): {str(k): v for k, v in row.items()} for agent, row in frame.iterrows()
        },
        "alerts": [
            {"kind": a.kind, "subject": a.subject, "message": a.message} for a in data.alerts
        ],
        "notes": data.notes,
        "capacity_caveat": PAPER_PORTFOLIO_NOTE,
    }
    return _plain(doc)


# ---------------------------------------------------------------------- files
def _check_target(folder: Path, force: bool, tearsheets: bool) -> None:
    names = list(REPORT_FILES) + (["tearsheets"] if tearsheets else [])
    existing = [folder / n for n in names if (folder / n).exists()]
    if existing and not force:
        raise ConfigError(
            f"`out` {str(folder)!r} already holds a report "
            f"({', '.join(p.name for p in existing)}); pass --force (force=True) to replace it"
        )


def write_report(
    run_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    *,
    force: bool = False,
    tearsheets: bool = False,
    replay: bool = False,
    n_extra_trials: int = 0,
    reps: int = 1000,
    seed: int = 0,
    rule: DecisionRule | None = None,
    results: RunResults | None = None,
) -> ReportFiles:
    """Write ``report.html``, ``summary.csv`` and ``summary.json`` of a finished run.

    Parameters
    ----------
    run_dir : path
        A complete run directory (verified on load).
    out_dir : path, optional
        Folder of the report (default ``RUN_DIR/report``).
    force : bool
        Replace an existing report in ``out_dir``.
    tearsheets : bool
        Also write a quantstats tear sheet per agent against 1/N (``tearsheets/``).
    replay : bool
        If the run has no capacity / cost-sensitivity tables, rebuild its fold envs and
        replay the recorded decisions (:mod:`factorgym.experiments.replay`); this also
        rebuilds the features, for feature drift and forecast skill.
    n_extra_trials : int
        Trials outside the run to deflate for.
    reps, seed : int
        Bootstrap replications and seed.
    rule : DecisionRule, optional
    results : RunResults, optional
        The run, if already loaded (the runner passes its own).

    Returns
    -------
    ReportFiles

    Raises
    ------
    ConfigError
        If ``out_dir`` holds a report and not ``force``.
    DataError
        If the run is incomplete or damaged.
    """
    force = check_bool("force", force)
    tearsheets = check_bool("tearsheets", tearsheets)
    replay = check_bool("replay", replay)
    check_int("reps", reps, minimum=10)
    root = Path(run_dir).expanduser()
    folder = root / REPORT_FOLDER if out_dir is None else Path(out_dir).expanduser()
    _check_target(folder, force, tearsheets)
    if results is None:
        results = load_run(root)
    capacity = optional_table(results, "capacity")
    cost = optional_table(results, "cost_sensitivity")
    features = None
    panel = None
    if replay:
        from factorgym.experiments.replay import rebuild_plan, replay_plan

        results, plan = rebuild_plan(root)
        panel = plan.panel
        features = plan.features
        if capacity is None or cost is None:
            tables = replay_plan(results, plan)
            capacity = tables["capacity"] if capacity is None else capacity
            cost = tables["cost_sensitivity"] if cost is None else cost
    data = analyze_run(
        results,
        capacity=capacity,
        cost_sensitivity=cost,
        panel=panel,
        features=features,
        n_extra_trials=n_extra_trials,
        reps=reps,
        seed=seed,
        rule=rule,
    )
    page = render_html(data)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if tearsheets:
        from factorgym.evaluation.tearsheets import write_tearsheets

        written = write_tearsheets(data.view, folder / "tearsheets")
    csv = summary_frame(data).to_csv(float_format="%.10g").encode()
    doc = json.dumps(summary_document(data), indent=2, sort_keys=False, allow_nan=False) + "\n"
    atomic_write_bytes(folder / "summary.csv", csv)
    atomic_write_bytes(folder / "summary.json", doc.encode())
    atomic_write_bytes(folder / "report.html", page.encode("utf-8"))
    return ReportFiles(
        folder,
        folder / "report.html",
        folder / "summary.csv",
        folder / "summary.json",
        tuple(written),
    )
