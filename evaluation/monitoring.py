"""Monitoring an out-of-sample track record: rolling ratios, data drift, alerts.

- :func:`rolling_ratios`: the Sharpe ratio and the information ratio against 1/N over a
  trailing window (36 months by default) of the stitched out-of-sample months;
- :func:`population_stability_index` and :func:`drift_table`: how far each fold's test
  months moved from its training months, per column (Kolmogorov-Smirnov two-sample test and
  the PSI with its chi-squared p-value);
- :func:`validation_gap`: validation-window Sharpe ratio against test-window Sharpe ratio of
  every trial in the ledger (what selection on validation promised, and what came);
- :func:`monitoring_alerts`: the crossings of the stated :class:`MonitoringThresholds`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from factorgym.errors import DataError
from factorgym.evaluation.metrics import information_ratio, sharpe_ratio
from factorgym.evaluation.run_series import RunView
from factorgym.validation import check_int, check_real

__all__ = [
    "Alert",
    "MonitoringThresholds",
    "drift_table",
    "monitoring_alerts",
    "population_stability_index",
    "psi_bins",
    "rolling_ratios",
    "validation_gap",
]


@dataclass(frozen=True)
class MonitoringThresholds:
    """When the monitor raises an alert.

    Parameters
    ----------
    window : int
        Months of the rolling ratios (36).
    min_sharpe : float
        Alert when an agent's rolling Sharpe ratio ends below this (0).
    min_information_ratio : float
        Alert when its rolling information ratio against 1/N ends below this (-0.5: it lags
        1/N by half its tracking error a year).
    max_psi : float
        Alert when a test window's PSI against its training window exceeds this (0.25, the
        usual "significant shift" mark; 0.1-0.25 is a moderate shift) *and* its p-value is
        below ``min_pvalue`` (short windows give large PSIs by chance).
    min_pvalue : float
        Alert when the KS two-sample p-value falls below this (0.01); also the PSI's.
    max_validation_gap : float
        Alert when an agent's mean validation Sharpe ratio exceeds its mean test Sharpe ratio
        by more than this (1.0, annualised).
    """

    window: int = 36
    min_sharpe: float = 0.0
    min_information_ratio: float = -0.5
    max_psi: float = 0.25
    min_pvalue: float = 0.01
    max_validation_gap: float = 1.0

    def __post_init__(self) -> None:
        check_int("window", self.window, minimum=6)
        check_real("min_sharpe", self.min_sharpe)
        check_real("min_information_ratio", self.min_information_ratio)
        check_real("max_psi", self.max_psi, low=0.0, low_open=True)
        check_real("min_pvalue", self.min_pvalue, low=0.0, high=1.0, low_open=True)
        check_real("max_validation_gap", self.max_validation_gap, low=0.0)


@dataclass(frozen=True)
class Alert:
    """One crossed threshold: ``kind`` (performance, drift, overfitting), who, and what."""

    kind: str
    subject: str
    message: str


def rolling_ratios(
    view: RunView, *, window: int = 36, periods_per_year: int = 12
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rolling Sharpe ratio (every agent and 1/N) and information ratio against 1/N.

    Parameters
    ----------
    view : RunView
    window : int
        Months in each window; the value at month ``t`` uses months ``t - window + 1 .. t``.
    periods_per_year : int

    Returns
    -------
    (DataFrame, DataFrame)
        Sharpe ratios of shape (n_months, 1 + n_agents) and information ratios of shape
        (n_months, n_agents), annualised; NaN for the first ``window - 1`` months.
    """
    w = check_int("window", window, minimum=6)
    ppy = check_int("periods_per_year", periods_per_year, minimum=1)
    net = view.net
    agents = list(view.agents)
    sharpe = pd.DataFrame(np.nan, index=view.months, columns=net.columns)
    ir = pd.DataFrame(np.nan, index=view.months, columns=agents)
    for end in range(w, len(net) + 1):
        sl = slice(end - w, end)
        block = net.iloc[sl]
        sharpe.iloc[end - 1] = sharpe_ratio(block, rf=view.rf.iloc[sl], periods_per_year=ppy)
        if agents:
            ir.iloc[end - 1] = information_ratio(
                block[agents], view.benchmark.iloc[sl], periods_per_year=ppy
            )
    return sharpe, ir


