"""Equal-weight ensemble of walk-forward forecasters, with the spread across members as uncertainty.

Each member is a :class:`~factorgym.forecasts.WalkForwardForecaster` with the same schedule and
features, so every member's row ``t`` uses months ``<= t`` only and so do their mean and spread.
Member frames can be cached (:class:`factorgym.feature_cache.FeatureCache`): a frame depends only
on the panel's content hash, the model name, the parameters, the window (first and last month)
and the external features, and is computed once and reused across agents and seeds.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone

from factorgym.errors import ConfigError, DataError, NotFittedError
from factorgym.feature_cache import FeatureCache
from factorgym.forecasts.features import check_extra_features
from factorgym.forecasts.models import MODEL_NAMES
from factorgym.forecasts.walk_forward import WalkForwardForecaster
from factorgym.panel import FactorPanel
from factorgym.validation import check_cache, check_int

__all__ = ["EnsembleForecaster", "combine_forecasts"]


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
    forecaster : WalkForwardForecaster, optional
        The template every member copies (schedule, window, features, CV, seed, threads); its
        ``model`` is replaced by each member's name. Default ``WalkForwardForecaster()``.
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
        forecaster: WalkForwardForecaster | None = None,
        n_jobs: int = 1,
        cache: FeatureCache | None = None,
    ) -> None:
        self.models = models
        self.forecaster = forecaster
        self.n_jobs = n_jobs
        self.cache = cache

    def _template(self) -> WalkForwardForecaster:
        if self.forecaster is None:
            return WalkForwardForecaster()
        if not isinstance(self.forecaster, WalkForwardForecaster):
            raise ConfigError(
                "`forecaster` must be a WalkForwardForecaster or None, "
                f"got {type(self.forecaster).__name__}"
            )
        return self.forecaster

    def _member(self, name: str) -> WalkForwardForecaster:
        member: WalkForwardForecaster = clone(self._template())
        return member.set_params(model=name)

    def _key_parts(self, name: str, panel: FactorPanel, extra: pd.DataFrame | None) -> dict:
        params = self._member(name).get_params()
        params["return_windows"] = [int(w) for w in params["return_windows"]]
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
        check_int("n_jobs", self.n_jobs, minimum=1)
        check_cache(self.cache)
        if not isinstance(panel, FactorPanel):
            raise DataError(f"`panel` must be a FactorPanel, got {type(panel).__name__}")
        extra = None if extra_features is None else check_extra_features(panel, extra_features)
        for name in names:  # validate every member's parameters before any work
            self._member(name)._validate_params()

        def compute(name: str) -> pd.DataFrame:
            return self._member(name).fit(panel, extra_features=extra).forecast_

        if self.cache is None:
            frames: list[pd.DataFrame] = Parallel(n_jobs=self.n_jobs)(
                delayed(compute)(name) for name in names
            )
        else:  # the cache is not thread-safe: look up serially
            frames = [
                self.cache.get_or_compute(
                    functools.partial(compute, name), **self._key_parts(name, panel, extra)
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
