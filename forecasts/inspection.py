"""What the last fitted model uses: permutation importance and partial dependence.

Both are computed with :mod:`sklearn.inspection` on the **last training window** of a fitted
:class:`~factorgym.forecasts.WalkForwardForecaster` (``model_`` on ``train_X_``, ``train_y_``),
i.e. in sample for that model: they describe what the model learned, not out-of-sample skill.
Native threads are limited to the forecaster's ``n_threads`` (OpenMP in gradient boosting is
very slow on tiny inputs when cores are oversubscribed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.metrics import r2_score
from threadpoolctl import threadpool_limits

from factorgym.errors import ConfigError, NotFittedError
from factorgym.forecasts.walk_forward import WalkForwardForecaster

__all__ = ["partial_dependence_last_window", "permutation_importance_last_window"]


def _fitted(forecaster: WalkForwardForecaster) -> WalkForwardForecaster:
    if not isinstance(forecaster, WalkForwardForecaster):
        raise ConfigError(
            f"`forecaster` must be a WalkForwardForecaster, got {type(forecaster).__name__}"
        )
    if not hasattr(forecaster, "model_"):
        raise NotFittedError("`forecaster` is not fitted yet; call `fit(panel)` first")
    return forecaster


def permutation_importance_last_window(
    forecaster: WalkForwardForecaster,
    *,
    asset: str | None = None,
    n_repeats: int = 5,
    random_state: int = 0,
) -> pd.DataFrame:
    """Drop in R² when one feature's column is shuffled (Breiman 2001; scikit-learn's version).

    Parameters
    ----------
    forecaster : WalkForwardForecaster
        Fitted.
    asset : str, optional
        Score only this asset's forecasts; default the R² averaged over assets.
    n_repeats : int
        Shuffles per feature.
    random_state : int
        Seed of the shuffles.

    Returns
    -------
    DataFrame indexed by feature
        ``importance_mean`` and ``importance_std`` over repeats, most important first.

    Raises
    ------
    NotFittedError
        If the forecaster is not fitted.
    ConfigError
        If ``forecaster`` is not a WalkForwardForecaster or ``asset`` is unknown.
    """
    fc = _fitted(forecaster)
    assets = list(fc.train_y_.columns)
    if asset is None:
        scoring: object = "r2"
    elif asset in assets:
        col = assets.index(asset)

        def scoring(estimator, X, y):  # noqa: ANN001, ANN202
            pred = np.asarray(estimator.predict(X)).reshape(len(X), -1)
            return r2_score(y[:, col], pred[:, col])
    else:
        raise ConfigError(f"`asset` must be one of {assets}, got {asset!r}")
    with threadpool_limits(limits=int(fc.n_threads)):
        result = permutation_importance(
            fc.model_,
            fc.train_X_.to_numpy(),
            fc.train_y_.to_numpy(),
            scoring=scoring,
            n_repeats=n_repeats,
            random_state=random_state,
        )
    out = pd.DataFrame(
        {"importance_mean": result.importances_mean, "importance_std": result.importances_std},
        index=pd.Index(fc.train_X_.columns, name="feature"),
    )
    return out.sort_values("importance_mean", ascending=False, kind="stable")


def partial_dependence_last_window(
    forecaster: WalkForwardForecaster,
    feature: str,
    *,
    grid_resolution: int = 20,
    percentiles: tuple[float, float] = (0.05, 0.95),
) -> pd.DataFrame:
    """Average forecast as one feature moves over a grid (Friedman 2001), others as observed.

    Parameters
    ----------
    forecaster : WalkForwardForecaster
        Fitted.
    feature : str
        A column of ``forecaster.train_X_``.
    grid_resolution : int
        Number of grid points.
    percentiles : (float, float)
        Grid range, as percentiles of the feature in the last training window.

    Returns
    -------
    DataFrame of shape (n_grid, n_assets)
        Index = grid values of ``feature`` (original units), columns = assets.

    Raises
    ------
    NotFittedError
        If the forecaster is not fitted.
    ConfigError
        If ``feature`` is not one of the model's features.
    """
    fc = _fitted(forecaster)
    names = list(fc.train_X_.columns)
    if feature not in names:
        raise ConfigError(f"`feature` must be one of the model's features {names}, got {feature!r}")
    with threadpool_limits(limits=int(fc.n_threads)):
        result = partial_dependence(
            fc.model_,
            fc.train_X_.to_numpy(),
            [names.index(feature)],
            kind="average",
            method="brute",
            grid_resolution=grid_resolution,
            percentiles=percentiles,
        )
    average = np.asarray(result["average"]).reshape(len(fc.train_y_.columns), -1)
    grid = np.asarray(result["grid_values"][0])
    return pd.DataFrame(
        average.T, index=pd.Index(grid, name=feature), columns=list(fc.train_y_.columns)
    )
