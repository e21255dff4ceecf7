"""Point-in-time design matrix for next-month forecasts, and its labels.

Row ``t`` of the feature frame uses the panel's returns and risk-free rate up to and including
month ``t`` and nothing later; the label of the sample at month ``t`` is ``x_{t+1}`` (NaN for the
last month). Every rolling statistic comes from :mod:`factorgym.trailing` (window by window, in
one stated summation order), so a row depends only on the values of the months in its own window:
neither a later month nor the panel's memory layout can change it, not even in the last bit.

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
                          Kalesnik and Linnainmaa 2023, "Factor Momentum"; 0 with one asset);
                          sums within ``RANK_TIE_TOLERANCE`` (1e-12) are ties and share
                          their average rank (a tie must not be decided by rounding noise)
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

from factorgym._typing import FloatArray
from factorgym.alignment import align_feature_frame
from factorgym.errors import ConfigError, DataError
from factorgym.panel import FactorPanel
from factorgym.trailing import trailing_std, trailing_sum
from factorgym.validation import check_bool, check_int, check_int_sequence

__all__ = ["build_features", "check_extra_features", "next_month_labels"]


#: Trailing sums closer than this are ties for the cross-sectional rank: published returns have a
#: resolution of 1e-6 (0.0001 %), while summing the same values in another order moves the last
#: bit (~1e-17); a rank must not be decided by rounding noise.
RANK_TIE_TOLERANCE = 1e-12


def _centred_rank(values: FloatArray) -> FloatArray:
    """Per-row rank across columns, centred and scaled to [-0.5, 0.5].

    Values within :data:`RANK_TIE_TOLERANCE` of each other are ties and share their average rank.
    """
    n, k = values.shape
    out = np.full((n, k), np.nan)
    ok = np.all(np.isfinite(values), axis=1)
    if k == 1:
        out[ok] = 0.0
        return out
    rows = values[ok]
    diff = rows[:, :, None] - rows[:, None, :]
    less = (diff > RANK_TIE_TOLERANCE).sum(axis=2)
    equal = (np.abs(diff) <= RANK_TIE_TOLERANCE).sum(axis=2)
    rank = less + (equal + 1) / 2.0  # 1-based average rank
    out[ok] = (rank - (k + 1) / 2.0) / (k - 1)
    return out


def check_extra_features(panel: FactorPanel, extra_features: pd.DataFrame) -> pd.DataFrame:
    """Validate an external point-in-time frame and index it by the panel's months.

    The frame must satisfy the one alignment rule of :mod:`factorgym.alignment`: indexed by the
    panel's months (it may start later; rows dated after the panel's last month are refused),
    numeric, no ``inf``, and NaN ("not yet available") only before its first complete row.

    Parameters
    ----------
    panel : FactorPanel
        The panel the features will be aligned with.
    extra_features : DataFrame of shape (n_rows, n_extra)
        Row ``t`` must use information up to the end of month ``t`` only.

    Returns
    -------
    DataFrame of shape (n_months, n_extra)
        Float copy indexed by ``panel.months`` (named ``"month"``), columns as strings.

    Raises
    ------
    LookAheadError
        If the frame has rows dated after the panel's last month or is not aligned on its
        months (a shifted or misaligned frame could leak).
    DataError
        If it is not a DataFrame, has no columns, duplicate or non-numeric columns, infinite
        values, or missing values after its first complete row.
    """
    if not isinstance(extra_features, pd.DataFrame):
        raise DataError(
            f"`extra_features` must be a pandas DataFrame, got {type(extra_features).__name__}"
        )
    values, names = align_feature_frame(extra_features, panel.months, name="extra_features")
    return pd.DataFrame(values, index=panel.months.rename("month"), columns=list(names))


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
    rets = check_int_sequence("return_windows", return_windows, minimum=1)
    vol_window = check_int("vol_window", vol_window, minimum=2)
    momentum_window = check_int("momentum_window", momentum_window, minimum=2)
    include_rf = check_bool("include_rf", include_rf)
    x = panel.returns
    blocks: list[tuple[str, FloatArray]] = []
    for w in rets:
        blocks.append((f"ret_{w}", trailing_sum(x, w)))
    blocks.append((f"vol_{vol_window}", trailing_std(x, vol_window)))
    mom_sum = trailing_sum(x, momentum_window)
    mom_vol = trailing_std(x, momentum_window)
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
