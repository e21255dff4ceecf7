"""The HTML of ``report.html``: one self-contained page, no script, no external resource.

Figures are inline base64 PNGs (:mod:`~factorgym.evaluation.figures`), the style sheet is
inline, every table cell is escaped; a ``data:`` favicon keeps the browser from asking for
one. :func:`render_html` lays out a :class:`~factorgym.evaluation.report.ReportData`.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from factorgym._version import __version__
from factorgym.evaluation import figures
from factorgym.evaluation.robustness import MIN_SUBPERIOD_MONTHS, PAPER_PORTFOLIO_NOTE
from factorgym.evaluation.run_series import UPPER_BOUND
from factorgym.experiments.units import BENCHMARK

PERIODS_PER_YEAR = 12

if TYPE_CHECKING:
    from factorgym.evaluation.report import ReportData

__all__ = ["render_html"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;
color:#1d1d1f;background:#fff;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:16px 28px 48px}
h1{font-size:1.6em;margin:0.6em 0 0.2em}h2{font-size:1.25em;margin-top:2em;
border-bottom:2px solid #e3e3e8;padding-bottom:4px}h3{font-size:1.05em;margin-top:1.4em}
nav{font-size:0.9em;margin:8px 0 16px}nav a{margin-right:12px;color:#0b5cad;text-decoration:none}
.verdict{border-left:6px solid #b26b00;background:#fff7ea;padding:12px 16px;margin:12px 0;
font-size:1.05em}.verdict.yes{border-color:#1a7f37;background:#eefbf1}
.rule{font-size:0.9em;color:#444}.note{color:#555;font-size:0.9em;background:#f6f6f8;
padding:6px 10px;border-radius:4px;margin:6px 0}.alert{color:#8a1c1c}
table.tbl{border-collapse:collapse;font-size:0.82em;margin:8px 0 14px;
font-variant-numeric:tabular-nums}table.tbl th,table.tbl td{padding:3px 8px;
border-bottom:1px solid #e6e6ea;text-align:right;white-space:nowrap}
table.tbl th{background:#f3f3f6;position:sticky;top:0}
table.tbl tbody tr:nth-child(even){background:#fafafc}
table.tbl td:first-child,table.tbl th:first-child{text-align:left}.wide{overflow-x:auto}
figure{margin:10px 0 18px}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:0.85em;color:#555}pre{background:#f6f6f8;padding:10px;font-size:0.8em;
overflow-x:auto}dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 14px;
font-size:0.9em}dl.kv dt{font-weight:600}dl.kv dd{margin:0}
"""

Formatter = Callable[[Any], str]


def _num(spec: str) -> Formatter:
    def f(v: Any) -> str:
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        try:
            x = float(v)
        except (TypeError, ValueError):
            return html.escape(str(v))
        if not math.isfinite(x):
            return "–"
        text = format(x, spec)
        if text.startswith("-") and not any(ch in "123456789" for ch in text):
            text = text[1:]  # no "-0.00"
        return text

    return f


PCT = _num(".2%")
F2 = _num(".2f")
F3 = _num(".3f")
P3 = _num(".3f")


def _bool(v: Any) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    return "yes" if bool(v) else "no"


def _label(agent: Any) -> str:
    return "1/N (benchmark)" if agent == BENCHMARK else str(agent)


