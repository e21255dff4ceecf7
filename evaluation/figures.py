"""The report's figures: matplotlib ``Figure`` objects rendered by the Agg canvas, no pyplot.

Upper bounds (oracles) are drawn dotted and do not set the y-range: the frame fits 1/N and
the contenders, so an oracle earning 50 % a year does not flatten every other line.

Figures are built on :class:`matplotlib.figure.Figure` with a
:class:`~matplotlib.backends.backend_agg.FigureCanvasAgg`: no global pyplot state, no
interactive backend, nothing left open. :func:`png_data_uri` renders one to an inline
``data:image/png;base64,...`` URI and refuses a figure without data (:func:`has_data`), so the
report never embeds an empty frame.

Every plotting function returns ``None`` when there is nothing to plot (the report then says
why instead).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, PercentFormatter

from factorgym.errors import DataError
from factorgym.evaluation.drawdown import drawdown_series
from factorgym.evaluation.run_series import CONTENDER, UPPER_BOUND, RunView
from factorgym.experiments.units import BENCHMARK

__all__ = [
    "attribution_figure",
    "capacity_figure",
    "cost_sensitivity_figure",
    "drawdown_figure",
    "has_data",
    "png_data_uri",
    "regime_figure",
    "rolling_figure",
    "wealth_figure",
    "weights_figure",
]

BENCH_LABEL = "1/N (benchmark)"
_DPI = 100


def _figure(width: float = 10.0, height: float = 4.2) -> Figure:
    fig = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def has_data(fig: Figure) -> bool:
    """True if some axes hold a line with >= 2 finite points, a non-empty collection or bar."""
    for ax in fig.get_axes():
        for line in ax.get_lines():
            x, y = (np.asarray(v, dtype=float) for v in line.get_data())
            if np.sum(np.isfinite(x) & np.isfinite(y)) >= 2:
                return True
        for coll in ax.collections:
            if isinstance(coll, Collection) and len(coll.get_paths()):
                return True
        for patch in ax.patches:
            if isinstance(patch, Rectangle) and patch.get_width() != 0 and patch.get_height() != 0:
                return True
    return False


def png_data_uri(fig: Figure) -> str:
    """``fig`` as a ``data:image/png;base64,...`` URI (then the figure is cleared).

    Raises
    ------
    DataError
        If the figure holds no data (an empty frame is never embedded).
    """
    if not has_data(fig):
        raise DataError("refusing to embed a figure without data")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    fig.clear()
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _dates(months: pd.PeriodIndex) -> pd.DatetimeIndex:
    return months.to_timestamp(how="end").normalize()


def _style(view: RunView, agent: str) -> dict[str, object]:
    if agent == BENCHMARK:
        return {"color": "black", "linestyle": "--", "linewidth": 1.6, "label": BENCH_LABEL}
    i = list(view.agents).index(agent)
    style: dict[str, object] = {"color": _colour(i, len(view.agents)), "linewidth": 1.2}
    style["label"] = agent
    if view.roles.get(agent) != CONTENDER:
        style["linestyle"] = ":"
        style["label"] = f"{agent} ({view.roles.get(agent)})"
    return style


def _colour(i: int, n: int) -> object:
    """Colour ``i`` of ``n``: the default cycle up to 10 series, tab20 beyond (no repeats)."""
    if n <= 10:
        return f"C{i % 10}"
    return colormaps["tab20"](i % 20)


def _frame_without_upper_bounds(ax: Axes, view: RunView, series: dict[str, np.ndarray]) -> None:
    """Fit the y-axis to 1/N and the contenders when an upper bound is drawn (it may leave it)."""
    bounds = [a for a in series if a != BENCHMARK and view.roles.get(a) == UPPER_BOUND]
    inside = [np.asarray(v, dtype=float) for a, v in series.items() if a not in bounds]
    values = np.concatenate([v[np.isfinite(v)] for v in inside]) if inside else np.array([])
    if not bounds or values.size < 2:
        return
    lo, hi = float(values.min()), float(values.max())
    if ax.get_yscale() == "log":
        pad = (hi / lo) ** 0.06 if lo > 0 and hi > lo else 1.1
        ax.set_ylim(lo / pad, hi * pad)
    else:
        pad = 0.06 * (hi - lo) if hi > lo else 0.1
        ax.set_ylim(lo - pad, hi + pad)


def _legend(fig: Figure, ax: Axes) -> None:
    """One legend to the right of the axes (never over the data)."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside right upper", fontsize=8, frameon=False)


