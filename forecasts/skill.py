"""Out-of-sample skill of return forecasts: OOS R², information coefficient, hit rate, Clark-West.

Conventions: ``y_true[t]`` is the realised ``x_{t+1}`` and ``y_pred[t]`` the forecast of it made
at the end of month ``t`` (rows of a forecast frame and of
:func:`~factorgym.forecasts.next_month_labels`). Array functions take rows already aligned and
finite; :func:`skill_table` does the alignment for forecast frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from factorgym._typing import FloatArray
from factorgym.errors import ConfigError, DataError
from factorgym.forecasts.features import next_month_labels
from factorgym.panel import FactorPanel

__all__ = [
    "ClarkWestResult",
    "clark_west_test",
    "hit_rate",
    "information_coefficient",
    "oos_r2",
    "prevailing_mean",
    "skill_table",
]


def _pair(y_true: object, y_pred: object, *names: str) -> tuple[FloatArray, FloatArray]:
    a = np.asarray(y_true, dtype=np.float64)
    b = np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape or a.ndim not in (1, 2) or a.shape[0] < 2:
        raise DataError(
            f"`{names[0]}` and `{names[1]}` must have the same 1-D or 2-D shape with >= 2 rows, "
            f"got {a.shape} and {b.shape}"
        )
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise DataError(f"`{names[0]}` and `{names[1]}` must be finite; drop NaN rows first")
    return a, b


def prevailing_mean(panel: FactorPanel) -> pd.DataFrame:
    """Historical-mean forecasts: row ``t`` is ``mean(x_0, ..., x_t)``, the forecast of ``x_{t+1}``.

    The benchmark of Campbell and Thompson (2008, "Predicting excess stock returns out of
    sample", RFS 21(4), eq. (7)): it uses exactly the information of the forecast it is
    compared with (months up to ``t``, from the first month of the panel).
    """
    x = np.asarray(panel.returns)
    mean = np.cumsum(x, axis=0) / np.arange(1, panel.n_months + 1)[:, None]
    return pd.DataFrame(mean, index=panel.months.rename("month"), columns=list(panel.assets))


def oos_r2(y_true: object, y_pred: object, y_bench: object | None = None) -> FloatArray:
    """Out-of-sample R² of forecasts against a benchmark forecast.

    ``R²_OS = 1 - sum_t (y_t - ŷ_t)^2 / sum_t (y_t - b_t)^2`` (Campbell and Thompson 2008, eq. 7)
    with ``b`` the prevailing historical mean (:func:`prevailing_mean`) or, when ``y_bench`` is
    None, zero (Gu, Kelly and Xiu 2020 argue the zero benchmark is the harder one for noisy
    historical means). Positive = lower mean squared forecast error than the benchmark.

    Parameters
    ----------
    y_true, y_pred : array of shape (n,) or (n, k)
    y_bench : array of the same shape, optional

    Returns
    -------
    float ndarray of shape () or (k,)
        One R² per column (NaN where the benchmark's squared error is 0).

    Raises
    ------
    DataError
        For mismatched shapes or non-finite values.
    """
    y, f = _pair(y_true, y_pred, "y_true", "y_pred")
    b = np.zeros_like(y) if y_bench is None else _pair(y_true, y_bench, "y_true", "y_bench")[1]
    sse = np.sum((y - f) ** 2, axis=0)
    sse_b = np.sum((y - b) ** 2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sse_b > 0, 1.0 - sse / sse_b, np.nan)


def _spearman_columns(a: FloatArray, b: FloatArray) -> FloatArray:
    """Spearman correlation of matching columns (average ranks for ties; NaN if constant)."""
    ra = stats.rankdata(a, axis=0)
    rb = stats.rankdata(b, axis=0)
    ra = ra - ra.mean(axis=0)
    rb = rb - rb.mean(axis=0)
    denom = np.sqrt(np.sum(ra**2, axis=0) * np.sum(rb**2, axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, np.sum(ra * rb, axis=0) / denom, np.nan)


def information_coefficient(y_true: object, y_pred: object, *, axis: str = "time") -> FloatArray:
    """Spearman rank information coefficient.

    Parameters
    ----------
    y_true, y_pred : array of shape (n_months, n_assets)
        Realised ``x_{t+1}`` and forecasts made at ``t``.
    axis : {"time", "cross_section"}
        ``"time"``: for each asset, the rank correlation over months between forecast and
        outcome (does the forecast tell good months from bad for this factor?); shape
        (n_assets,). ``"cross_section"``: for each month, the rank correlation across assets
        (does it rank the factors?); shape (n_months,), average it for the usual mean IC
        (Grinold and Kahn 2000, *Active Portfolio Management*, ch. 6). Needs >= 2 assets.

    Returns
    -------
    ndarray
        NaN where either side is constant (no ranking to correlate).

    Raises
    ------
    DataError
        For mismatched or non-finite inputs, or a cross-section of fewer than 2 assets.
    ConfigError
        For an unknown ``axis``.
    """
    y, f = _pair(y_true, y_pred, "y_true", "y_pred")
    if y.ndim == 1:
        y, f = y[:, None], f[:, None]
    if axis == "time":
        return _spearman_columns(y, f)
    if axis == "cross_section":
        if y.shape[1] < 2:
            raise DataError(f"a cross-sectional IC needs >= 2 assets, got {y.shape[1]}")
        return _spearman_columns(y.T, f.T)
    raise ConfigError(f"`axis` must be 'time' or 'cross_section', got {axis!r}")


def hit_rate(y_true: object, y_pred: object) -> FloatArray:
    """Share of months in which the forecast has the sign of the outcome.

    A hit is ``sign(ŷ_t) * sign(y_t) > 0``; a zero forecast or outcome counts as a miss.
    Returns one value per column.
    """
    y, f = _pair(y_true, y_pred, "y_true", "y_pred")
    return np.mean(np.sign(y) * np.sign(f) > 0, axis=0)


@dataclass(frozen=True)
class ClarkWestResult:
    """Clark-West MSPE-adjusted test of a forecast against a nested benchmark.

    Attributes
    ----------
    statistic : float
        t-statistic of the mean adjusted loss differential.
    pvalue : float
        One-sided p-value, ``1 - Φ(statistic)`` (H1: the model beats the benchmark).
    mspe_adjusted : float
        Mean of ``f_t`` (see :func:`clark_west_test`).
    n : int
        Number of forecasts.
    hac_lags : int or None
        Newey-West lags used (None = ordinary standard error).
    """

    statistic: float
    pvalue: float
    mspe_adjusted: float
    n: int
    hac_lags: int | None


def clark_west_test(
    y_true: object, y_pred: object, y_bench: object, *, hac_lags: int | None = None
) -> ClarkWestResult:
    """Clark and West (2007) test of equal predictive accuracy for nested models.

    With benchmark forecast ``b_t`` (the parsimonious, nested model, e.g. the historical mean)
    and model forecast ``ŷ_t``,
    ``f_t = (y_t - b_t)^2 - [(y_t - ŷ_t)^2 - (b_t - ŷ_t)^2]``
    (Clark and West 2007, "Approximately normal tests for equal predictive accuracy in nested
    models", J. Econometrics 138, eq. (3.3)). Regress ``f`` on a constant; the one-sided test
    rejects for large t-statistics, using standard normal critical values.

    Parameters
    ----------
    y_true, y_pred, y_bench : array of shape (n,)
    hac_lags : int, optional
        ``None``: ordinary OLS standard error, ``std(f, ddof=1) / sqrt(n)``. An int ``L >= 0``:
        Newey-West (1987) HAC variance with Bartlett weights ``1 - j / (L + 1)`` and no
        small-sample correction (statsmodels ``cov_type="HAC"``, ``use_correction=False``).

    Raises
    ------
    DataError
        For mismatched, non-1-D or non-finite inputs.
    ConfigError
        For a negative or non-integer ``hac_lags``.
    """
    y, f = _pair(y_true, y_pred, "y_true", "y_pred")
    b = _pair(y_true, y_bench, "y_true", "y_bench")[1]
    if y.ndim != 1:
        raise DataError(f"`y_true` must be 1-D (one series), got shape {y.shape}")
    if hac_lags is not None and (
        isinstance(hac_lags, bool) or not isinstance(hac_lags, (int, np.integer)) or hac_lags < 0
    ):
        raise ConfigError(f"`hac_lags` must be None or an int >= 0, got {hac_lags!r}")
    d = (y - b) ** 2 - ((y - f) ** 2 - (b - f) ** 2)
    n = d.size
    mean = float(d.mean())
    if hac_lags is None:
        var = float(np.var(d, ddof=1)) / n
    else:
        e = d - mean
        lrv = float(e @ e) / n
        for j in range(1, min(int(hac_lags), n - 1) + 1):
            lrv += 2.0 * (1.0 - j / (hac_lags + 1.0)) * float(e[j:] @ e[:-j]) / n
        var = lrv / n
    stat = mean / np.sqrt(var) if var > 0 else np.nan
    pvalue = float(stats.norm.sf(stat)) if np.isfinite(stat) else np.nan
    return ClarkWestResult(float(stat), pvalue, mean, int(n), hac_lags)


def skill_table(
    forecasts: Mapping[str, pd.DataFrame],
    panel: FactorPanel,
    *,
    hac_lags: int | None = None,
    common_sample: bool = True,
) -> pd.DataFrame:
    """Skill of each forecast frame for each asset.

    Parameters
    ----------
    forecasts : mapping of name -> DataFrame of shape (n_months, n_assets)
        Forecast frames indexed by the panel's months (row ``t`` forecasts ``x_{t+1}``).
    panel : FactorPanel
        Realised returns; the label of row ``t`` is ``x_{t+1}``.
    hac_lags : int, optional
        Passed to :func:`clark_west_test`.
    common_sample : bool
        Evaluate every model on the months where all of them have a forecast (default), or
        each on its own non-NaN months.

    Returns
    -------
    DataFrame indexed by (model, asset)
        Columns ``r2_hm`` (OOS R² vs the prevailing mean), ``r2_zero`` (vs zero), ``ic``
        (time-series Spearman IC), ``hit_rate``, ``cw_stat`` and ``cw_pvalue`` (Clark-West vs
        the prevailing mean), ``n_months``, ``first``, ``last`` (first and last forecast month).

    Raises
    ------
    DataError
        If there is no frame, a frame is not indexed by the panel's months and assets, or
        fewer than 2 months can be evaluated.
    """
    if not forecasts:
        raise DataError("`forecasts` must hold at least one forecast frame, got none")
    labels = next_month_labels(panel)
    bench = prevailing_mean(panel).to_numpy()
    y_all = labels.to_numpy()
    ok_common = np.all(np.isfinite(y_all), axis=1)
    arrays = {}
    for name, frame in forecasts.items():
        idx = frame.index
        aligned = isinstance(idx, pd.PeriodIndex) and np.array_equal(idx.asi8, panel.months.asi8)
        if not aligned or [str(c) for c in frame.columns] != list(panel.assets):
            raise DataError(
                f"`forecasts[{name!r}]` must be indexed by the panel's months "
                f"(PeriodIndex) with columns {list(panel.assets)}"
            )
        arrays[name] = frame.to_numpy(dtype=np.float64)
        ok_common &= np.all(np.isfinite(arrays[name]), axis=1)
    rows = []
    for name, pred in arrays.items():
        ok = (
            ok_common
            if common_sample
            else (np.all(np.isfinite(pred), axis=1) & np.all(np.isfinite(y_all), axis=1))
        )
        if ok.sum() < 2:
            raise DataError(f"`forecasts[{name!r}]` has {int(ok.sum())} evaluable months, need 2")
        y, f, b = y_all[ok], pred[ok], bench[ok]
        r2_hm = oos_r2(y, f, b)
        r2_zero = oos_r2(y, f)
        ic = information_coefficient(y, f)
        hits = hit_rate(y, f)
        months = panel.months[ok]
        for k, asset in enumerate(panel.assets):
            cw = clark_west_test(y[:, k], f[:, k], b[:, k], hac_lags=hac_lags)
            rows.append(
                {
                    "model": name,
                    "asset": asset,
                    "r2_hm": r2_hm[k],
                    "r2_zero": r2_zero[k],
                    "ic": ic[k],
                    "hit_rate": hits[k],
                    "cw_stat": cw.statistic,
                    "cw_pvalue": cw.pvalue,
                    "n_months": int(ok.sum()),
                    "first": months[0],
                    "last": months[-1],
                }
            )
    return pd.DataFrame(rows).set_index(["model", "asset"])