def _table(
    frame: pd.DataFrame,
    formats: Mapping[str, Formatter] | None = None,
    *,
    default: Formatter = F3,
    rename: Mapping[str, str] | None = None,
    index: bool = True,
) -> str:
    """A DataFrame as an escaped HTML table with per-column formats."""
    if frame is None or frame.empty:
        return '<p class="note">(empty)</p>'
    formats = dict(formats or {})
    df = frame.copy()
    if index:
        df.index = [
            _label(i) if not isinstance(i, tuple) else " · ".join(map(_label, i)) for i in df.index
        ]
    cols = {}
    for c in df.columns:
        fmt = formats.get(str(c))
        if fmt is None:
            fmt = (
                default if pd.api.types.is_numeric_dtype(df[c]) else (lambda v: html.escape(str(v)))
            )
        cols[c] = [fmt(v) for v in df[c]]
    body = pd.DataFrame(cols, index=df.index)
    body.columns = [(rename or {}).get(str(c), str(c)) for c in df.columns]
    out = body.to_html(escape=False, border=0, classes="tbl", index=index, na_rep="–")
    return f'<div class="wide">{out}</div>'


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _figure(fig: Any, caption: str, alt: str) -> str:
    if fig is None:
        return ""
    uri = figures.png_data_uri(fig)
    return (
        f'<figure><img alt="{_esc(alt)}" src="{uri}">'
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def _notes(data: ReportData, section: str) -> str:
    return "".join(f'<p class="note">{_esc(t)}</p>' for t in data.notes.get(section, []))


def _kv(pairs: list[tuple[str, Any]]) -> str:
    items = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(str(v))}</dd>" for k, v in pairs)
    return f'<dl class="kv">{items}</dl>'


def _summary_section(data: ReportData) -> str:
    m = data.view.manifest
    cfg = m.get("config", {}) if isinstance(m.get("config"), dict) else {}
    d = m.get("data", {}) if isinstance(m.get("data"), dict) else {}
    env = cfg.get("env", {}) if isinstance(cfg.get("env"), dict) else {}
    splits = cfg.get("splits", {}) if isinstance(cfg.get("splits"), dict) else {}
    prov = d.get("provenance", {}) if isinstance(d.get("provenance"), dict) else {}
    view = data.view
    pairs: list[tuple[str, Any]] = [
        ("run", m.get("run_id", "")),
        ("experiment", f"{cfg.get('name', '')}: {cfg.get('description', '')}"),
        ("experiment hash", str(m.get("experiment_hash", ""))[:16]),
        (
            "data",
            f"{prov.get('source', '')} ({d.get('kind', '')} returns), "
            f"{d.get('start', '')}..{d.get('end', '')}, vintage {prov.get('vintage', '')}",
        ),
        ("assets", ", ".join(map(str, d.get("assets", view.assets)))),
        ("data hash", str(d.get("content_hash", ""))[:16]),
        (
            "out of sample",
            f"{view.months[0]}..{view.months[-1]} ({len(view.months)} months, "
            f"{m.get('folds', '?')} folds, {m.get('units', '?')} units)",
        ),
        ("splits", json.dumps(splits, sort_keys=True)),
        (
            "env",
            f"costs {env.get('costs', '?')}, action mode {env.get('action_mode', '?')}, "
            f"AUM ${float(env.get('aum', float('nan'))):,.0f}, reward {env.get('reward', '?')}",
        ),
        (
            "agents",
            ", ".join(
                f"{a} ({view.roles[a]}, {len(view.seeds.get(a, ()))} seed(s))" for a in view.agents
            ),
        ),
        ("started / finished", f"{m.get('started_at', '')} / {m.get('finished_at', '')}"),
        ("report", f"factorgym {__version__}, {data.generated_at}"),
    ]
    versions = m.get("versions", {})
    if isinstance(versions, dict):
        pairs.append(("versions", ", ".join(f"{k} {v}" for k, v in versions.items() if v)))
    doc = m.get("config_document", cfg)
    config_text = json.dumps(doc, indent=2, sort_keys=True, default=str)
    return (
        '<section id="summary"><h2>Run summary and configuration</h2>'
        + _kv(pairs)
        + "<details><summary>Full resolved configuration</summary><pre>"
        + _esc(config_text)
        + "</pre></details>"
        + _notes(data, "data")
        + "</section>"
    )


