from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from factorgym import ConfigError
from factorgym.forecasts import MODEL_NAMES, make_model


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_model_is_a_scaled_multi_output_pipeline(name: str) -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 5))
    Y = 0.01 * X[:, :2] + 0.04 * rng.standard_normal((80, 2))
    model = make_model(name, random_state=0, cv_splits=3)
    assert isinstance(model.steps[0][1], StandardScaler)
    with threadpool_limits(limits=1):  # as the walk-forward does; OpenMP idles on tiny inputs
        pred = model.fit(X, Y).predict(X[:7])
    assert pred.shape == (7, 2) and np.all(np.isfinite(pred))


def test_unknown_name() -> None:
    with pytest.raises(ConfigError, match="`model` must be one of .*'ridge'.*, got 'ols'"):
        make_model("ols")
