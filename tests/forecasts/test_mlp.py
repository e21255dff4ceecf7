from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import r2_score

from factorgym import ConfigError, DataError, NotFittedError
from factorgym.forecasts import TorchMLPRegressor


def _data(n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    Y = np.column_stack([0.03 * np.tanh(X[:, 0]), 0.02 * X[:, 1] * X[:, 2]])
    return X, Y + 0.002 * rng.standard_normal((n, 2))


def test_same_seed_identical_predictions_different_seed_differs() -> None:
    X, Y = _data()
    a = TorchMLPRegressor(random_state=3).fit(X, Y).predict(X)
    b = TorchMLPRegressor(random_state=3).fit(X, Y).predict(X)
    c = TorchMLPRegressor(random_state=4).fit(X, Y).predict(X)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.shape == (200, 2) and a.dtype == np.float64


def test_global_torch_state_is_left_alone() -> None:
    X, Y = _data()
    torch.manual_seed(123)
    state = torch.get_rng_state()
    threads = torch.get_num_threads()
    TorchMLPRegressor(n_threads=1).fit(X, Y).predict(X)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.get_num_threads() == threads


def test_learns_a_nonlinear_function_without_penalty() -> None:
    X, Y = _data()
    model = TorchMLPRegressor((32,), alpha=0.0, max_epochs=400, learning_rate=1e-2).fit(X, Y)
    assert r2_score(Y, model.predict(X)) > 0.8
    assert model.train_loss_ < 0.2
    # the penalty shrinks the fit towards the training mean
    shrunk = TorchMLPRegressor((32,), alpha=10.0, max_epochs=400).fit(X, Y).predict(X)
    assert np.std(shrunk, axis=0).max() < np.std(model.predict(X), axis=0).min()


def test_one_dimensional_target_and_clone() -> None:
    X, Y = _data()
    model = TorchMLPRegressor(max_epochs=20).fit(X, Y[:, 0])
    assert model.predict(X).shape == (200,)
    fresh = clone(model)
    assert not hasattr(fresh, "network_") and fresh.get_params() == model.get_params()


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"hidden_layer_sizes": ()}, "`hidden_layer_sizes` must be a non-empty sequence"),
        ({"hidden_layer_sizes": (8, 0)}, "`hidden_layer_sizes` must be a non-empty sequence"),
        ({"alpha": -1.0}, "`alpha` must be >= 0, got -1.0"),
        ({"learning_rate": 0.0}, "`learning_rate` must be > 0, got 0.0"),
        ({"max_epochs": 0}, "`max_epochs` must be an int >= 1, got 0"),
        ({"n_threads": 0}, "`n_threads` must be an int >= 1, got 0"),
    ],
)
def test_parameter_errors(params: dict, match: str) -> None:
    X, Y = _data(20)
    with pytest.raises(ConfigError, match=match):
        TorchMLPRegressor(**params).fit(X, Y)


def test_data_errors() -> None:
    X, Y = _data(20)
    with pytest.raises(NotFittedError, match="TorchMLPRegressor is not fitted yet"):
        TorchMLPRegressor().predict(X)
    with pytest.raises(DataError, match=r"`X` must be 2-D, got shape \(20,\)"):
        TorchMLPRegressor().fit(X[:, 0], Y)
    with pytest.raises(DataError, match="must have the same number"):
        TorchMLPRegressor().fit(X[:5], Y)
    bad = Y.copy()
    bad[0, 0] = np.nan
    with pytest.raises(DataError, match="`y` must be finite"):
        TorchMLPRegressor().fit(X, bad)
    model = TorchMLPRegressor(max_epochs=2).fit(X, Y)
    with pytest.raises(DataError, match="`X` must have 4 features, got 3"):
        model.predict(X[:, :3])