def _verdict_section(data: ReportData) -> str:
    v = data.verdict
    sig = data.significance
    cls = "verdict yes" if v.significant else "verdict"
    spa = sig.spa
    pbo = sig.pbo
    run_level = [
        ("benchmark", "1/N, rebalanced monthly through the same test envs, net of the same costs"),
        (
            "trials counted",
            f"{sig.n_trials} (every contender agent x seed of the run"
            + (f", + {sig.n_trials_extra} declared" if sig.n_trials_extra else "")
            + ")",
        ),
        (
            "variance of the trials' Sharpe ratios",
            f"{_num('.4f')(sig.sharpe_variance * PERIODS_PER_YEAR)} (absolute), "
            f"{_num('.4f')(sig.active_sharpe_variance * PERIODS_PER_YEAR)} (over 1/N), "
            "annualised",
        ),
        (
            "E[max Sharpe] of the trials by luck",
            f"{F2(sig.sr0)} (absolute), {F2(sig.sr0_active)} (over 1/N), annualised",
        ),
        (
            "Hansen SPA p (consistent / lower / upper)",
            "–"
            if spa is None
            else f"{spa.spa_consistent:.3f} / {spa.spa_lower:.3f} / {spa.spa_upper:.3f}",
        ),
        ("White Reality Check p", "–" if spa is None else f"{spa.reality_check_pvalue:.3f}"),
        (
            "StepM: agents superior to 1/N (5%)",
            "–" if spa is None else (", ".join(spa.superior) or "none"),
        ),
        (
            "PBO (CSCV over the trials)",
            "–"
            if pbo is None
            else f"{pbo.pbo:.2f} ({pbo.n_partitions} blocks, {pbo.n_combinations} combinations; "
            f"P(OOS Sharpe < 0 | selected) = {pbo.prob_oos_loss:.2f})",
        ),
        (
            "bootstrap",
            f"stationary bootstrap, {sig.reps} replications, seed {sig.seed}, "
            f"{sig.size:.0%} intervals",
        ),
    ]
    checks = data.verdict.checks
    return (
        '<section id="verdict"><h2>Verdict</h2>'
        f'<div class="{cls}">{_esc(v.text)}</div>'
        f'<p class="rule"><b>Decision rule.</b> {_esc(v.rule.describe())} Each test controls '
        "false discoveries at its level under its own null; requiring all three is "
        "conservative. SPA compares mean returns (a levered strategy can pass it, e.g. a "
        "volatility target); the Sharpe-difference test and the DSR compare risk-adjusted "
        "returns. Oracles and other non-contenders are never in the verdict.</p>"
        + _kv(run_level)
        + "<h3>The three conditions, per contender</h3>"
        + _table(
            checks,
            {"p_holm": P3, "dsr_vs_1n": F3, "spa_p": P3},
            default=_bool,
        )
        + _notes(data, "significance")
        + "</section>"
    )


_PERF_COLS = {
    "role": "role",
    "seeds": "seeds",
    "ann_return": "ann. return",
    "ann_vol": "ann. vol",
    "sharpe": "Sharpe",
    "sharpe_ci_low": "CI low",
    "sharpe_ci_high": "CI high",
    "sharpe_seed_sd": "Sharpe sd (seeds)",
    "sharpe_se_hac": "Sharpe SE (HAC)",
    "sortino": "Sortino",
    "max_drawdown": "max DD",
    "calmar": "Calmar",
    "hit_rate": "hit rate",
    "skew": "skew",
    "excess_kurtosis": "ex. kurt",
    "expected_shortfall": "ES 5%",
    "tracking_error": "TE",
    "information_ratio": "IR vs 1/N",
    "ann_turnover": "turnover/yr",
    "cost_drag": "cost drag",
}


