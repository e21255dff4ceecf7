"""Walk-forward supervised forecasts of next-month factor returns."""

if __name__ != "factorgym.forecasts":  # forecasts/ is not a package of its own
    raise ImportError(f"import factorgym.forecasts, not {__name__} (one import path per module)")

from factorgym.forecasts.ensemble import EnsembleForecaster, combine_forecasts
from factorgym.forecasts.features import build_features, check_extra_features, next_month_labels
from factorgym.forecasts.inspection import (
    partial_dependence_last_window,
    permutation_importance_last_window,
)
from factorgym.forecasts.mlp import TorchMLPRegressor
from factorgym.forecasts.models import MODEL_NAMES, make_model
from factorgym.forecasts.purged_cv import PurgedTimeSeriesSplit
from factorgym.forecasts.ridge_cv import RIDGE_ALPHAS, PurgedRidgeCV
from factorgym.forecasts.skill import (
    ClarkWestResult,
    clark_west_test,
    hit_rate,
    information_coefficient,
    oos_r2,
    prevailing_mean,
    skill_table,
)
from factorgym.forecasts.walk_forward import WalkForwardForecaster, refit_schedule

__all__ = [
    "MODEL_NAMES",
    "RIDGE_ALPHAS",
    "ClarkWestResult",
    "EnsembleForecaster",
    "PurgedRidgeCV",
    "PurgedTimeSeriesSplit",
    "TorchMLPRegressor",
    "WalkForwardForecaster",
    "build_features",
    "check_extra_features",
    "clark_west_test",
    "combine_forecasts",
    "hit_rate",
    "information_coefficient",
    "make_model",
    "next_month_labels",
    "oos_r2",
    "partial_dependence_last_window",
    "permutation_importance_last_window",
    "prevailing_mean",
    "refit_schedule",
    "skill_table",
]
