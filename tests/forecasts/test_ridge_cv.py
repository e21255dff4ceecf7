from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV

from factorgym import ConfigError, DataError, NotFittedError
from factorgym.forecasts import RIDGE_ALPHAS, PurgedRidgeCV, PurgedTimeSeriesSplit


def _data(seed: int = 0, n: int = 150):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 6))
    Y = np.column_stack([X[:, 0] * 0.5, X[:, 1] * 0.05, np.zeros(n)])
    return X, Y + rng.standard_normal((n, 3))


def test_chosen_penalties_and_coefficients_match_sklearn_grid_search() -> None:
    X, Y = _data()
    cv = PurgedTimeSeriesSplit(5)
    ours = PurgedRidgeCV(cv=cv).fit(X, Y)
    for k in range(Y.shape[1]):
        grid = GridSearchCV(
            Ridge(), {"alpha": list(RIDGE_ALPHAS)}, cv=cv, scoring="neg_mean_squared_error"
        ).fit(X, Y[:, k])
        assert ours.alpha_[k] == grid.best_params_["alpha"]
        assert_allclose(-grid.cv_results_["mean_test_score"], ours.cv_mse_[:, k], rtol=1e-9)
        assert_allclose(ours.coef_[k], grid.best_estimator_.coef_, rtol=1e-9, atol=1e-12)
        assert_allclose(ours.intercept_[k], grid.best_estimator_.intercept_, rtol=1e-9)
    assert_allclose(
        ours.predict(X[:5]),
        np.column_stack(
            [Ridge(alpha=a).fit(X, Y[:, k]).predict(X[:5]) for k, a in enumerate(ours.alpha_)]
        ),
        rtol=1e-9,
    )
    # a strong signal gets a smaller penalty than pure noise
    assert ours.alpha_[0] < ours.alpha_[2]


def test_one_dimensional_target_and_default_cv() -> None:
    X, Y = _data(1)
    model = PurgedRidgeCV(alphas=[1.0]).fit(X, Y[:, 0])
    assert model.predict(X).shape == (X.shape[0],)
    assert_allclose(model.coef_[0], Ridge(alpha=1.0).fit(X, Y[:, 0]).coef_, rtol=1e-10)


def test_errors() -> None:
    X, Y = _data()
    with pytest.raises(NotFittedError, match="PurgedRidgeCV is not fitted yet"):
        PurgedRidgeCV().predict(X)
    with pytest.raises(ConfigError, match="`alphas` must be a non-empty sequence of floats > 0"):
        PurgedRidgeCV(alphas=[0.0, 1.0]).fit(X, Y)
    with pytest.raises(ConfigError, match="`alphas` must be a non-empty sequence of floats > 0"):
        PurgedRidgeCV(alphas=[]).fit(X, Y)
    with pytest.raises(DataError, match="`X` must be 2-D and `y` 1-D or 2-D with the same rows"):
        PurgedRidgeCV().fit(X[:-1], Y)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(DataError, match="`X` and `y` must be finite"):
        PurgedRidgeCV().fit(bad, Y)