def _performance_section(data: ReportData) -> str:
    perf = data.performance[[c for c in _PERF_COLS if c in data.performance.columns]]
    fmt = {
        "seeds": _num(".0f"),
        "ann_return": PCT,
        "ann_vol": PCT,
        "sharpe": F2,
        "sharpe_ci_low": F2,
        "sharpe_ci_high": F2,
        "sharpe_seed_sd": F2,
        "sharpe_se_hac": F2,
        "sortino": F2,
        "max_drawdown": PCT,
        "calmar": F2,
        "hit_rate": PCT,
        "skew": F2,
        "excess_kurtosis": F2,
        "expected_shortfall": PCT,
        "tracking_error": PCT,
        "information_ratio": F2,
        "ann_turnover": F2,
        "cost_drag": PCT,
    }
    sig = data.significance
    return (
        '<section id="performance"><h2>Agents x metrics (out of sample, net of costs)</h2>'
        + _table(perf, fmt, rename=_PERF_COLS)
        + f'<p class="note">Each agent\'s series is its net return averaged over its seeds (and '
        f"CPCV paths) each month. Sharpe ratios are annualised, of returns over rf; CI = "
        f"{sig.size:.0%} stationary-bootstrap interval; Sharpe SE (HAC) = Lo (2002) with "
        "Newey-West; max DD, ES as positive losses; turnover one-way per year; cost drag = "
        "geometric gross minus net return per year.</p></section>"
    )


_SIG_COLS = {
    "role": "role",
    "sharpe": "Sharpe",
    "sharpe_ci_low": "CI low",
    "sharpe_ci_high": "CI high",
    "psr": "PSR",
    "dsr": "DSR",
    "sharpe_1n": "1/N Sharpe",
    "sharpe_diff": "ΔSharpe",
    "sharpe_diff_ci_low": "Δ CI low",
    "sharpe_diff_ci_high": "Δ CI high",
    "sharpe_diff_p": "p (LW)",
    "sharpe_diff_p_holm": "p Holm",
    "sharpe_diff_p_bh": "p BH",
    "active_return": "return over 1/N",
    "alpha_1n": "alpha on 1/N",
    "nw_t": "NW t",
    "nw_p": "NW p",
    "passes_hlz": "t > 3 (HLZ)",
    "dsr_vs_1n": "DSR vs 1/N",
}


def _significance_section(data: ReportData) -> str:
    sig = data.significance
    fmt = {
        "months": _num(".0f"),
        "sharpe": F2,
        "sharpe_ci_low": F2,
        "sharpe_ci_high": F2,
        "psr": F3,
        "dsr": F3,
        "sharpe_1n": F2,
        "sharpe_diff": F2,
        "sharpe_diff_ci_low": F2,
        "sharpe_diff_ci_high": F2,
        "sharpe_diff_p": P3,
        "sharpe_diff_p_holm": P3,
        "sharpe_diff_p_bh": P3,
        "active_return": PCT,
        "alpha_1n": PCT,
        "nw_t": F2,
        "nw_p": P3,
        "passes_hlz": _bool,
        "dsr_vs_1n": F3,
    }
    table = sig.table[[c for c in _SIG_COLS if c in sig.table.columns]]
    return (
        '<section id="significance"><h2>Significance against 1/N</h2>'
        + _table(table, fmt, rename=_SIG_COLS)
        + '<p class="note">p-values are one-sided (H1: better than 1/N). PSR = P(true Sharpe '
        "> 0) (Bailey & López de Prado 2012); DSR = P(true Sharpe > E[max Sharpe] of "
        f"{sig.n_trials} skill-less trials) (Bailey & López de Prado 2014); DSR vs 1/N = the "
        "same for the return over 1/N. ΔSharpe test: Ledoit & Wolf (2008) HAC, with a "
        "stationary-bootstrap interval; p Holm / p BH adjust over the contenders (Holm 1979; "
        "Benjamini & Hochberg 1995). NW t: Newey-West t of the mean return over 1/N; HLZ: "
        "Harvey, Liu & Zhu (2016) t > 3 hurdle. Alpha: intercept of the agent's excess return "
        "regressed on 1/N's.</p></section>"
    )


