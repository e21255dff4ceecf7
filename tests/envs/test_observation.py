"""Observation blocks, feature alignment (LookAheadError), training-window normaliser."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from factorgym import FactorPanel
from factorgym.envs import EnvConfig, FactorTimingEnv
from factorgym.envs.market_data import build_market_data
from factorgym.envs.observation import fit_normalizer, normalize_features
from factorgym.errors import ConfigError, DataError


def test_series_and_mappings():
    s = pd.Series(np.arange(6.0), index=pd.period_range("2000-01", periods=6, freq="M"))
    assert list(normalize_features(s)) == ["features"]
    assert normalize_features(None) == {}
    with pytest.raises(DataError, match="feature block names must be non-empty strings"):
        normalize_features({"": s})
    with pytest.raises(DataError, match="`features` must be a DataFrame or a mapping"):
        normalize_features([s])  # type: ignore[arg-type]


def test_fit_normalizer_uses_only_the_window():
    rows = np.vstack([np.full((5, 2), 100.0), np.arange(10.0).reshape(5, 2)])
    mask = np.zeros(10, dtype=bool)
    mask[5:] = True
    norm = fit_normalizer(rows, mask, ("a", "b"))
    assert_allclose(norm.mean, rows[5:].mean(axis=0))
    assert_allclose(norm.scale, rows[5:].std(axis=0))
    const = fit_normalizer(np.ones((4, 1)), np.ones(4, dtype=bool), ("a", "b"))
    assert const.scale[0] == 1.0
    with pytest.raises(DataError, match="`normalize_window` \\('a', 'b'\\) holds no complete"):
        fit_normalizer(np.full((3, 1), np.nan), np.ones(3, dtype=bool), ("a", "b"))


def test_normaliser_is_fitted_on_the_training_window_only(french_panel):
    train = ("1960-01", "1989-12")
    cfg = EnvConfig(normalize=True, normalize_window=train, window=("1990-01", "2017-03"))
    md = build_market_data(french_panel, None, cfg, needs_cov=False)
    raw = build_market_data(french_panel, None, EnvConfig(), needs_cov=False).static_obs
    lo = french_panel.month_position("1960-01")
    hi = french_panel.month_position("1989-12")
    sel = raw[lo : hi + 1].astype(np.float64)
    assert_allclose(md.normalizer.mean, sel.mean(axis=0), rtol=1e-5)
    assert md.normalizer.window == train and md.normalizer.n_rows == hi - lo + 1
    # the test-window env's observations are standardised with training statistics
    train_rows = md.static_obs[lo : hi + 1]
    assert_allclose(train_rows.mean(axis=0), 0.0, atol=1e-5)


def test_normaliser_needs_an_explicit_training_window_and_then_does_not_look_ahead(french_small):
    # No default window: fitting on the env's own (test) window would scale the observation
    # at t with statistics of months after t.
    with pytest.raises(ConfigError, match="`normalize_window` must be the training window"):
        EnvConfig(normalize=True)
    cfg = EnvConfig(normalize=True, normalize_window=("1990-12", "1994-12"), random_start=False)
    later = french_small.returns.copy()
    later[72:] += 0.05  # change every month after the decision row 71 (1995-12)
    perturbed = FactorPanel(later, french_small.rf, french_small.months, french_small.assets)
    obs = []
    for panel in (french_small, perturbed):
        env = FactorTimingEnv(panel, config=cfg)
        o, _ = env.reset(seed=0, options={"start": "1996-01"})
        obs.append(o)
    assert np.array_equal(obs[0], obs[1])


def test_columns_blocks_and_features_in_the_observation(french_small):
    probs = pd.DataFrame(
        {"calm": np.linspace(0, 1, 120), "crisis": np.linspace(1, 0, 120)},
        index=french_small.months,
    )
    cfg = EnvConfig(lookback=2, vol_lookback=3, random_start=False)
    env = FactorTimingEnv(french_small, features={"regime": probs}, config=cfg)
    cols = env.observation_columns
    assert cols[:5] == (
        "ret_lag0:MktRF",
        "ret_lag0:SMB",
        "ret_lag0:HML",
        "ret_lag0:Mom",
        "ret_lag1:MktRF",
    )
    assert cols[8:12] == ("vol:MktRF", "vol:SMB", "vol:HML", "vol:Mom")
    assert cols[12:14] == ("regime:calm", "regime:crisis")
    assert cols[14:] == ("w:MktRF", "w:SMB", "w:HML", "w:Mom")
    assert env.observation_blocks == {
        "returns": slice(0, 8),
        "volatility": slice(8, 12),
        "features": slice(12, 14),
        "weights": slice(14, 18),
    }
    obs, info = env.reset()
    t = french_small.month_position(info["date"])
    assert obs[12] == np.float32(probs["calm"].iloc[t])
    x = french_small.returns
    assert_array_equal(obs[0:4], x[t].astype(np.float32))
    assert_array_equal(obs[4:8], x[t - 1].astype(np.float32))
    assert_array_equal(obs[14:], np.zeros(4, np.float32))


def test_blocks_can_be_dropped(french_small):
    env = FactorTimingEnv(french_small, config=EnvConfig(observation_blocks=("volatility",)))
    assert env.observation_space.shape == (4,)
    obs, _ = env.reset(seed=0)
    obs2, *_ = env.step(np.ones(4, np.float32))
    assert obs.shape == obs2.shape == (4,)


def test_observation_config_errors(french_small):
    probs = pd.DataFrame({"p": np.ones(120)}, index=french_small.months)
    with pytest.raises(ConfigError, match="must include 'features' when feature frames are"):
        FactorTimingEnv(
            french_small, features=probs, config=EnvConfig(observation_blocks=("returns",))
        )
    with pytest.raises(ConfigError, match="leave no month of the panel"):
        FactorTimingEnv(french_small, config=EnvConfig(lookback=200))
    with pytest.raises(ConfigError, match="`normalize_window` must be ordered"):
        FactorTimingEnv(
            french_small, config=EnvConfig(normalize=True, normalize_window=("1995-01", "1994-01"))
        )
    with pytest.raises(ConfigError, match="`normalize_window\\[0\\]` must lie in"):
        FactorTimingEnv(
            french_small, config=EnvConfig(normalize=True, normalize_window=("1980-01", "1994-01"))
        )