def wealth_figure(view: RunView) -> Figure:
    """Growth of $1 (net of costs, log scale) of every agent and 1/N, months stitched."""
    fig = _figure()
    ax = fig.add_subplot()
    x = _dates(view.months)
    series = {}
    for agent in [BENCHMARK, *view.agents]:
        series[agent] = np.cumprod(1.0 + view.net[agent].to_numpy())
        ax.plot(x, series[agent], **_style(view, agent))  # type: ignore[arg-type]
    ax.set_yscale("log")
    _frame_without_upper_bounds(ax, view, series)
    ax.set_ylabel("wealth of $1 (log scale, net of costs)")
    ax.set_xlabel("month (out of sample, folds stitched)")
    ax.set_title("Out-of-sample wealth")
    ax.grid(True, which="both", alpha=0.3)
    _legend(fig, ax)
    return fig


def drawdown_figure(view: RunView) -> Figure:
    """Drawdown of compounded net wealth from its running peak, every agent and 1/N."""
    fig = _figure(height=3.6)
    ax = fig.add_subplot()
    x = _dates(view.months)
    series = {}
    for agent in [BENCHMARK, *view.agents]:
        series[agent] = -drawdown_series(view.net[agent].to_numpy())
        ax.plot(x, series[agent], **_style(view, agent))  # type: ignore[arg-type]
    _frame_without_upper_bounds(ax, view, series)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("drawdown from peak")
    ax.set_xlabel("month")
    ax.set_title("Drawdowns (net of costs)")
    ax.grid(True, alpha=0.3)
    _legend(fig, ax)
    return fig


def weights_figure(view: RunView, agents: Sequence[str]) -> Figure | None:
    """Executed weights over time of each agent's first seed (stacked when long-only)."""
    agents = [a for a in agents if a in view.first_seed_weights]
    if not agents or not view.assets:
        return None
    ncols = 2 if len(agents) > 1 else 1
    nrows = int(np.ceil(len(agents) / ncols))
    fig = _figure(width=10.0, height=2.4 * nrows + 0.6)
    x = _dates(view.months)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    for k, agent in enumerate(agents):
        ax = axes[k // ncols][k % ncols]
        w = view.first_seed_weights[agent]
        seed = view.seeds.get(agent, (0,))[0]
        if (w.to_numpy() >= -1e-12).all():
            ax.stackplot(x, w.to_numpy().T, labels=list(view.assets), alpha=0.85)
            ax.set_ylim(0.0, max(1.0, float(w.sum(axis=1).max()) * 1.05))
        else:
            for j, asset in enumerate(view.assets):
                ax.plot(x, w[asset], label=asset, color=f"C{j % 10}", linewidth=1.0)
            ax.axhline(0.0, color="grey", linewidth=0.6)
        title = "1/N" if agent == BENCHMARK else agent
        ax.set_title(f"{title} (seed {seed})", fontsize=9)
        ax.set_ylabel("weight")
        ax.grid(True, alpha=0.3)
    for k in range(len(agents), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 8), fontsize=8)
    fig.suptitle("Executed weights over time (the rest is cash)", fontsize=11)
    return fig