def _wealth_section(data: ReportData) -> str:
    view = data.view
    return (
        '<section id="wealth"><h2>Wealth and drawdowns</h2>'
        + _figure(
            figures.wealth_figure(view),
            "Growth of $1, net of costs, log scale; out-of-sample months of every fold stitched. "
            "Dotted: not contenders; the frame fits 1/N and the contenders, so an upper bound "
            "(oracle) may leave it.",
            "wealth curves",
        )
        + _figure(
            figures.drawdown_figure(view),
            "Drawdown of compounded net wealth from its running peak.",
            "drawdowns",
        )
        + "</section>"
    )


def _weights_section(data: ReportData) -> str:
    view = data.view
    fig = figures.weights_figure(view, [BENCHMARK, *view.agents])
    body = (
        _figure(
            fig,
            "Executed weights of each agent's first seed, after costs and limits.",
            "weights over time",
        )
        if fig is not None
        else '<p class="note">The run recorded no executed weights.</p>'
    )
    return f'<section id="weights"><h2>Weights over time</h2>{body}</section>'


def _regime_section(data: ReportData) -> str:
    view = data.view
    fig = figures.regime_figure(view)
    parts = ['<section id="regimes"><h2>Regimes</h2>']
    if fig is None:
        parts.append(_notes(data, "regimes") or '<p class="note">No regime probabilities.</p>')
    else:
        parts.append(
            _figure(
                fig,
                "Filtered HMM probabilities recorded at each decision month (never smoothed); "
                "shading: the most probable state.",
                "regime probabilities",
            )
        )
        sub = data.subperiods
        reg = sub.loc[sub["split"] == "regime"]
        if not reg.empty:
            parts.append("<h3>Sharpe ratio by regime (state at the decision month)</h3>")
            parts.append(_pivot(reg))
        if data.exposures is not None:
            parts.append("<h3>Average executed weights by regime</h3>")
            fmt = {"months": _num(".0f")} | {a: PCT for a in view.assets}
            parts.append(_table(data.exposures, fmt))
    parts.append("</section>")
    return "".join(parts)


def _pivot(sub: pd.DataFrame) -> str:
    sharpe = sub.pivot_table(index="period", columns="agent", values="sharpe", sort=False)
    months = sub.groupby("period", sort=False)["months"].first()
    order = [BENCHMARK, *[a for a in sharpe.columns if a != BENCHMARK]]
    sharpe = sharpe[order]
    sharpe.columns = [_label(a) for a in sharpe.columns]
    sharpe.insert(0, "months", months.reindex(sharpe.index))
    return _table(sharpe, {"months": _num(".0f")}, default=F2)


def _subperiod_section(data: ReportData) -> str:
    sub = data.subperiods
    dec = sub.loc[sub["split"] == "decade"]
    body = (
        _pivot(dec)
        if not dec.empty
        else f'<p class="note">No decade with {MIN_SUBPERIOD_MONTHS} or more out-of-sample '
        "months.</p>"
    )
    return (
        '<section id="subperiods"><h2>Subperiods: Sharpe ratio by decade</h2>'
        + body
        + '<p class="note">Net of costs, annualised; decades with fewer than '
        f"{MIN_SUBPERIOD_MONTHS} months are left out.</p></section>"
    )


def _level_table(summary: pd.DataFrame, level_fmt: Formatter) -> str:
    df = summary.reset_index()
    df["level"] = [level_fmt(v) for v in df["level"]]
    df["agent"] = [_label(a) for a in df["agent"]]
    df = df.set_index(["level", "agent"])
    fmt = {
        "sharpe": F2,
        "sharpe_1n": F2,
        "sharpe_diff": F2,
        "active_return": PCT,
        "alpha_1n": PCT,
        "cost_drag": PCT,
        "turnover": F3,
        "months": _num(".0f"),
    }
    return _table(df, fmt)


