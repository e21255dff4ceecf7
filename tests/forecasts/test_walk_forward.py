from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LassoCV
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from factorgym import ConfigError, DataError, FactorPanel, LookAheadError, NotFittedError
from factorgym.forecasts import (
    MODEL_NAMES,
    WalkForwardForecaster,
    build_features,
    make_model,
    next_month_labels,
    refit_schedule,
)

from .conftest import FAST, base_forecast, perturbed, small_panel

# Refits on the 120-month fixture with FAST settings: 35, 47, ..., 107, 119.
REFIT, MID = 59, 65


def test_small_panel_is_the_random_panel_fixture(random_panel: FactorPanel) -> None:
    assert small_panel() == random_panel  # base_forecast() caches forecasts on this panel


def test_refit_schedule_by_hand() -> None:
    usable = np.array([0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1], dtype=bool)
    # usable samples before t: t=5 -> 3 (s = 2, 3, 4), t=7 -> 4
    assert refit_schedule(usable, min_train_months=3, refit_every=4).tolist() == [5, 9]
    assert refit_schedule(usable, min_train_months=4, refit_every=1).tolist() == [7, 8, 9, 10, 11]
    assert refit_schedule(usable, min_train_months=50, refit_every=1).size == 0


def test_first_forecast_month_and_nan_before(random_panel: FactorPanel) -> None:
    fc = WalkForwardForecaster("ridge", **FAST).fit(random_panel)
    f = fc.forecast_
    # features are complete from month 11; 24 samples (11..34) are needed: first refit at 35
    assert fc.refit_months_[0] == random_panel.months[35]
    assert list(fc.refit_months_) == list(random_panel.months[35::12])
    assert f.iloc[:35].isna().all().all()
    assert f.iloc[35:].notna().all().all()  # including the last row (forecast of the next month)
    assert list(f.columns) == list(random_panel.assets)
    assert np.array_equal(f.index.asi8, random_panel.months.asi8)
    assert fc.train_sizes_[0] == 24 and fc.train_sizes_[-1] == 119 - 11
    assert fc.n_convergence_warnings_ == 0


def test_matches_a_brute_force_refit(random_panel: FactorPanel) -> None:
    """Row t equals a model fitted by hand on samples s <= r - 1 (r = last refit <= t)."""
    fc = WalkForwardForecaster("ridge", **FAST).fit(random_panel)
    X = build_features(random_panel).to_numpy()
    Y = next_month_labels(random_panel).to_numpy()
    for r in (35, 71):
        # samples 11..r-1 with labels x_12..x_r, on one BLAS thread and C-ordered like the
        # forecaster's (thread count and memory layout change summation order, hence last bits)
        with threadpool_limits(limits=1):
            model = make_model("ridge", cv_splits=3)
            model.fit(np.ascontiguousarray(X[11:r]), np.ascontiguousarray(Y[11:r]))
            ref = model.predict(np.ascontiguousarray(X[r : r + 12]))
        assert np.array_equal(fc.forecast_.to_numpy()[r : r + 12], ref)
    # the scaler of the last model was fitted on the last training window only
    scaler = fc.model_.named_steps["scale"]
    np.testing.assert_allclose(scaler.mean_, fc.train_X_.to_numpy().mean(axis=0), rtol=1e-12)
    assert fc.train_X_.index[-1] == random_panel.months[118]  # refit at 119 uses s <= 118
    assert fc.train_y_.iloc[-1].tolist() == list(random_panel.returns[119])


@pytest.mark.parametrize("name", MODEL_NAMES)
@pytest.mark.parametrize("t", [REFIT, MID])
def test_no_look_ahead(random_panel: FactorPanel, name: str, t: int) -> None:
    """Perturbing every month after t leaves forecast rows <= t unchanged, bit for bit.

    t = 59 is a refit month (its model must not see x_60, the label of sample 59);
    t = 65 is inside a block (rows 66..70 are predicted by the same model from changed rows).
    """
    base = base_forecast(name)
    other = WalkForwardForecaster(name, **FAST).fit(perturbed(random_panel, t)).forecast_
    other = other.to_numpy()
    assert np.array_equal(base[: t + 1], other[: t + 1], equal_nan=True)
    assert not np.array_equal(base[t + 1 :], other[t + 1 :])  # the perturbation does bite


def test_forecast_at_t_uses_month_t(random_panel: FactorPanel) -> None:
    """The check above is not vacuous: changing x_t itself changes row t."""
    base = WalkForwardForecaster("ridge", **FAST).fit(random_panel).forecast_.to_numpy()
    other = WalkForwardForecaster("ridge", **FAST).fit(perturbed(random_panel, MID - 1))
    assert not np.array_equal(base[MID], other.forecast_.to_numpy()[MID])


def test_no_look_ahead_through_extra_features(random_panel: FactorPanel) -> None:
    rng = np.random.default_rng(5)
    extra = pd.DataFrame({"p": rng.random(120)}, index=random_panel.months)
    later = extra.copy()
    later.iloc[MID + 1 :] = rng.random((120 - MID - 1, 1))
    base = WalkForwardForecaster("ridge", **FAST).fit(random_panel, extra_features=extra)
    other = WalkForwardForecaster("ridge", **FAST).fit(random_panel, extra_features=later)
    a, b = base.forecast_.to_numpy(), other.forecast_.to_numpy()
    assert np.array_equal(a[: MID + 1], b[: MID + 1], equal_nan=True)
    assert not np.array_equal(a[MID + 1 :], b[MID + 1 :])
    months = pd.period_range(random_panel.start, periods=121, freq="M")
    with pytest.raises(LookAheadError, match="2010-01 is after the panel's last month 2009-12"):
        WalkForwardForecaster("ridge", **FAST).fit(
            random_panel, extra_features=pd.DataFrame({"p": np.zeros(121)}, index=months)
        )


