"""`MarketData`: the point-in-time arrays an env steps through, precomputed once.

Everything here is built in ``__init__`` (pandas allowed); ``step`` then does index arithmetic
and a few vector operations on these arrays. Nothing is estimated from the full sample: the
observation blocks are trailing, the normaliser uses its training window only, the benchmark and
the impact volatility are fixed parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from factorgym._arrays import frozen_copy
from factorgym._typing import FloatArray
from factorgym.alignment import align_feature_frame
from factorgym.envs import kernel
from factorgym.envs.config import MIN_NORMALIZE_MONTHS, EnvConfig
from factorgym.envs.observation import (
    ObservationNormalizer,
    block_columns,
    fit_normalizer,
    normalize_features,
)
from factorgym.errors import ConfigError, DataError
from factorgym.panel import FactorPanel, parse_month
from factorgym.trailing import trailing_covariance, trailing_lags, trailing_std

__all__ = ["MarketData", "build_market_data"]


@dataclass(frozen=True, eq=False)
class MarketData:
    """Precomputed arrays of one panel (plus features) under one config.

    Attributes
    ----------
    panel : FactorPanel
        The source panel.
    returns : ndarray of shape (n_months, n)
        The panel's returns as given (total returns for a ``kind="total"`` panel).
    excess : ndarray of shape (n_months, n)
        Excess returns ``x`` (``R - rf`` for a total-return panel).
    rf : ndarray of shape (n_months,)
        Risk-free return.
    growth : ndarray of shape (n_months, n)
        ``1 + rf + x``: a position's growth over the month.
    benchmark : ndarray of shape (n_months,)
        Return of the fixed-weight benchmark in each month (``rf + b . x``, rebalanced
        monthly, no cost): it does not depend on the agent, so it is computed once.
    excess_t, growth_t : ndarray of shape (n, n_months)
        Transposed copies: gathering months from them gives the batched env column-major
        ``(n_envs, n)`` blocks, on which NumPy's row-wise broadcasting is about twice as fast.
    static_obs : ndarray of shape (n_months, n_static), float32
        Data blocks of the observation (trailing returns, volatility, features), normalised if
        configured; rows before ``first_obs`` are NaN.
    obs_rows : ndarray of shape (n_months, n_obs), float32
        ``static_obs`` followed by zeroed weight columns: a row template the weights are written
        into (one copy and one assignment per step).
    columns : tuple of str
        Every observation column name, in order.
    blocks : dict of str to slice
        Column slice of each block.
    include_weights : bool
        Whether the drifted weights are appended to the observation.
    weights_col : int
        First column of the weights block (= number of data columns).
    first_obs : int
        First row with a complete observation.
    cov : ndarray of shape (n_months, n, n) or None
        Trailing covariance (``mean_variance`` reward only).
    normalizer : ObservationNormalizer or None
        Fitted normaliser.
    dates : tuple of pandas.Timestamp
        Month-end date of each row (for ``info``).
    decision_range : (int, int)
        First and last decision row of the env's window (a decision at ``t`` earns ``t + 1``).
    feature_values : dict of str to ndarray of shape (n_months, n_columns)
        Each feature block aligned on the panel's months, as given (not normalised).
    feature_columns : dict of str to tuple of str
        Each feature block's own column names.
    """

    panel: FactorPanel
    returns: FloatArray
    excess: FloatArray
    rf: FloatArray
    growth: FloatArray
    benchmark: FloatArray
    excess_t: FloatArray
    growth_t: FloatArray
    static_obs: np.ndarray
    obs_rows: np.ndarray
    columns: tuple[str, ...]
    blocks: dict[str, slice]
    include_weights: bool
    weights_col: int
    first_obs: int
    cov: FloatArray | None
    normalizer: ObservationNormalizer | None
    dates: tuple[pd.Timestamp, ...]
    dates64: np.ndarray
    decision_range: tuple[int, int]
    feature_values: dict[str, FloatArray]
    feature_columns: dict[str, tuple[str, ...]]

    @property
    def n_assets(self) -> int:
        """Number of assets."""
        return self.excess.shape[1]

    @property
    def obs_dim(self) -> int:
        """Observation length."""
        return len(self.columns)

    def observe(self, t: Any, drifted: FloatArray) -> np.ndarray:
        """Observation(s) at decision row(s) ``t`` with drifted weights, float32, new memory.

        Parameters
        ----------
        t : int or ndarray of shape (n_envs,)
            Decision row(s).
        drifted : ndarray of shape (n,) or (n_envs, n)
            Drifted weights.
        """
        rows = np.asarray(t, dtype=np.int64)
        out = np.empty((*rows.shape, self.obs_dim), dtype=np.float32)
        weights = np.ascontiguousarray(drifted, dtype=np.float64).reshape(rows.size, -1)
        col = self.weights_col if self.include_weights else -1
        kernel.observe_rows(
            self.obs_rows, rows.reshape(-1), weights, col, out.reshape(rows.size, -1)
        )
        return out


def _month_index(panel: FactorPanel, value: object, name: str) -> int:
    try:
        return panel.month_position(value, name=name)
    except DataError as exc:
        raise ConfigError(str(exc)) from exc


def _readonly(a: np.ndarray) -> np.ndarray:
    return frozen_copy(a, a.dtype.type)


def build_market_data(
    panel: FactorPanel,
    features: Mapping[str, pd.DataFrame] | pd.DataFrame | None,
    config: EnvConfig,
    *,
    needs_cov: bool,
    benchmark_weights: FloatArray | None = None,
) -> MarketData:
    """Precompute every array of an env (see :class:`MarketData`).

    Parameters
    ----------
    panel : FactorPanel
        Returns and risk-free rate.
    features : DataFrame or mapping of str to DataFrame, optional
        Point-in-time feature frames aligned on the panel's months.
    config : EnvConfig
        Uses ``lookback``, ``vol_lookback``, ``observation_blocks``, ``window``, ``normalize``,
        ``normalize_window``.
    needs_cov : bool
        Also precompute the trailing covariance.
    benchmark_weights : ndarray of shape (n,), optional
        Fixed benchmark weights (default 1/N).

    Raises
    ------
    ConfigError
        If the window lies outside the panel or leaves no month with a complete observation.
    LookAheadError
        From :func:`align_feature_frame`.
    """
    cfg = config
    rf = np.asarray(panel.rf, dtype=np.float64)
    ret = np.asarray(panel.returns, dtype=np.float64)
    excess = ret if panel.kind == "excess" else ret - rf[:, None]
    growth = 1.0 + rf[:, None] + excess
    months = panel.months
    n_months = len(months)

    parts: list[FloatArray] = []
    blocks_wanted = cfg.observation_blocks
    if "returns" in blocks_wanted:
        parts.append(trailing_lags(excess, cfg.lookback))
    if "volatility" in blocks_wanted:
        parts.append(trailing_std(excess, cfg.vol_lookback))
    feature_cols: list[str] = []
    feature_values: dict[str, FloatArray] = {}
    feature_names: dict[str, tuple[str, ...]] = {}
    frames = normalize_features(features)
    if frames and "features" not in blocks_wanted:
        raise ConfigError(
            "`observation_blocks` must include 'features' when feature frames are given, got "
            f"{blocks_wanted}"
        )
    for name, frame in frames.items():
        values, cols = align_feature_frame(frame, months, name=name)
        parts.append(values)
        feature_cols.extend(f"{name}:{c}" for c in cols)
        feature_values[name] = _readonly(values)
        feature_names[name] = cols
    static = np.hstack(parts) if parts else np.zeros((n_months, 0))
    complete = np.all(np.isfinite(static), axis=1)
    if needs_cov:
        cov = trailing_covariance(excess, cfg.vol_lookback)
        complete &= np.all(np.isfinite(cov), axis=(1, 2))
    else:
        cov = None
    if not complete.any():
        raise ConfigError(
            f"`lookback`/`vol_lookback` leave no month of the panel ({n_months} months) with a "
            "complete observation"
        )
    first_obs = int(np.argmax(complete))

    # --- window of earned months -> decision rows [d_lo, d_hi]
    window = cfg.window
    w_start, w_end = window if window is not None else (None, None)
    earn_lo = first_obs + 1 if w_start is None else _month_index(panel, w_start, "window[0]")
    earn_hi = n_months - 1 if w_end is None else _month_index(panel, w_end, "window[1]")
    d_lo, d_hi = earn_lo - 1, earn_hi - 1
    if d_lo < first_obs:
        if w_start is not None:
            raise ConfigError(
                f"`window` must start after the first complete observation: the first month that "
                f"can be earned is {months[first_obs + 1] if first_obs + 1 < n_months else 'none'}"
                f", got window start {parse_month(w_start, name='window[0]')}"
            )
        d_lo = first_obs
    if d_hi < d_lo:
        raise ConfigError(
            f"`window` must hold at least one month to earn, got {window} "
            f"(first month with history: {months[min(first_obs + 1, n_months - 1)]})"
        )

    normalizer = None
    if cfg.normalize:
        nwin = cfg.normalize_window
        assert nwin is not None  # EnvConfig requires it with normalize=True
        lo = _month_index(panel, nwin[0], "normalize_window[0]")
        hi = _month_index(panel, nwin[1], "normalize_window[1]")
        if hi < lo:
            raise ConfigError(f"`normalize_window` must be ordered (start <= end), got {nwin}")
        mask = np.zeros(n_months, dtype=bool)
        mask[lo : hi + 1] = True
        normalizer = fit_normalizer(static, mask, (str(nwin[0]), str(nwin[1])))
        if normalizer.n_rows < MIN_NORMALIZE_MONTHS:
            raise ConfigError(
                f"`normalize_window` {nwin} must hold at least {MIN_NORMALIZE_MONTHS} months with "
                f"a complete observation to fit the normaliser, got {normalizer.n_rows} (the "
                f"first complete observation is {months[first_obs]})"
            )
        static = normalizer.transform(static)

    layout = block_columns(blocks_wanted, panel.assets, cfg.lookback, feature_cols)
    slices = {}
    pos = 0
    for name, names in layout.items():
        slices[name] = slice(pos, pos + len(names))
        pos += len(names)
    columns = tuple(c for names in layout.values() for c in names)
    dates = tuple(panel.index)
    n_assets = panel.n_assets
    bench_w = (
        np.full(n_assets, 1.0 / n_assets)
        if benchmark_weights is None
        else np.asarray(benchmark_weights, dtype=np.float64)
    )
    static32 = static.astype(np.float32)
    n_weights = panel.n_assets if "weights" in blocks_wanted else 0
    obs_rows = np.zeros((n_months, static32.shape[1] + n_weights), dtype=np.float32)
    obs_rows[:, : static32.shape[1]] = static32
    return MarketData(
        panel=panel,
        returns=_readonly(ret),
        excess=_readonly(excess),
        rf=_readonly(rf),
        growth=_readonly(growth),
        benchmark=_readonly(rf + excess @ bench_w),
        excess_t=_readonly(excess.T),
        growth_t=_readonly(growth.T),
        static_obs=_readonly(static32),
        obs_rows=_readonly(obs_rows),
        columns=columns,
        blocks=slices,
        include_weights="weights" in blocks_wanted,
        weights_col=static32.shape[1],
        first_obs=first_obs,
        cov=None if cov is None else _readonly(cov),
        normalizer=normalizer,
        dates=dates,
        dates64=_readonly(np.asarray(panel.index.values, dtype="datetime64[D]")),
        decision_range=(d_lo, d_hi),
        feature_values=feature_values,
        feature_columns=feature_names,
    )
