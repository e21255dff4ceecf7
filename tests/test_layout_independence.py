"""Results depend on a panel's values only: memory order and dtype width change nothing.

A row-ordered and a column-ordered copy of the same returns (and a float32 copy of values that
float32 holds exactly) must give bit-identical features, forecasts and env outputs. The review
that prompted this found `xsmom_12` flipping by 0.333 at 2016-10, where MktRF's and HML's
12-month sums tie exactly and the layout decided the tie.
"""

from __future__ import annotations

import numpy as np
import pytest

import factorgym
from factorgym import FactorPanel
from factorgym.envs import BatchedFactorTimingEnv, EnvConfig, FactorTimingEnv
from factorgym.forecasts import WalkForwardForecaster, build_features
from factorgym.regimes import RealizedVolatility, RegimeFeatures, Turbulence


def _copies(panel: FactorPanel) -> dict[str, FactorPanel]:
    def rebuild(values: np.ndarray) -> FactorPanel:
        return FactorPanel(values, panel.rf, panel.months, panel.assets, kind=panel.kind)

    return {
        "C": rebuild(np.ascontiguousarray(panel.returns)),
        "F": rebuild(np.asfortranarray(panel.returns)),
        "strided": rebuild(np.repeat(panel.returns, 2, axis=1)[:, ::2]),
    }


@pytest.fixture(scope="module")
def french() -> FactorPanel:
    return factorgym.load("french")


def test_the_review_case_ties_exactly_and_is_broken_by_the_stated_rule(french):
    feats = {k: build_features(p) for k, p in _copies(french).items()}
    row = feats["C"].loc["2016-10"]
    # the 12-month sums tie in the data (0.0484 each) and differ only by rounding (1 ulp)
    assert abs(row["MktRF:ret_12"] - row["HML:ret_12"]) < 1e-16
    assert row["MktRF:xsmom_12"] == row["HML:xsmom_12"] == 1 / 3  # share ranks 3 and 4 of 4
    for name in ("F", "strided"):
        assert feats[name].to_numpy().tobytes() == feats["C"].to_numpy().tobytes(), name


def test_float32_values_give_the_float64_panel(french):
    values = french.returns.astype(np.float32)
    wide = FactorPanel(values.astype(np.float64), french.rf, french.months, french.assets)
    narrow = FactorPanel(values, french.rf, french.months, french.assets)
    assert narrow.content_hash == wide.content_hash
    assert build_features(narrow).to_numpy().tobytes() == build_features(wide).to_numpy().tobytes()


@pytest.mark.slow
def test_regime_features_and_forecasts_are_layout_free(french):
    copies = _copies(french)
    outs = {}
    for name, p in copies.items():
        regimes = RegimeFeatures(refit_every=24, n_restarts=2).compute(p)
        forecast = WalkForwardForecaster("ridge", refit_every=24).fit(p, extra_features=regimes)
        outs[name] = [
            regimes.to_numpy(),
            forecast.forecast_.to_numpy(),
            Turbulence().compute(p).to_numpy(),
            RealizedVolatility().compute(p).to_numpy(),
        ]
    for name in ("F", "strided"):
        for a, b in zip(outs[name], outs["C"], strict=True):
            assert a.tobytes() == b.tobytes(), name


@pytest.mark.parametrize("reward", ["log_return", "mean_variance", "differential_sharpe"])
def test_env_outputs_are_layout_free(french, reward):
    cfg = EnvConfig(reward=reward, random_start=False, episode_length=60, aum=1e10)
    actions = np.random.default_rng(0).uniform(-1, 1, (60, 4)).astype(np.float32)

    def run(p: FactorPanel) -> bytes:
        env = FactorTimingEnv(p, config=cfg)
        obs, _ = env.reset()
        out = [obs.tobytes()]
        for a in actions:
            obs, r, _, _, info = env.step(a)
            out += [
                obs.tobytes(),
                np.float64(r).tobytes(),
                np.float64(info["net_return"]).tobytes(),
            ]
        vec = BatchedFactorTimingEnv(p, num_envs=3, config=cfg)
        vobs, _ = vec.reset()
        out.append(vobs.tobytes())
        for a in actions[:10]:
            vobs, vr, *_ = vec.step(np.tile(a, (3, 1)))
            out += [vobs.tobytes(), vr.tobytes()]
        return b"".join(out)

    copies = _copies(french)
    base = run(copies["C"])
    assert run(copies["F"]) == base and run(copies["strided"]) == base