def psi_bins(n_expected: int, n_actual: int, *, max_bins: int = 10, per_bin: int = 5) -> int:
    """Bins for a PSI of samples of ``n_expected`` and ``n_actual`` values.

    At most ``max_bins``, and few enough that the smaller sample puts ``per_bin`` values in each
    on average (at least 2): with 48 test months and 10 bins the PSI of two samples of the
    *same* distribution averages ``(B - 1)(1/n + 1/m)`` ~ 0.3, above the usual 0.25 alarm.
    """
    n = min(
        check_int("n_expected", n_expected, minimum=0), check_int("n_actual", n_actual, minimum=0)
    )
    return max(2, min(check_int("max_bins", max_bins, minimum=2), n // per_bin))


def population_stability_index(
    expected: object, actual: object, *, bins: int = 10
) -> tuple[float, float]:
    """PSI of ``actual`` against ``expected`` and its p-value under "no shift".

    ``PSI = sum_i (a_i - e_i) ln(a_i / e_i)``, ``e_i`` and ``a_i`` the shares of each sample in
    the bins cut at the ``bins``-quantiles of ``expected`` (open outer bins); shares are
    floored at ``1e-4`` so an empty bin counts as a large but finite shift (Siddiqi 2006,
    *Credit Risk Scorecards*, Wiley, ch. 8: the stability index and its 0.1 / 0.25 marks).
    With no shift, ``PSI / (1/n + 1/m)`` is approximately chi-squared with ``B - 1`` degrees
    of freedom (Yurdakul 2018, "Statistical properties of population stability index", PhD
    thesis, Western Michigan University, ch. 3): the p-value is its upper tail.

    Parameters
    ----------
    expected, actual : array-like of shape (n,) and (m,)
        Reference (training) and new (test) samples, finite, ``n, m >= 2``.
    bins : int
        Number of quantile bins (>= 2; fewer if ``expected`` has ties).

    Returns
    -------
    (float, float)
        The PSI and its p-value.

    Raises
    ------
    DataError
        For non-finite or too short samples.
    """
    b = check_int("bins", bins, minimum=2)
    e = np.asarray(expected, dtype=np.float64).ravel()
    a = np.asarray(actual, dtype=np.float64).ravel()
    if e.size < 2 or a.size < 2 or not (np.all(np.isfinite(e)) and np.all(np.isfinite(a))):
        raise DataError(
            f"`expected` and `actual` must hold >= 2 finite values, got {e.size} and {a.size}"
        )
    inner = np.unique(np.quantile(e, np.linspace(0.0, 1.0, b + 1)[1:-1]))
    e_share = np.bincount(np.searchsorted(inner, e, side="right"), minlength=inner.size + 1)
    a_share = np.bincount(np.searchsorted(inner, a, side="right"), minlength=inner.size + 1)
    p = np.maximum(e_share / e.size, 1e-4)
    q = np.maximum(a_share / a.size, 1e-4)
    psi = float(np.sum((q - p) * np.log(q / p)))
    pvalue = float(stats.chi2.sf(psi / (1.0 / e.size + 1.0 / a.size), inner.size))
    return psi, pvalue


def _months(start: str, end: str) -> pd.PeriodIndex:
    return pd.period_range(pd.Period(start, freq="M"), pd.Period(end, freq="M"), freq="M")


def drift_table(data: pd.DataFrame, folds: pd.DataFrame, *, bins: int = 10) -> pd.DataFrame:
    """Per fold and column: KS test and PSI of the test months against the training months.

    Parameters
    ----------
    data : DataFrame of shape (n_months, n_columns)
        Monthly values indexed by month (asset returns, or features).
    folds : DataFrame
        The run's folds table (``fold``, ``role`` in train/validation/test, ``start``,
        ``end``); a fold's test months are the union of its test windows.
    bins : int
        Most PSI bins (fewer for short windows, :func:`psi_bins`).

    Returns
    -------
    DataFrame
        One row per (``fold``, ``column``): ``train``, ``test`` (``"start..end"``),
        ``ks_stat``, ``ks_pvalue`` (two-sided, scipy ``ks_2samp``), ``psi``, ``psi_pvalue``,
        ``mean_train``,
        ``mean_test``, ``std_train``, ``std_test``.

    Raises
    ------
    DataError
        If ``folds`` lacks a column, or a window has fewer than 2 months of ``data``.
    """
    need = ("fold", "role", "start", "end")
    missing = [c for c in need if c not in folds.columns]
    if missing:
        raise DataError(f"`folds` must have the columns {list(need)}; missing {missing}")
    rows = []
    for fold, part in folds.groupby("fold", sort=True):
        train = part.loc[part["role"] == "train"]
        tests = part.loc[part["role"] == "test"]
        if train.empty or tests.empty:
            continue
        tr_m = _months(train["start"].iloc[0], train["end"].iloc[0])
        te_m = pd.PeriodIndex(
            sorted({m for _, r in tests.iterrows() for m in _months(r["start"], r["end"])}),
            freq="M",
        )
        tr = data.reindex(tr_m).dropna(how="any")
        te = data.reindex(te_m).dropna(how="any")
        if len(tr) < 2 or len(te) < 2:
            raise DataError(
                f"fold {fold}: `data` holds {len(tr)} training and {len(te)} test months; "
                "need >= 2 of each"
            )
        for col in data.columns:
            x, y = tr[col].to_numpy(), te[col].to_numpy()
            ks = stats.ks_2samp(x, y)
            psi, psi_p = population_stability_index(
                x, y, bins=psi_bins(len(x), len(y), max_bins=bins)
            )
            rows.append(
                {
                    "fold": int(fold),
                    "column": str(col),
                    "train": f"{tr_m[0]}..{tr_m[-1]}",
                    "test": f"{te_m[0]}..{te_m[-1]}",
                    "ks_stat": float(ks.statistic),
                    "ks_pvalue": float(ks.pvalue),
                    "psi": psi,
                    "psi_pvalue": psi_p,
                    "mean_train": float(x.mean()),
                    "mean_test": float(y.mean()),
                    "std_train": float(x.std(ddof=1)),
                    "std_test": float(y.std(ddof=1)),
                }
            )
    return pd.DataFrame(rows)


def validation_gap(ledger: pd.DataFrame) -> pd.DataFrame:
    """Validation against test Sharpe ratio per agent, from the trial ledger.

    Returns
    -------
    DataFrame indexed by agent
        ``validation_sharpe`` and ``test_sharpe`` (means over its folds and seeds), ``gap``
        (their difference), ``rank_corr`` (Spearman correlation of validation and test
        Sharpe ratios over the agent's trials and folds; NaN with fewer than 3) and
        ``trials``. Empty if the ledger has no validation scores.
    """
    need = ("agent", "validation_sharpe", "test_sharpe")
    if ledger.empty or any(c not in ledger.columns for c in need):
        return pd.DataFrame()
    led = ledger.loc[np.isfinite(ledger["validation_sharpe"].astype(float))]
    led = led.loc[np.isfinite(led["test_sharpe"].astype(float))]
    rows = {}
    for agent, part in led.groupby("agent", sort=False):
        v = part["validation_sharpe"].to_numpy(dtype=float)
        t = part["test_sharpe"].to_numpy(dtype=float)
        corr = float("nan")
        if len(v) >= 3 and np.ptp(v) > 0 and np.ptp(t) > 0:
            corr = float(stats.spearmanr(v, t).statistic)
        rows[agent] = {
            "validation_sharpe": float(v.mean()),
            "test_sharpe": float(t.mean()),
            "gap": float(v.mean() - t.mean()),
            "rank_corr": corr,
            "trials": len(v),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "agent"
    return out


def monitoring_alerts(
    rolling_sharpe: pd.DataFrame,
    rolling_ir: pd.DataFrame,
    *,
    agents: list[str],
    drift: pd.DataFrame | None = None,
    gap: pd.DataFrame | None = None,
    thresholds: MonitoringThresholds | None = None,
) -> list[Alert]:
    """Every threshold crossed, in a fixed order (performance, overfitting, drift).

    Parameters
    ----------
    rolling_sharpe, rolling_ir : DataFrame
        From :func:`rolling_ratios`.
    agents : list of str
        Agents to monitor (the contenders).
    drift : DataFrame, optional
        From :func:`drift_table`.
    gap : DataFrame, optional
        From :func:`validation_gap`.
    thresholds : MonitoringThresholds, optional
    """
    th = MonitoringThresholds() if thresholds is None else thresholds
    alerts: list[Alert] = []
    for agent in agents:
        sr = rolling_sharpe[agent].dropna() if agent in rolling_sharpe else pd.Series(dtype=float)
        if len(sr) and sr.iloc[-1] < th.min_sharpe:
            alerts.append(
                Alert(
                    "performance",
                    agent,
                    f"rolling {th.window}-month Sharpe ratio ends at {sr.iloc[-1]:.2f} "
                    f"(< {th.min_sharpe:g}); below it in {float((sr < th.min_sharpe).mean()):.0%}"
                    " of windows",
                )
            )
        ir = rolling_ir[agent].dropna() if agent in rolling_ir else pd.Series(dtype=float)
        if len(ir) and ir.iloc[-1] < th.min_information_ratio:
            alerts.append(
                Alert(
                    "performance",
                    agent,
                    f"rolling {th.window}-month information ratio vs 1/N ends at "
                    f"{ir.iloc[-1]:.2f} (< {th.min_information_ratio:g})",
                )
            )
    if gap is not None and not gap.empty:
        for agent in agents:
            if agent in gap.index and gap.loc[agent, "gap"] > th.max_validation_gap:
                alerts.append(
                    Alert(
                        "overfitting",
                        agent,
                        f"mean validation Sharpe {gap.loc[agent, 'validation_sharpe']:.2f} vs "
                        f"test {gap.loc[agent, 'test_sharpe']:.2f} (gap > "
                        f"{th.max_validation_gap:g})",
                    )
                )
    if drift is not None and not drift.empty:
        psi_shift = (drift["psi"] > th.max_psi) & (drift["psi_pvalue"] < th.min_pvalue)
        flagged = drift.loc[psi_shift | (drift["ks_pvalue"] < th.min_pvalue)]
        for fold, part in flagged.groupby("fold", sort=True):
            what = ", ".join(
                f"{r.column} (PSI {r.psi:.2f}, KS p {r.ks_pvalue:.3f})" for r in part.itertuples()
            )
            alerts.append(
                Alert(
                    "drift",
                    f"fold {fold}",
                    f"test months {part['test'].iloc[0]} differ from training months "
                    f"{part['train'].iloc[0]} (PSI > {th.max_psi:g} with p < {th.min_pvalue:g}, "
                    f"or KS p < {th.min_pvalue:g}): {what}",
                )
            )
    return alerts
