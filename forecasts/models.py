"""Model factory: the named forecasters, each a scikit-learn pipeline ready for a training window.

Every model is ``Pipeline([StandardScaler(), regressor])``: the scaler is part of the model, so
the feature standardisation is fitted on the training samples of each walk-forward refit and on
nothing else. All regressors are multi-output (one column per factor).

==========  ===========================================================================
name        regressor
==========  ===========================================================================
``ridge``   :class:`~factorgym.forecasts.PurgedRidgeCV`: one penalty per factor from a
            13-point log grid (0.1 .. 1e5) by purged time-series CV
``lasso``   LASSO, one penalty per factor from a 20-point path (``eps=1e-2``) by purged CV
``enet``    elastic net, penalty (20-point path) and L1 ratio (0.25, 0.75) per factor by
            purged CV
``rf``      random forest, 50 shallow trees (``max_depth=3``, ``min_samples_leaf=20``), one
            forest for all factors
``hgb``     histogram gradient boosting per factor, 30 depth-2 trees, learning rate 0.05,
            no early stopping
``mlp``     :class:`~factorgym.forecasts.TorchMLPRegressor`, one hidden layer of 16 tanh units,
            L2 penalty 0.1, 100 full-batch Adam steps
==========  ===========================================================================

The purged CV (:class:`~factorgym.forecasts.PurgedTimeSeriesSplit`) only ever sees the samples of
the training window it is given, so the penalty is chosen inside that window. The sizes are
modest on purpose: the full set is refitted dozens of times on up to ~800 samples.
"""

from __future__ import annotations

from sklearn.base import RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import ElasticNetCV, LassoCV
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from factorgym.errors import ConfigError
from factorgym.forecasts.mlp import TorchMLPRegressor
from factorgym.forecasts.purged_cv import PurgedTimeSeriesSplit
from factorgym.forecasts.ridge_cv import PurgedRidgeCV

__all__ = ["MODEL_NAMES", "make_model"]

MODEL_NAMES: tuple[str, ...] = ("ridge", "lasso", "enet", "rf", "hgb", "mlp")
"""Names accepted by :func:`make_model`, in the order of the ensemble."""


def make_model(
    name: str, *, random_state: int = 0, cv_splits: int = 5, n_threads: int = 1
) -> Pipeline:
    """A fresh, unfitted pipeline for model ``name``.

    Parameters
    ----------
    name : {"ridge", "lasso", "enet", "rf", "hgb", "mlp"}
        Which model (see the module docstring).
    random_state : int
        Seed of the random forest, the gradient boosting and the MLP.
    cv_splits : int
        Number of purged forward-chaining validation blocks for the penalised linear models.
    n_threads : int
        Torch threads of the MLP (scikit-learn's native threads are limited by the caller).

    Raises
    ------
    ConfigError
        For an unknown name.
    """
    cv = PurgedTimeSeriesSplit(cv_splits, label_horizon=1)
    regressor: RegressorMixin
    if name == "ridge":
        regressor = PurgedRidgeCV(cv=cv)
    elif name == "lasso":
        regressor = MultiOutputRegressor(
            LassoCV(alphas=20, eps=1e-2, cv=cv, max_iter=20000, random_state=random_state)
        )
    elif name == "enet":
        regressor = MultiOutputRegressor(
            ElasticNetCV(
                l1_ratio=[0.25, 0.75],
                alphas=20,
                eps=1e-2,
                cv=cv,
                max_iter=20000,
                random_state=random_state,
            )
        )
    elif name == "rf":
        regressor = RandomForestRegressor(
            n_estimators=50,
            max_depth=3,
            min_samples_leaf=20,
            max_features=0.33,
            random_state=random_state,
            n_jobs=1,
        )
    elif name == "hgb":
        regressor = MultiOutputRegressor(
            HistGradientBoostingRegressor(
                max_iter=30,
                learning_rate=0.05,
                max_depth=2,
                min_samples_leaf=20,
                l2_regularization=1.0,
                max_bins=32,
                early_stopping=False,
                random_state=random_state,
            )
        )
    elif name == "mlp":
        regressor = TorchMLPRegressor(random_state=random_state, n_threads=n_threads)
    else:
        raise ConfigError(f"`model` must be one of {MODEL_NAMES}, got {name!r}")
    return Pipeline([("scale", StandardScaler()), ("model", regressor)])