def test_unavailable_extra_features_delay_training_and_forecasts(random_panel) -> None:
    extra = pd.DataFrame(
        {"p": np.r_[np.full(40, np.nan), np.linspace(0, 1, 80)]}, index=random_panel.months
    )
    fc = WalkForwardForecaster("ridge", **FAST).fit(random_panel, extra_features=extra)
    assert fc.refit_months_[0] == random_panel.months[40 + 24]
    assert fc.forecast_.iloc[:64].isna().all().all()
    assert fc.forecast_.iloc[64:].notna().all().all()
    assert fc.train_X_["p"].notna().all()


@pytest.mark.parametrize("max_train", [None, 120])
def test_holes_in_extra_features_are_refused_with_the_month(random_panel, max_train) -> None:
    """A feature missing every other month (the one alignment rule: NaN only as a burn-in)."""
    extra = pd.DataFrame(
        {"p": np.where(np.arange(120) % 2 == 0, 0.5, np.nan)}, index=random_panel.months
    )
    fc = WalkForwardForecaster(
        "ridge", min_train_months=24, max_train_months=max_train, cv_splits=3
    )
    with pytest.raises(DataError, match="missing values at 2000-02, after its first complete row"):
        fc.fit(random_panel, extra_features=extra)


def test_rolling_window(random_panel: FactorPanel) -> None:
    fc = WalkForwardForecaster(
        "ridge", min_train_months=24, refit_every=12, max_train_months=30
    ).fit(random_panel)
    assert fc.train_sizes_.max() == 30 and fc.train_sizes_[0] == 24
    assert fc.train_X_.index[0] == random_panel.months[119 - 30]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_same_seed_identical_frames(random_panel: FactorPanel, name: str) -> None:
    a = WalkForwardForecaster(name, random_state=0, **FAST).fit(random_panel).forecast_
    assert np.array_equal(a.to_numpy(), base_forecast(name, 0), equal_nan=True)
    if name in ("rf", "mlp"):  # the seed matters where there is randomness
        c = WalkForwardForecaster(name, random_state=8, **FAST).fit(random_panel).forecast_
        assert not np.array_equal(a.to_numpy(), c.to_numpy(), equal_nan=True)


def test_convergence_warnings_are_recorded_not_raised(random_panel, caplog) -> None:
    lasso = make_pipeline(
        StandardScaler(), MultiOutputRegressor(LassoCV(alphas=5, cv=3, max_iter=1, tol=1e-12))
    )
    with caplog.at_level(logging.WARNING, logger="factorgym.forecasts.walk_forward"):
        fc = WalkForwardForecaster(lasso, **FAST).fit(random_panel)
    assert fc.n_convergence_warnings_ > 0
    assert "ConvergenceWarning" in caplog.text


class _Noisy(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        warnings.warn("something else", UserWarning, stacklevel=2)
        self.mean_ = np.mean(y, axis=0)
        return self

    def predict(self, X):
        return np.tile(self.mean_, (len(X), 1))


def test_other_warnings_still_surface(random_panel: FactorPanel) -> None:
    with pytest.warns(UserWarning, match="something else"):
        fc = WalkForwardForecaster(_Noisy(), **FAST).fit(random_panel)
    # a custom model is cloned at every refit: its forecast is the training mean of the labels
    np.testing.assert_allclose(fc.forecast_.iloc[35], random_panel.returns[12:36].mean(axis=0))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"model": "ols"}, "`model` must be one of"),
        ({"model": 3}, "`model` must be a model name or an estimator with fit/predict, got int"),
        ({"cv_splits": 1}, "`cv_splits` must be an int >= 2, got 1"),
        ({"min_train_months": 7}, "`min_train_months` must be an int >= 8, got 7"),
        ({"refit_every": 0}, "`refit_every` must be an int >= 1, got 0"),
        ({"refit_every": True}, "`refit_every` must be an int >= 1, got True"),
        ({"max_train_months": 20}, "`max_train_months` must be an int >= 24, got 20"),
        ({"n_threads": 0}, "`n_threads` must be an int >= 1, got 0"),
        ({"random_state": -1}, "`random_state` must be an int >= 0, got -1"),
    ],
)
def test_parameter_errors(random_panel: FactorPanel, params: dict, match: str) -> None:
    kwargs = {**FAST, **params}
    with pytest.raises(ConfigError, match=match):
        WalkForwardForecaster(**kwargs).fit(random_panel)


def test_data_errors(random_panel: FactorPanel) -> None:
    with pytest.raises(DataError, match="`panel` must be a FactorPanel, got DataFrame"):
        WalkForwardForecaster().fit(random_panel.to_frame())
    with pytest.raises(DataError, match=r"`panel` is too short: 120 months give 108 usable"):
        WalkForwardForecaster(min_train_months=109).fit(random_panel)
    with pytest.raises(NotFittedError, match="WalkForwardForecaster is not fitted yet"):
        WalkForwardForecaster().forecast()
    fc = WalkForwardForecaster("ridge", **FAST).fit(random_panel)
    copy = fc.forecast()
    copy.iloc[:] = 0.0
    assert fc.forecast_.iloc[:35].isna().all().all()


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_truncated_panel_gives_the_same_rows(random_panel: FactorPanel, name: str) -> None:
    """Stronger than perturbing: a panel that ends at t gives rows <= t bit for bit."""
    short = WalkForwardForecaster(name, **FAST).fit(random_panel.slice(end="2005-06"))
    assert short.forecast_.index[-1] == random_panel.months[MID]
    assert np.array_equal(
        short.forecast_.to_numpy(), base_forecast(name)[: MID + 1], equal_nan=True
    )