def _costs_section(data: ReportData) -> str:
    parts = ['<section id="costs"><h2>Cost sensitivity</h2>']
    if data.cost_summary is None:
        parts.append(_notes(data, "costs"))
    else:
        parts.append(
            _figure(
                figures.cost_sensitivity_figure(data.cost_summary, data.view),
                "Recorded decisions replayed with the preset's proportional and internal costs "
                "times the multiplier (impact at the run's AUM); 1/N replayed at the same level.",
                "cost sensitivity",
            )
        )
        parts.append("<h3>Break-even cost multiplier (edge over 1/N vanishes)</h3>")
        parts.append(
            _table(
                data.break_even[["break_even_cost_multiplier"]],
                rename={"break_even_cost_multiplier": "Sharpe edge vanishes at"},
            )
        )
        parts.append("<details><summary>Table</summary>")
        parts.append(_level_table(data.cost_summary, _num(".2f")))
        parts.append("</details>")
    parts.append("</section>")
    return "".join(parts)


def _capacity_section(data: ReportData) -> str:
    parts = ['<section id="capacity"><h2>Capacity</h2>']
    if data.capacity_summary is None:
        parts.append(_notes(data, "capacity"))
    else:
        parts.append(
            _figure(
                figures.capacity_figure(data.capacity_summary, data.view),
                "Recorded decisions replayed at each AUM through the env's square-root impact "
                "and participation cap; 1/N replayed at the same AUM. Alpha: intercept of the "
                "agent's excess return regressed on 1/N's, annualised.",
                "capacity curve",
            )
        )
        parts.append("<h3>Break-even AUM (edge over 1/N vanishes)</h3>")
        parts.append(
            _table(
                data.break_even[["break_even_aum", "break_even_aum_alpha"]],
                rename={
                    "break_even_aum": "Sharpe edge vanishes at",
                    "break_even_aum_alpha": "alpha vanishes at",
                },
            )
        )
        parts.append("<details><summary>Table</summary>")
        parts.append(_level_table(data.capacity_summary, lambda v: figures._dollars(float(v))))
        parts.append("</details>")
    parts.append(f'<p class="note">{_esc(PAPER_PORTFOLIO_NOTE)}</p></section>')
    return "".join(parts)


def _attribution_section(data: ReportData) -> str:
    parts = ['<section id="attribution"><h2>Attribution</h2>']
    att = data.attribution
    if att is None:
        parts.append(_notes(data, "attribution"))
    else:
        parts.append(
            _figure(
                figures.attribution_figure(
                    att,
                    data.view.assets,
                    frame_without=[a for a, r in data.view.roles.items() if r == UPPER_BOUND],
                ),
                "Annualised mean of w·x per asset (executed weights times the month's excess "
                "return) and of each cost; the diamond is the recorded net return over rf. An "
                "upper bound's bar may leave the frame.",
                "attribution",
            )
        )
        parts.append(_table(att, default=PCT))
        parts.append(_notes(data, "attribution"))
    parts.append("</section>")
    return "".join(parts)


