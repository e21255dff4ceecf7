"""Heavier checks with the library defaults: the full six-model ensemble, point in time and
deterministic (must-show 2 and 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorgym.data import load, synthetic_market
from factorgym.forecasts import MODEL_NAMES, EnsembleForecaster, WalkForwardForecaster

from .conftest import perturbed

pytestmark = pytest.mark.slow


def test_full_ensemble_has_no_look_ahead_through_panel_or_extra_features() -> None:
    market = synthetic_market(252, 4, seed=3)
    panel = market.panel
    # an external point-in-time frame, e.g. regime probabilities (here: the true state, lagged
    # by nothing, which is fine for a look-ahead test of the forecaster itself)
    extra = pd.DataFrame({"p_crisis": market.states.astype(float)}, index=panel.months)
    t = 170  # inside a refit block (refits at 131, 143, ..., 167, 179, ...)
    later = extra.copy()
    later.iloc[t + 1 :] = 1.0 - later.iloc[t + 1 :]
    base = EnsembleForecaster().fit(panel, extra_features=extra)
    other = EnsembleForecaster().fit(perturbed(panel, t), extra_features=later)
    assert list(base.member_forecasts_) == list(MODEL_NAMES)
    for a, b in [
        (base.forecast_, other.forecast_),
        (base.uncertainty_, other.uncertainty_),
        *[(base.member_forecasts_[m], other.member_forecasts_[m]) for m in MODEL_NAMES],
    ]:
        a, b = a.to_numpy(), b.to_numpy()
        assert np.array_equal(a[: t + 1], b[: t + 1], equal_nan=True)
        assert not np.array_equal(a[t + 1 :], b[t + 1 :])
    assert base.forecast_.iloc[:131].isna().all().all()
    assert base.forecast_.iloc[131:].notna().all().all()


def test_full_ensemble_is_deterministic_on_french_data() -> None:
    panel = load("french", start="1990-01")
    a = EnsembleForecaster(forecaster=WalkForwardForecaster(random_state=5)).fit(panel).to_frame()
    b = EnsembleForecaster(forecaster=WalkForwardForecaster(random_state=5)).fit(panel).to_frame()
    assert a.shape == (327, 4 * (2 + len(MODEL_NAMES)))
    assert np.array_equal(a.to_numpy(), b.to_numpy(), equal_nan=True)
    assert a.columns.equals(b.columns) and a.index.equals(b.index)