def regime_figure(view: RunView) -> Figure | None:
    """Filtered regime probabilities at each decision month, the most probable state shaded."""
    if not view.regimes.shape[1]:
        return None
    probs = view.regimes
    ok = probs.notna().all(axis=1).to_numpy()
    if ok.sum() < 2:
        return None
    fig = _figure(height=3.4)
    ax = fig.add_subplot()
    x = _dates(view.months)
    state = np.argmax(np.nan_to_num(probs.to_numpy(), nan=-1.0), axis=1)
    edges = np.r_[0, np.flatnonzero(np.diff(state) != 0) + 1, len(state)]
    shaded: set[int] = set()
    step = pd.Timedelta(days=15)
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if not ok[a]:
            continue
        k = int(state[a])
        ax.axvspan(
            x[a] - step,
            x[b - 1] + step,
            color=f"C{k % 10}",
            alpha=0.15,
            linewidth=0,
            label=None if k in shaded else f"state {k} most probable",
        )
        shaded.add(k)
    for j, col in enumerate(probs.columns):
        ax.plot(x, probs[col], color=f"C{j % 10}", linewidth=1.2, label=f"P({col})")
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("filtered probability")
    ax.set_xlabel("decision month")
    ax.set_title("Regime probabilities (filtered: data up to each month only)")
    ax.grid(True, alpha=0.3)
    _legend(fig, ax)
    return fig


def _level_panels(
    summary: pd.DataFrame, view: RunView, *, log: bool, xlabel: str, title: str, alpha: bool
) -> Figure | None:
    if summary.empty:
        return None
    levels = sorted(summary.index.get_level_values("level").unique())
    agents = [a for a in [BENCHMARK, *view.agents] if a in summary.index.get_level_values("agent")]
    fig = _figure(height=4.0)
    ax1, ax2 = fig.subplots(1, 2)
    first: dict[str, np.ndarray] = {}
    second: dict[str, np.ndarray] = {}
    for agent in agents:
        part = summary.xs(agent, level="agent").reindex(levels)
        style = _style(view, agent)
        first[agent] = part["sharpe"].to_numpy()
        ax1.plot(levels, first[agent], marker="o", markersize=3, **style)
        if agent != BENCHMARK:
            second[agent] = (part["alpha_1n"] if alpha else part["sharpe_diff"]).to_numpy()
            ax2.plot(levels, second[agent], marker="o", markersize=3, **style)
    _frame_without_upper_bounds(ax1, view, first)
    _frame_without_upper_bounds(ax2, view, {BENCHMARK: np.zeros(len(levels)), **second})
    ax2.axhline(0.0, color="black", linestyle="--", linewidth=1.0, label="no edge over 1/N")
    if alpha:
        ax2.yaxis.set_major_formatter(PercentFormatter(1.0))
    for ax in (ax1, ax2):
        if log:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(_dollars))
        ax.set_xlabel(xlabel)
        ax.grid(True, alpha=0.3)
    ax1.set_ylabel("Sharpe ratio (net, annualised)")
    if alpha:
        ax2.set_ylabel("alpha on 1/N at the same level (annualised)")
        ax2.set_title("Alpha over 1/N", fontsize=10)
    else:
        ax2.set_ylabel("Sharpe ratio minus 1/N's at the same level")
        ax2.set_title("Edge over 1/N (Sharpe difference)", fontsize=10)
    ax1.set_title(title, fontsize=10)
    _legend(fig, ax1)
    return fig


def _dollars(v: float, _pos: object = None) -> str:
    for unit, scale in (("bn", 1e9), ("m", 1e6), ("k", 1e3)):
        if abs(v) >= scale:
            return f"${v / scale:.3g}{unit}"
    return f"${v:.3g}"


def capacity_figure(summary: pd.DataFrame, view: RunView) -> Figure | None:
    """Sharpe ratio and alpha on 1/N against AUM (from :func:`level_summary` of capacity)."""
    return _level_panels(
        summary,
        view,
        log=True,
        xlabel="assets under management",
        title="Sharpe ratio vs AUM",
        alpha=True,
    )