def _monitoring_section(data: ReportData) -> str:
    th = data.thresholds
    parts = ['<section id="monitoring"><h2>Monitoring</h2>']
    fig = figures.rolling_figure(data.rolling_sharpe, data.rolling_ir, data.view, th.window)
    if fig is not None:
        parts.append(
            _figure(fig, "Trailing-window ratios of the stitched out-of-sample months.", "rolling")
        )
    parts.append(
        f'<p class="rule">Alert thresholds: rolling {th.window}-month Sharpe ends below '
        f"{th.min_sharpe:g}; rolling information ratio vs 1/N ends below "
        f"{th.min_information_ratio:g}; mean validation Sharpe exceeds test Sharpe by more than "
        f"{th.max_validation_gap:g}; a fold's test months against its training months: PSI > "
        f"{th.max_psi:g} with chi-squared p < {th.min_pvalue:g}, or KS p < {th.min_pvalue:g} "
        "(per column and fold, unadjusted).</p>"
    )
    if data.alerts:
        items = "".join(
            f'<li class="alert"><b>{_esc(a.kind)}</b> · {_esc(a.subject)}: {_esc(a.message)}</li>'
            for a in data.alerts
        )
        parts.append(f"<h3>Alerts ({len(data.alerts)})</h3><ul>{items}</ul>")
    else:
        parts.append("<h3>Alerts</h3><p>No threshold crossed.</p>")
    if not data.gap.empty:
        parts.append("<h3>Validation against test Sharpe ratio (trial ledger)</h3>")
        parts.append(
            _table(
                data.gap,
                {
                    "validation_sharpe": F2,
                    "test_sharpe": F2,
                    "gap": F2,
                    "rank_corr": F2,
                    "trials": _num(".0f"),
                },
            )
        )
    if data.drift is not None and not data.drift.empty:
        worst = (
            data.drift.sort_values("psi", ascending=False).head(20).set_index(["fold", "column"])
        )
        parts.append("<h3>Drift between training and test months (largest PSI first)</h3>")
        parts.append(
            _table(
                worst,
                {
                    "ks_stat": F3,
                    "ks_pvalue": P3,
                    "psi": F3,
                    "psi_pvalue": P3,
                    "mean_train": _num(".4f"),
                    "mean_test": _num(".4f"),
                    "std_train": _num(".4f"),
                    "std_test": _num(".4f"),
                },
            )
        )
    parts.append(_notes(data, "monitoring"))
    parts.append("</section>")
    return "".join(parts)


def _forecast_section(data: ReportData) -> str:
    parts = ['<section id="forecasts"><h2>Forecasts</h2>']
    if data.forecast_skill is not None:
        parts.append("<h3>Out-of-sample skill over the decision months</h3>")
        parts.append(
            _table(
                data.forecast_skill,
                {
                    "r2_hm": PCT,
                    "r2_zero": PCT,
                    "ic": F3,
                    "hit_rate": PCT,
                    "cw_stat": F2,
                    "cw_pvalue": P3,
                    "n_months": _num(".0f"),
                },
            )
        )
    parts.append(_notes(data, "forecasts"))
    parts.append("</section>")
    return "".join(parts)


def _folds_section(data: ReportData) -> str:
    t = data.folds_table.copy()
    t.columns = [_label(c) for c in t.columns]
    fmt = {"months": _num(".0f")}
    return (
        '<section id="folds"><h2>Per-fold results (Sharpe ratio, net)</h2>'
        + _table(t, fmt, default=F2)
        + "</section>"
    )


_SECTIONS = (
    ("verdict", "Verdict"),
    ("summary", "Run"),
    ("performance", "Metrics"),
    ("significance", "Significance"),
    ("wealth", "Wealth"),
    ("weights", "Weights"),
    ("regimes", "Regimes"),
    ("subperiods", "Subperiods"),
    ("costs", "Costs"),
    ("capacity", "Capacity"),
    ("attribution", "Attribution"),
    ("monitoring", "Monitoring"),
    ("forecasts", "Forecasts"),
    ("folds", "Folds"),
)


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML document (no script, no external resource)."""
    name = str(data.view.manifest.get("run_id", "run"))
    nav = "".join(f'<a href="#{k}">{_esc(t)}</a>' for k, t in _SECTIONS)
    body = "".join(
        [
            _verdict_section(data),
            _summary_section(data),
            _performance_section(data),
            _significance_section(data),
            _wealth_section(data),
            _weights_section(data),
            _regime_section(data),
            _subperiod_section(data),
            _costs_section(data),
            _capacity_section(data),
            _attribution_section(data),
            _monitoring_section(data),
            _forecast_section(data),
            _folds_section(data),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>factorgym report: {_esc(name)}</title><style>{_CSS}</style></head>"
        f"<body><main><h1>factorgym report: {_esc(name)}</h1>"
        f'<p class="rule">Does any agent beat 1/N out of sample, after costs and after counting '
        f"every trial? Generated {data.generated_at} by factorgym {__version__}.</p>"
        f"<nav>{nav}</nav>{body}</main></body></html>\n"
    )
