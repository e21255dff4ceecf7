"""The experiment's point-in-time feature frames, built through the feature cache.

Every frame is walk-forward: row ``t`` uses months ``<= t`` only (the builders in
:mod:`factorgym.regimes` and :mod:`factorgym.forecasts` guarantee it and test it bit for bit).
A frame computed once on the whole panel therefore has, up to any month ``t``, exactly the rows
a computation on the panel cut at ``t`` would give, so one computation serves every fold; each
fold's envs then receive the frames cut at the end of that env's window
(:mod:`factorgym.experiments.fold_envs`), and the test in ``tests/experiments`` checks the
equality against a per-fold computation.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from factorgym.errors import FactorGymError
from factorgym.experiments.config import FeaturesConfig, prefixed
from factorgym.feature_cache import FeatureCache
from factorgym.panel import FactorPanel

__all__ = ["REGIME_BLOCK", "FORECAST_BLOCK", "compute_features", "regime_probability_columns"]

#: Names of the feature blocks in the env's observation (``"{block}:{column}"``); the
#: allocators of :mod:`factorgym.agents` read these blocks by default.
REGIME_BLOCK = "regime"
FORECAST_BLOCK = "forecast"


def regime_probability_columns(frame: pd.DataFrame) -> list[str]:
    """The filtered probabilities ``regime_p{k}`` of a regime frame."""
    return [c for c in frame.columns if str(c).startswith("regime_p")]


def compute_features(
    panel: FactorPanel, features: FeaturesConfig, cache: FeatureCache | None
) -> dict[str, pd.DataFrame]:
    """Feature frames of ``panel``, by block name, aligned on its months.

    Parameters
    ----------
    panel : FactorPanel
        The whole sample.
    features : FeaturesConfig
        Which builders to run, with their arguments.
    cache : FeatureCache, optional
        Where frames are looked up and stored.

    Returns
    -------
    dict of str to DataFrame
        ``"regime"``: ``regime_p{k}`` (filtered, P(s_t = k | x_1..x_t)) and
        ``regime_next_p{k}``; ``"forecast"``: one column per asset, row ``t`` = the ensemble
        forecast of month ``t + 1``. Rows before a builder's first fit are NaN.

    Raises
    ------
    ConfigError
        For a builder argument the builder refuses, named ``features.<block>.<key>``.
    """
    from factorgym.forecasts import EnsembleForecaster, WalkForwardForecaster
    from factorgym.regimes import RegimeFeatures

    out: dict[str, pd.DataFrame] = {}
    regime_probs: pd.DataFrame | None = None
    if features.regimes is not None:
        try:
            frame = RegimeFeatures(**dict(features.regimes)).compute(panel, cache=cache)
        except FactorGymError as exc:
            raise prefixed(exc, "features.regimes") from exc
        probs = [c for c in frame.columns if str(c) != "regime_state"]
        out[REGIME_BLOCK] = frame[probs].copy()
        regime_probs = frame[regime_probability_columns(frame)]
    if features.forecasts is not None:
        params: dict[str, Any] = {
            k: list(v) if isinstance(v, tuple) else v for k, v in features.forecasts.items()
        }
        use_regimes = bool(params.pop("use_regimes", regime_probs is not None))
        members: dict[str, Any] = {"models": params.pop("models")} if "models" in params else {}
        try:
            template = WalkForwardForecaster(**params)
            model = EnsembleForecaster(**members, forecaster=template, cache=cache)
            model.fit(panel, extra_features=regime_probs if use_regimes else None)
        except FactorGymError as exc:
            raise prefixed(exc, "features.forecasts") from exc
        out[FORECAST_BLOCK] = model.forecast_.copy()
    return out
