"""Equal-weight ensemble of walk-forward forecasters, with the spread across members as uncertainty.

Each member is a :class:`~factorgym.forecasts.WalkForwardForecaster` with the same schedule and
features, so every member's row ``t`` uses months ``<= t`` only and so do their mean and spread.
Member frames can be cached (:class:`factorgym.feature_cache.FeatureCache`): a frame depends only
on the panel's content hash, the model name, the parameters, the window (first and last month)
and the external features, and is computed once and reused across agents and seeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator

from factorgym.errors import ConfigError, DataError, NotFittedError
from factorgym.feature_cache import FeatureCache
from factorgym.forecasts.features import check_extra_features
from factorgym.forecasts.models import MODEL_NAMES
from factorgym.forecasts.walk_forward import WalkForwardForecaster
from factorgym.panel import FactorPanel

__all__ = ["EnsembleForecaster", "combine_forecasts"]

_SHARED = (
    "min_train_months",
    "refit_every",
    "max_train_months",
    "return_windows",
    "vol_window",
    "momentum_window",
    "include_rf",
    "cv_splits",
    "random_state",
    "n_threads",
)


def combine_forecasts(members: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Equal-weight mean and cross-member spread of forecast frames.

    Parameters
    ----------
    members : mapping of name -> DataFrame of shape (n_months, n_assets)
        Forecast frames with identical index and columns.

    Returns
    -------
    mean : DataFrame
        ``(1/M) sum_m ŷ_m[t, k]``; NaN where any member is NaN.
    spread : DataFrame
        Standard deviation across members (``ddof=0``: the dispersion of the M forecasts at
        hand, 0 for a single member); NaN where any member is NaN.

    Raises
    ------
    DataError
        If there is no member or the frames are not aligned.
    """
    if not members:
        raise DataError("`members` must hold at least one forecast frame, got none")
    frames = list(members.values())
    first = frames[0]
    for name, frame in members.items():
        if not (frame.index.equals(first.index) and frame.columns.equals(first.columns)):
            raise DataError(
                f"`members` frames must share index and columns; {name!r} differs from "
                f"{next(iter(members))!r}"
            )
    stack = np.stack([f.to_numpy(dtype=np.float64) for f in frames])  # (M, n, K)
    mean = stack.mean(axis=0)
    spread = stack.std(axis=0, ddof=0)
    return (
        pd.DataFrame(mean, index=first.index, columns=first.columns),
        pd.DataFrame(spread, index=first.index, columns=first.columns),
    )


def _extra_key(extra: pd.DataFrame | None) -> object:
    if extra is None:
        return None
    return {"values": extra.to_numpy(dtype=np.float64), "columns": [str(c) for c in extra.columns]}


