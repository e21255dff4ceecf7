"""`FactorTimingEnv.history()`: the panel up to the decision month only, read-only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gymnasium.error import ResetNeeded

from factorgym import FactorPanel
from factorgym.envs import EnvConfig, FactorTimingEnv, MarketHistory
from factorgym.errors import ConfigError

CFG = EnvConfig(episode_length=None, random_start=False)


def _features(panel: FactorPanel, values: np.ndarray) -> dict[str, pd.DataFrame]:
    return {"regime": pd.DataFrame(values, index=panel.months, columns=["calm", "crisis"])}


def _perturbed(panel: FactorPanel, t: int, seed: int) -> FactorPanel:
    rng = np.random.default_rng(seed)
    ret, rf = np.array(panel.returns), np.array(panel.rf)
    ret[t + 1 :] = rng.normal(0.0, 0.08, ret[t + 1 :].shape)
    rf[t + 1 :] = rng.uniform(0.0, 0.01, rf[t + 1 :].shape)
    return FactorPanel(ret, rf, panel.months, panel.assets, kind=panel.kind)


def _history_at(panel, feats, start, steps):
    env = FactorTimingEnv(panel, features=feats, config=CFG)
    env.reset(options={"start": start})
    for _ in range(steps):
        env.step(np.zeros(panel.n_assets, dtype=np.float32))
    return env.history()


def test_history_ends_at_the_decision_month_and_grows_by_one_per_step(french_small):
    env = FactorTimingEnv(french_small, config=CFG)
    with pytest.raises(ResetNeeded, match="before calling env.reset"):
        env.history()
    env.reset(options={"start": "1995-01"})
    h = env.history()
    assert isinstance(h, MarketHistory)
    assert h.month == pd.Period("1994-12", "M") == env.month  # decided at 1994-12, earns 1995-01
    assert h.months[0] == french_small.start and h.n_months == 60
    np.testing.assert_array_equal(h.returns, french_small.returns[:60])
    np.testing.assert_array_equal(h.rf, french_small.rf[:60])
    env.step(np.zeros(4, dtype=np.float32))
    assert env.history().month == pd.Period("1995-01", "M")
    assert env.history(12).n_months == 12 and env.history(12).months[0] == pd.Period("1994-02")
    assert env.history(10_000).n_months == 61


def test_total_return_panel_gives_total_and_excess(total_panel):
    env = FactorTimingEnv(total_panel, config=CFG)
    env.reset()
    h = env.history()
    np.testing.assert_array_equal(h.excess, h.returns - h.rf[:, None])
    assert h.kind == "total"
    frame = h.frame(excess=False)
    assert list(frame.columns) == list(total_panel.assets)
    np.testing.assert_array_equal(frame.to_numpy(), h.returns)


@pytest.mark.parametrize("t_month", ["1993-06", "1997-11"])
def test_history_at_t_is_unchanged_bit_for_bit_by_data_after_t(french_small, t_month):
    t = french_small.month_position(t_month)
    start = "1992-01"
    steps = t - french_small.month_position(start) + 1
    feats = np.random.default_rng(1).uniform(0, 1, (french_small.n_months, 2))
    later = feats.copy()
    later[t + 1 :] = np.random.default_rng(2).uniform(-9, 9, later[t + 1 :].shape)
    base = _history_at(french_small, _features(french_small, feats), start, steps)
    moved = _history_at(
        _perturbed(french_small, t, 3), _features(french_small, later), start, steps
    )
    assert base.month == moved.month == pd.Period(t_month, "M")
    for a, b in [(base.returns, moved.returns), (base.rf, moved.rf), (base.excess, moved.excess)]:
        assert a.tobytes() == b.tobytes()
    assert base.features["regime"].tobytes() == moved.features["regime"].tobytes()
    # positive control: the full perturbed panel does differ after t
    assert not np.array_equal(_perturbed(french_small, t, 3).returns, french_small.returns)


def test_history_arrays_cannot_be_written_or_made_writable(french_small):
    env = FactorTimingEnv(french_small, features=_features(french_small, np.ones((120, 2))))
    env.reset(seed=0)
    h = env.history()
    for arr in (h.returns, h.excess, h.rf, h.features["regime"]):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 1.0
        with pytest.raises(ValueError, match="WRITEABLE"):
            arr.setflags(write=True)
    assert list(h.feature_frame("regime").columns) == ["calm", "crisis"]
    with pytest.raises(ConfigError, match=r"`block` must be one of the env's feature blocks"):
        h.feature_frame("forecast")


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "12"])
def test_bad_n_months_is_refused(french_small, bad):
    env = FactorTimingEnv(french_small)
    env.reset(seed=0)
    with pytest.raises(ConfigError, match=r"`n_months` must be None or an int >= 1"):
        env.history(bad)