def cost_sensitivity_figure(summary: pd.DataFrame, view: RunView) -> Figure | None:
    """Sharpe ratio and edge over 1/N against the cost multiplier."""
    return _level_panels(
        summary,
        view,
        log=False,
        xlabel="multiplier of proportional + internal costs",
        title="Sharpe ratio vs costs",
        alpha=False,
    )


def rolling_figure(
    sharpe: pd.DataFrame, ir: pd.DataFrame, view: RunView, window: int
) -> Figure | None:
    """Rolling Sharpe ratio (with 1/N) and rolling information ratio against 1/N."""
    if sharpe.dropna(how="all").shape[0] < 2:
        return None
    fig = _figure(height=5.6)
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    x = _dates(view.months)
    for agent in sharpe.columns:
        ax1.plot(x, sharpe[agent], **_style(view, agent))
    for agent in ir.columns:
        ax2.plot(x, ir[agent], **_style(view, agent))
    _frame_without_upper_bounds(ax1, view, {a: sharpe[a].to_numpy() for a in sharpe.columns})
    _frame_without_upper_bounds(
        ax2, view, {BENCHMARK: np.zeros(len(ir)), **{a: ir[a].to_numpy() for a in ir.columns}}
    )
    for ax in (ax1, ax2):
        ax.axhline(0.0, color="grey", linewidth=0.8)
        ax.grid(True, alpha=0.3)
    ax1.set_ylabel(f"{window}-month Sharpe")
    ax2.set_ylabel(f"{window}-month IR vs 1/N")
    ax2.set_xlabel("month (end of the window)")
    ax1.set_title(f"Rolling {window}-month ratios (out of sample)", fontsize=10)
    _legend(fig, ax1)
    return fig


#: Greys for the cost components (the assets take the colour cycle).
_COST_COLOURS = {
    "cost_proportional": "#4d4d4d",
    "cost_internal": "#8c8c8c",
    "cost_impact": "#c7c7c7",
}


def attribution_figure(
    attribution: pd.DataFrame, assets: Sequence[str], *, frame_without: Sequence[str] = ()
) -> Figure | None:
    """Annualised contributions of each asset and each cost to every agent's net return.

    Rows named in ``frame_without`` (upper bounds) do not set the x-range; they may leave it.
    """
    if attribution.empty:
        return None
    parts = [*assets, *[c for c in attribution.columns if c.startswith("cost_")]]
    fig = _figure(height=0.45 * len(attribution) + 1.8)
    ax = fig.add_subplot()
    y = np.arange(len(attribution))
    pos = np.zeros(len(attribution))
    neg = np.zeros(len(attribution))
    for j, col in enumerate(parts):
        v = attribution[col].to_numpy(dtype=float)
        left = np.where(v >= 0, pos, neg)
        color = f"C{j % 10}" if col in assets else _COST_COLOURS.get(col, "#666666")
        ax.barh(y, v, left=left, height=0.6, label=col.replace("cost_", "cost: "), color=color)
        pos += np.where(v >= 0, v, 0.0)
        neg += np.where(v < 0, v, 0.0)
    net_excess = attribution["recorded_net"] - attribution["rf"]
    ax.scatter(net_excess, y, color="black", zorder=3, marker="D", s=18, label="net excess return")
    keep = ~np.isin(attribution.index.to_numpy(), list(frame_without))
    if frame_without and keep.sum() >= 1:
        lo, hi = min(0.0, float(neg[keep].min())), max(0.0, float(pos[keep].max()))
        pad = 0.05 * (hi - lo) if hi > lo else 0.01
        ax.set_xlim(lo - pad, hi + pad)
    ax.set_yticks(y, ["1/N" if a == BENCHMARK else str(a) for a in attribution.index])
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("annualised contribution to the return over rf")
    ax.set_title("Return attribution: assets (mean w·x) and costs", fontsize=10)
    ax.grid(True, axis="x", alpha=0.3)
    _legend(fig, ax)
    return fig
