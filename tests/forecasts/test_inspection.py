from __future__ import annotations

import numpy as np
import pytest

from factorgym import ConfigError, NotFittedError
from factorgym.forecasts import (
    WalkForwardForecaster,
    partial_dependence_last_window,
    permutation_importance_last_window,
)

from .conftest import FAST, planted


@pytest.fixture(scope="module")
def fitted() -> WalkForwardForecaster:
    panel, signal = planted(240, beta=0.03, seed=0)
    return WalkForwardForecaster("ridge", **FAST).fit(panel, extra_features=signal)


def test_permutation_importance_finds_the_planted_signal(fitted) -> None:
    imp = permutation_importance_last_window(fitted, n_repeats=3)
    assert imp.index[0] == "signal"
    assert list(imp.columns) == ["importance_mean", "importance_std"]
    assert len(imp) == fitted.train_X_.shape[1]
    only_a = permutation_importance_last_window(fitted, asset="A", n_repeats=3)
    assert only_a.index[0] == "signal"
    assert only_a.loc["signal", "importance_mean"] > imp.loc["signal", "importance_mean"]
    again = permutation_importance_last_window(fitted, n_repeats=3)
    assert again.equals(imp)  # seeded


def test_partial_dependence_of_ridge_is_its_slope(fitted) -> None:
    pd_frame = partial_dependence_last_window(fitted, "signal", grid_resolution=7)
    assert pd_frame.shape == (7, 2) and list(pd_frame.columns) == ["A", "B"]
    model = fitted.model_
    j = list(fitted.train_X_.columns).index("signal")
    slope = model.named_steps["model"].coef_[:, j] / model.named_steps["scale"].scale_[j]
    grid = pd_frame.index.to_numpy()
    for k, asset in enumerate(["A", "B"]):
        fitted_slope = np.polyfit(grid, pd_frame[asset].to_numpy(), 1)[0]
        np.testing.assert_allclose(fitted_slope, slope[k], rtol=1e-8)
    # an even grid inside the central 90 % of the last training window's values
    signal = fitted.train_X_["signal"]
    assert signal.min() < grid[0] < grid[-1] < signal.max()
    np.testing.assert_allclose(np.diff(grid), (grid[-1] - grid[0]) / 6)
    assert (signal < grid[0]).mean() == pytest.approx(0.05, abs=0.02)


@pytest.mark.parametrize("name", ["rf", "hgb", "mlp", "lasso"])
def test_inspection_works_for_every_kind_of_model(name: str) -> None:
    panel, signal = planted(120, beta=0.03, seed=1)
    fc = WalkForwardForecaster(name, min_train_months=60, refit_every=60, cv_splits=3)
    fc.fit(panel, extra_features=signal)
    assert np.isfinite(permutation_importance_last_window(fc, n_repeats=1).to_numpy()).all()
    assert np.isfinite(partial_dependence_last_window(fc, "A:ret_1", grid_resolution=3)).all().all()


def test_errors(fitted) -> None:
    with pytest.raises(NotFittedError, match="`forecaster` is not fitted yet"):
        permutation_importance_last_window(WalkForwardForecaster())
    with pytest.raises(ConfigError, match="`forecaster` must be a WalkForwardForecaster, got str"):
        partial_dependence_last_window("ridge", "signal")
    with pytest.raises(ConfigError, match=r"`asset` must be one of \['A', 'B'\], got 'C'"):
        permutation_importance_last_window(fitted, asset="C")
    with pytest.raises(ConfigError, match="`feature` must be one of the model's features"):
        partial_dependence_last_window(fitted, "signal_2")
