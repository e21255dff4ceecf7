"""Point-in-time design matrix for next-month forecasts, and its labels.

Row ``t`` of the feature frame uses the panel's returns and risk-free rate up to and including
month ``t`` and nothing later; the label of the sample at month ``t`` is ``x_{t+1}`` (NaN for the
last month). Every rolling statistic is computed window by window
(:func:`numpy.lib.stride_tricks.sliding_window_view`), so a row depends only on the months in
its own window: perturbing a later month cannot change it, not even in the last bit.

Features of asset ``k`` at month ``t`` (``w`` are the configured windows):

========================  =====================================================================
column                    definition
========================  =====================================================================
``{k}:ret_{w}``           sum of the last ``w`` monthly returns, ``x_{t-w+1} + ... + x_t``
``{k}:vol_{w}``           trailing volatility, sample std (ddof=1) of the last ``w`` returns
``{k}:tsmom_{w}``         time-series factor momentum, ``ret_w / (vol_w * sqrt(w))``: the
                          trailing ``w``-month t-statistic of the mean (Moskowitz, Ooi and
                          Pedersen 2012 scale trend signals by volatility)
``{k}:xsmom_{w}``         cross-sectional factor momentum: rank of ``ret_w`` among the panel's
                          assets at ``t``, centred and scaled to ``[-0.5, 0.5]`` (Arnott, Clements,
                          Kalesnik and Linnainmaa 2023, "Factor Momentum"; 0 with one asset)
``rf``                    the month-``t`` risk-free return (known by the end of month ``t``)
external columns          an ``extra_features`` frame (e.g. filtered regime probabilities), taken
                          row for row; its point-in-time correctness is the caller's promise
========================  =====================================================================

Rows before the longest window is full are NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from factorgym._typing import FloatArray
from factorgym.errors import ConfigError, DataError, LookAheadError
from factorgym.panel import FactorPanel, to_months

__all__ = ["build_features", "check_extra_features", "next_month_labels"]


def _trailing(values: FloatArray, window: int, reducer: str) -> FloatArray:
    """Trailing-window sum or sample std of each column; NaN until the window is full."""
    n, k = values.shape
    out = np.full((n, k), np.nan)
    if window > n:
        return out
    view = sliding_window_view(values, window, axis=0)  # (n - w + 1, k, w)
    if reducer == "sum":
        out[window - 1 :] = view.sum(axis=-1)
    else:
        out[window - 1 :] = view.std(axis=-1, ddof=1)
    return out


def _centred_rank(values: FloatArray) -> FloatArray:
    """Per-row rank across columns (ties averaged), centred and scaled to [-0.5, 0.5]."""
    n, k = values.shape
    out = np.full((n, k), np.nan)
    ok = np.all(np.isfinite(values), axis=1)
    if k == 1:
        out[ok] = 0.0
        return out
    rows = values[ok]
    less = (rows[:, :, None] > rows[:, None, :]).sum(axis=2)
    equal = (rows[:, :, None] == rows[:, None, :]).sum(axis=2)
    rank = less + (equal + 1) / 2.0  # 1-based average rank
    out[ok] = (rank - (k + 1) / 2.0) / (k - 1)
    return out


def check_extra_features(panel: FactorPanel, extra_features: pd.DataFrame) -> pd.DataFrame:
    """Validate an external point-in-time frame and index it by the panel's months.

    Parameters
    ----------
    panel : FactorPanel
        The panel the features will be aligned with.
    extra_features : DataFrame of shape (n_months, n_extra)
        Indexed by the panel's months (``PeriodIndex`` or dates inside each month); row ``t``
        must use information up to the end of month ``t`` only. NaN marks a month where the
        feature is not yet available (such rows are neither trained on nor forecast from).

    Returns
    -------
    DataFrame
        Float copy indexed by ``panel.months``, columns as strings.

    Raises
    ------
    LookAheadError
        If the frame has rows dated after the panel's last month, or its months are not
        exactly the panel's months in order (a shifted or misaligned frame could leak).
    DataError
        If it is not a DataFrame, has no columns, duplicate or non-numeric columns, or
        infinite values.
    """
    if not isinstance(extra_features, pd.DataFrame):
        raise DataError(
            f"`extra_features` must be a pandas DataFrame, got {type(extra_features).__name__}"
        )
    if extra_features.shape[1] == 0:
        raise DataError("`extra_features` must have at least one column, got none")
    months = to_months(extra_features.index, name="extra_features.index")
    later = months[months > panel.end] if not months.hasnans else months[:0]
    if len(later):
        raise LookAheadError(
            f"`extra_features` has {len(later)} rows dated after the panel's last month "
            f"{panel.end} (first {later[0]}); a row dated later than the month it is aligned "
            "with would leak the future"
        )
    if len(months) != panel.n_months or not np.array_equal(months.asi8, panel.months.asi8):
        raise LookAheadError(
            f"`extra_features` must be indexed by exactly the panel's months "
            f"({panel.start}..{panel.end}, {panel.n_months} rows) in order, got "
            f"{len(months)} rows"
            + (f" ({months[0]}..{months[-1]})" if len(months) and not months.hasnans else "")
            + "; align it explicitly (a shifted frame could leak the future)"
        )
    names = [str(c) for c in extra_features.columns]
    if len(set(names)) != len(names):
        raise DataError(f"`extra_features` columns must be unique, got {names}")
    try:
        values = extra_features.to_numpy(dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise DataError(f"`extra_features` must be numeric, got {exc}") from exc
    if np.isinf(values).any():
        raise DataError("`extra_features` must not contain infinite values (NaN = unavailable)")
    return pd.DataFrame(values, index=panel.months.rename("month"), columns=names)


def _check_windows(name: str, windows: Sequence[int]) -> tuple[int, ...]:
    out = tuple(windows)
    if not out or any(not isinstance(w, (int, np.integer)) or w < 1 for w in out):
        raise ConfigError(f"`{name}` must be a non-empty sequence of ints >= 1, got {windows!r}")
    return tuple(int(w) for w in out)


def build_features(
    panel: FactorPanel,
    *,
    return_windows: Sequence[int] = (1, 3, 12),
    vol_window: int = 12,
    momentum_window: int = 12,
    include_rf: bool = True,
    extra_features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Point-in-time features of every month (see the module docstring for the columns).

    Parameters
    ----------
    panel : FactorPanel
        Monthly returns ``x`` of shape (n_months, n_assets).
    return_windows : sequence of int
        Windows of the trailing-return (lag) features.
    vol_window : int
        Window of the trailing volatility (>= 2).
    momentum_window : int
        Window of the time-series and cross-sectional momentum signals (>= 2).
    include_rf : bool
        Add the risk-free return as a feature.
    extra_features : DataFrame, optional
        External point-in-time columns, validated by :func:`check_extra_features`.

    Returns
    -------
    DataFrame of shape (n_months, n_features)
        Indexed by ``panel.months`` (named ``"month"``).

    Raises
    ------
    ConfigError
        For invalid windows or a clash between external and built-in column names.
    """
    if not isinstance(panel, FactorPanel):
        raise DataError(f"`panel` must be a FactorPanel, got {type(panel).__name__}")
    rets = _check_windows("return_windows", return_windows)
    for name, w in (("vol_window", vol_window), ("momentum_window", momentum_window)):
        if not isinstance(w, (int, np.integer)) or w < 2:
            raise ConfigError(f"`{name}` must be an int >= 2, got {w!r}")
    x = np.asarray(panel.returns)
    blocks: list[tuple[str, FloatArray]] = []
    for w in rets:
        blocks.append((f"ret_{w}", _trailing(x, w, "sum")))
    blocks.append((f"vol_{vol_window}", _trailing(x, vol_window, "std")))
    mom_sum = _trailing(x, momentum_window, "sum")
    mom_vol = _trailing(x, momentum_window, "std")
    with np.errstate(divide="ignore", invalid="ignore"):
        tsmom = np.where(mom_vol > 0, mom_sum / (mom_vol * np.sqrt(momentum_window)), np.nan)
    blocks.append((f"tsmom_{momentum_window}", tsmom))
    blocks.append((f"xsmom_{momentum_window}", _centred_rank(mom_sum)))
    columns: dict[str, FloatArray] = {}
    for k, asset in enumerate(panel.assets):
        for label, arr in blocks:
            columns[f"{asset}:{label}"] = arr[:, k]
    if include_rf:
        columns["rf"] = np.array(panel.rf)
    frame = pd.DataFrame(columns, index=panel.months.rename("month"))
    if extra_features is not None:
        extra = check_extra_features(panel, extra_features)
        clash = sorted(set(extra.columns) & set(frame.columns))
        if clash:
            raise ConfigError(
                f"`extra_features` columns must not reuse built-in feature names, got {clash}"
            )
        frame = pd.concat([frame, extra], axis=1)
    return frame


def next_month_labels(panel: FactorPanel) -> pd.DataFrame:
    """Labels of the samples: row ``t`` holds ``x_{t+1}`` (the last row is NaN).

    Returns
    -------
    DataFrame of shape (n_months, n_assets)
        Indexed by ``panel.months``, columns = assets.
    """
    y = np.full(panel.returns.shape, np.nan)
    y[:-1] = panel.returns[1:]
    return pd.DataFrame(y, index=panel.months.rename("month"), columns=list(panel.assets))
