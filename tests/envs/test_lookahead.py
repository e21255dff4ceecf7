"""Look-ahead: changing panel or feature rows after month t leaves everything up to t unchanged.

Every observation returned up to month t (and every reward and info of the months earned up to
t) must be identical, bit for bit, whatever the data after t.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorgym import FactorPanel
from factorgym.envs import BatchedFactorTimingEnv, EnvConfig, FactorTimingEnv


def _perturb_panel(panel: FactorPanel, t: int, seed: int) -> FactorPanel:
    rng = np.random.default_rng(seed)
    ret = np.array(panel.returns)
    rf = np.array(panel.rf)
    ret[t + 1 :] = rng.normal(0.0, 0.08, ret[t + 1 :].shape)
    rf[t + 1 :] = rng.uniform(0.0, 0.01, rf[t + 1 :].shape)
    return FactorPanel(ret, rf, panel.months, panel.assets, kind=panel.kind)


def _features(panel: FactorPanel, t: int | None, seed: int) -> dict[str, pd.DataFrame]:
    base = np.random.default_rng(123).uniform(0, 1, (panel.n_months, 2))
    if t is not None:
        base[t + 1 :] = np.random.default_rng(seed).uniform(-5, 5, base[t + 1 :].shape)
    return {"regime": pd.DataFrame(base, index=panel.months, columns=["calm", "crisis"])}


CONFIGS = {
    "default": EnvConfig(),
    "normalised+features": EnvConfig(normalize=True, normalize_window=("1960-01", "1979-12")),
    "mean_variance+impact": EnvConfig(
        reward="mean_variance", aum=5e10, aum_grows_with_wealth=True, action_mode="long_short"
    ),
    "dsr+tilt+limits": EnvConfig(
        reward="differential_sharpe",
        action_mode="tilt",
        max_turnover=0.3,
        no_trade_band=0.02,
        max_position_notional=3e7,
    ),
}


def _run(env, start, actions, upto):
    """Observations and step outputs until the env has observed month ``upto``."""
    obs, info = env.reset(seed=0, options={"start": start})
    out = [obs]
    for a in actions:
        obs, r, term, trunc, info = env.step(a)
        if info["date"].to_period("M") > upto:
            break
        out.extend([obs, r, info["wealth"], info["cost_total"], info["drifted_weights"]])
        if term or trunc:
            break
    return out


@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize("cut", ["1985-06", "1990-01", "2001-09"])
def test_future_rows_do_not_change_the_past(french_panel, name, cut):
    cfg = CONFIGS[name].replace(episode_length=None, random_start=False)
    t = french_panel.month_position(cut)
    with_features = "features" in name
    actions = list(np.random.default_rng(5).uniform(-1, 1, (400, 4)).astype(np.float32))
    start = "1980-02"
    base = FactorTimingEnv(
        french_panel,
        features=_features(french_panel, None, 0) if with_features else None,
        config=cfg,
    )
    ref = _run(base, start, actions, pd.Period(cut, "M"))
    assert len(ref) > 10
    for seed in (1, 2):
        changed = FactorTimingEnv(
            _perturb_panel(french_panel, t, seed),
            features=_features(french_panel, t, seed) if with_features else None,
            config=cfg,
        )
        got = _run(changed, start, actions, pd.Period(cut, "M"))
        assert len(got) == len(ref)
        for a, b in zip(ref, got, strict=True):
            assert np.array_equal(a, b)  # bit for bit
        # the raw precomputed rows too
        m0, m1 = base.dynamics.market, changed.dynamics.market
        assert np.array_equal(m0.obs_rows[: t + 1], m1.obs_rows[: t + 1], equal_nan=True)


def test_batched_env_has_no_look_ahead_either(french_panel):
    t = french_panel.month_position("1990-01")
    cfg = EnvConfig(episode_length=None, random_start=False, window=("1985-01", None))
    acts = np.random.default_rng(9).uniform(-1, 1, (80, 3, 4))
    outs = []
    for panel in (french_panel, _perturb_panel(french_panel, t, 4)):
        env = BatchedFactorTimingEnv(panel, num_envs=3, config=cfg)
        obs, _ = env.reset(seed=0)
        seq = [obs]
        for a in acts:
            obs, r, *_ = env.step(a)
            seq.extend([obs, r])
        outs.append(seq)
    # decisions from 1984-12: the first n_ok entries end with the reward earned in 1990-01
    n_ok = 1 + 2 * (t - french_panel.month_position("1984-12"))
    for a, b in zip(outs[0][:n_ok], outs[1][:n_ok], strict=True):
        assert np.array_equal(a, b)
    assert not np.array_equal(outs[0][n_ok + 1], outs[1][n_ok + 1])  # the future does differ