class EnsembleForecaster(BaseEstimator):
    """Walk-forward forecasts of several models and their equal-weight ensemble.

    Parameters
    ----------
    models : sequence of str
        Member names from :data:`MODEL_NAMES` (default: all six).
    min_train_months, refit_every, max_train_months, return_windows, vol_window,
    momentum_window, include_rf, cv_splits, random_state, n_threads
        Passed to every :class:`WalkForwardForecaster` member.
    n_jobs : int
        Members fitted concurrently in joblib worker processes when there is no cache (with a
        cache they are looked up and computed one after another). Results do not depend on it.
        It only pays when cores are idle: on a 2-core machine shared with other work it was
        slower than 1 (53 s against 42 s for the French set).
    cache : FeatureCache, optional
        Where member frames are cached.

    Attributes
    ----------
    member_forecasts_ : dict of str -> DataFrame
        Each member's forecast frame (see ``WalkForwardForecaster.forecast_``).
    forecast_ : DataFrame of shape (n_months, n_assets)
        Equal-weight mean of the members: row ``t`` forecasts ``x_{t+1}``; NaN before the first
        refit month.
    uncertainty_ : DataFrame of shape (n_months, n_assets)
        Cross-member standard deviation (``ddof=0``) of the forecasts.
    """

    def __init__(
        self,
        models: Sequence[str] = MODEL_NAMES,
        *,
        min_train_months: int = 120,
        refit_every: int = 12,
        max_train_months: int | None = None,
        return_windows: Sequence[int] = (1, 3, 12),
        vol_window: int = 12,
        momentum_window: int = 12,
        include_rf: bool = True,
        cv_splits: int = 5,
        random_state: int = 0,
        n_threads: int = 1,
        n_jobs: int = 1,
        cache: FeatureCache | None = None,
    ) -> None:
        self.models = models
        self.min_train_months = min_train_months
        self.refit_every = refit_every
        self.max_train_months = max_train_months
        self.return_windows = return_windows
        self.vol_window = vol_window
        self.momentum_window = momentum_window
        self.include_rf = include_rf
        self.cv_splits = cv_splits
        self.random_state = random_state
        self.n_threads = n_threads
        self.n_jobs = n_jobs
        self.cache = cache

    def _member(self, name: str) -> WalkForwardForecaster:
        return WalkForwardForecaster(name, **{p: getattr(self, p) for p in _SHARED})

    def _key_parts(self, name: str, panel: FactorPanel, extra: pd.DataFrame | None) -> dict:
        params = {p: getattr(self, p) for p in _SHARED}
        params["return_windows"] = [int(w) for w in self.return_windows]
        return {
            "builder": "factorgym.forecasts.WalkForwardForecaster",
            "panel": panel.content_hash,
            "model": name,
            "params": params,
            "window": [str(panel.start), str(panel.end)],
            "extra_features": _extra_key(extra),
        }

    def fit(
        self, panel: FactorPanel, y: None = None, *, extra_features: pd.DataFrame | None = None
    ) -> EnsembleForecaster:
        """Fit every member walk-forward and combine them.

        Parameters
        ----------
        panel : FactorPanel
        y : None
            Ignored.
        extra_features : DataFrame, optional
            External point-in-time features (see :func:`~factorgym.forecasts.build_features`).

        Raises
        ------
        ConfigError
            For an empty, duplicated or unknown member list, a bad ``n_jobs`` or ``cache``, or
            invalid member parameters.
        DataError, LookAheadError
            As :meth:`WalkForwardForecaster.fit`.
        """
        names = [self.models] if isinstance(self.models, str) else list(self.models)
        if not names or len(set(names)) != len(names):
            raise ConfigError(
                f"`models` must be a non-empty list of distinct names, got {self.models!r}"
            )
        unknown = [n for n in names if n not in MODEL_NAMES]
        if unknown:
            raise ConfigError(f"`models` must be drawn from {MODEL_NAMES}, got {unknown}")
        if isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, int) or self.n_jobs < 1:
            raise ConfigError(f"`n_jobs` must be an int >= 1, got {self.n_jobs!r}")
        if self.cache is not None and not isinstance(self.cache, FeatureCache):
            raise ConfigError(
                f"`cache` must be a FeatureCache or None, got {type(self.cache).__name__}"
            )
        if not isinstance(panel, FactorPanel):
            raise DataError(f"`panel` must be a FactorPanel, got {type(panel).__name__}")
        extra = None if extra_features is None else check_extra_features(panel, extra_features)
        for name in names:  # validate every member's parameters before any work
            self._member(name)._validate_params()

        def compute(name: str) -> pd.DataFrame:
            return self._member(name).fit(panel, extra_features=extra).forecast_

        if self.cache is None:
            frames = Parallel(n_jobs=self.n_jobs)(delayed(compute)(name) for name in names)
        else:  # the cache is not thread-safe: look up serially
            frames = [
                self.cache.get_or_compute(
                    lambda n=name: compute(n), **self._key_parts(name, panel, extra)
                )
                for name in names
            ]
        self.member_forecasts_ = dict(zip(names, frames, strict=True))
        self.forecast_, self.uncertainty_ = combine_forecasts(self.member_forecasts_)
        return self

    def to_frame(self) -> pd.DataFrame:
        """All forecasts side by side, columns ``(source, asset)``.

        Sources: ``"ensemble"``, ``"uncertainty"``, then each member name.

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        if not hasattr(self, "forecast_"):
            raise NotFittedError("this EnsembleForecaster is not fitted yet; call `fit` first")
        parts = {
            "ensemble": self.forecast_,
            "uncertainty": self.uncertainty_,
            **self.member_forecasts_,
        }
        return pd.concat(parts, axis=1, names=["source", "asset"])
