"""Fold env specs: windows, cut panels and features, and features equal to a per-fold fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorgym.data import synthetic_market
from factorgym.envs.config import EnvConfig
from factorgym.errors import DataError
from factorgym.experiments import PurgedWalkForward
from factorgym.experiments.config import FeaturesConfig
from factorgym.experiments.feature_pipeline import compute_features
from factorgym.experiments.fold_envs import earnable_months, fold_envs
from factorgym.feature_cache import FeatureCache
from factorgym.regimes import RegimeFeatures

REGIMES = {"n_states": 2, "min_train": 48, "refit_every": 12, "n_restarts": 1}


@pytest.fixture(scope="module")
def setting():
    panel = synthetic_market(260, 3, seed=4).panel
    features = compute_features(
        panel, FeaturesConfig(regimes=REGIMES, forecasts=None), FeatureCache(None)
    )
    env = EnvConfig(
        lookback=6, vol_lookback=6, normalize=True, normalize_window=("1960-01", "1962-12")
    )
    earnable = earnable_months(panel, features, env)
    cv = PurgedWalkForward(train_size=60, validation_size=12, test_size=40, purge=1)
    folds = [fold_envs(panel, features, env, f, earnable) for f in cv.folds(earnable)]
    return panel, features, env, earnable, folds


def test_earnable_months_start_after_the_warm_up(setting):
    panel, features, _, earnable, _ = setting
    first_regime_row = features["regime"].dropna().index[0]
    assert first_regime_row == panel.months[REGIMES["min_train"] - 1]
    assert earnable[0] == first_regime_row + 1 and earnable[-1] == panel.end


def test_specs_hold_nothing_after_their_window(setting):
    panel, _, _, earnable, folds = setting
    for fe in folds:
        lo, hi = (str(m) for m in fe.train_window)
        assert fe.train.config.window == (lo, hi) and str(fe.train.panel.end) == hi
        assert fe.train.config.random_start is True  # training episodes keep the config's
        for spec in [fe.validation] + [t.spec for t in fe.tests]:
            assert spec.config.random_start is False and spec.config.episode_length is None
            assert str(spec.panel.end) == spec.config.window[1]
            for frame in spec.features.values():
                assert len(frame) == spec.panel.n_months
                assert frame.index[-1] == spec.panel.end
        # one normaliser for the fold, fitted on the training rows only
        first_row = str(pd.Period(lo, "M") - 1)
        for spec in (fe.train, fe.validation, fe.tests[0].spec):
            assert spec.config.normalize_window == (first_row, hi)
        assert fe.validation_window[0] > fe.train_window[1] + 1  # purged month in between
        assert fe.tests[0].start > fe.validation_window[1] + 1
    assert folds[-1].tests[0].end == panel.end


def test_fold_features_equal_a_fit_on_the_months_up_to_the_window_end(setting):
    panel, _, _, _, folds = setting
    for fe in folds:
        for spec in (fe.train, fe.validation, fe.tests[0].spec):
            cut = panel.slice(None, spec.panel.end)
            fresh = RegimeFeatures(**REGIMES).compute(cut)
            fresh = fresh[[c for c in fresh.columns if c != "regime_state"]]
            got = spec.features["regime"]
            assert got.index.equals(fresh.index)
            np.testing.assert_array_equal(got.to_numpy(), fresh.to_numpy())  # bit for bit


def test_earnable_months_refuse_holes_after_the_warm_up(setting):
    panel, features, env, _, _ = setting
    holed = {"regime": features["regime"].copy()}
    holed["regime"].iloc[200, 0] = np.nan
    with pytest.raises(DataError, match=r"feature frame 'regime' has missing values at 1976-09"):
        earnable_months(panel, holed, env)
    with pytest.raises(DataError, match=r"`features\['regime'\]` must have one row per panel"):
        fold_envs(
            panel, {"regime": features["regime"].iloc[:-1]}, env, setting[4][0].fold, setting[3]
        )
