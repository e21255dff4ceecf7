"""RL learns: PPO with filtered regime probabilities closes most of the gap to the regime oracle.

Market (``factorgym.data.synthetic_market``, 960 months, 2 assets, seed 0): two persistent,
well-separated regimes (stay probability 0.97) in which the best asset differs -- calm state:
A +2.5 %/month, B -1.5 %, volatility 3 %; turbulent state: A -3.5 %, B +3.5 %, volatility 6 %.
PPO observes (besides the env's trailing returns, volatilities and weights) the *filtered*
probabilities of :class:`~factorgym.regimes.RegimeFeatures` -- a walk-forward Gaussian HMM, forward
algorithm only, 95 % of months classified right -- as the feature block ``"regime"``. Train months
121-552, validation 553-672 (early stopping), test 673-960 (24 years), central costs. The regime
oracle knows the true state ``s_t`` and holds the asset with the best conditional mean.

Measured (PPO defaults, seeds 0, 1, 2; ~15 s CPU per fit, ~2 min for the file): test Sharpe 1/N
0.04, oracle 1.82, PPO 1.61 / 1.65 / 1.50 (half the gap: 0.93); a uniformly random policy 0.06,
all in A 0.63, all in B -0.61. On a market without signal (both states identical), PPO's monthly
net excess return does not differ from 1/N's beyond noise: paired t = 0.71, -0.64, -0.07.
"""

from __future__ import annotations

import numpy as np
import pytest

from factorgym.agents import (
    EqualWeight,
    FunctionAllocator,
    RegimeOracle,
    SB3Allocator,
    run_allocator,
    state_indicator_frame,
)
from factorgym.data import synthetic_market
from factorgym.envs import EnvConfig, EnvSpec
from factorgym.regimes import RegimeFeatures

pytestmark = pytest.mark.slow

SEEDS = (0, 1, 2)


def _market(signal: bool):
    if signal:
        means = np.array([[0.025, -0.015], [-0.035, 0.035]])
        covs = np.stack([np.diag([0.03**2] * 2), np.diag([0.06**2] * 2)])
    else:
        means = np.full((2, 2), 0.005)
        covs = np.stack([np.diag([0.04**2] * 2)] * 2)
    trans = np.array([[0.97, 0.03], [0.03, 0.97]])
    return synthetic_market(960, seed=0, means=means, covs=covs, transmat=trans, start="1940-01")


def _specs(market):
    frame = RegimeFeatures(min_train=120, refit_every=24, n_restarts=2).compute(market.panel)
    probs = frame[["regime_p0", "regime_p1"]]  # filtered P(s_t = k | x_1..x_t)
    truth = state_indicator_frame(market.states, market.panel.months, 2)
    months = market.panel.months

    def window(features, a, b):
        return EnvSpec(
            market.panel,
            {"regime": features},
            EnvConfig(costs="central", window=(str(months[a]), str(months[b]))),
        )

    return (
        window(probs, 120, 551),
        window(probs, 552, 671),
        window(probs, 672, 959),
        window(truth, 672, 959),
    )


def _net_excess(rollout) -> np.ndarray:
    return rollout.net_excess.to_numpy()


def _sharpe(rollout) -> float:
    return rollout.summary()["sharpe"]


def test_ppo_with_filtered_regime_probabilities_closes_half_the_gap_to_the_oracle():
    market = _market(signal=True)
    train, val, test, test_truth = _specs(market)
    s_ew = _sharpe(run_allocator(EqualWeight(), test))
    s_oracle = _sharpe(run_allocator(RegimeOracle.from_synthetic(market), test_truth))
    gap = s_oracle - s_ew
    assert gap > 0.8  # a well-separated market: the oracle is far ahead of 1/N

    ppo = []
    for seed in SEEDS:
        agent = SB3Allocator("ppo").fit(train, validation_env_factory=val, seed=seed)
        ppo.append(_sharpe(run_allocator(agent, test)))
    assert min(ppo) >= s_ew + 0.5 * gap, (s_ew, s_oracle, ppo)
    print(f"\n1/N {s_ew:.3f}  oracle {s_oracle:.3f}  PPO {[round(s, 3) for s in ppo]}")

    rng_holder = {}

    def random_policy(obs, info):
        return rng_holder["rng"].uniform(-1.0, 1.0, 2)

    random = FunctionAllocator(
        random_policy,
        name="random",
        begin=lambda: rng_holder.update(rng=np.random.default_rng(0)),
    )
    all_a = FunctionAllocator(lambda o, i: np.array([1.0, -1.0]), name="all_in_A")
    all_b = FunctionAllocator(lambda o, i: np.array([-1.0, 1.0]), name="all_in_B")
    for alloc in (random, all_a, all_b):
        s = _sharpe(run_allocator(alloc, test))
        print(f"{alloc.name} {s:.3f}")
        assert s < s_ew + 0.5 * gap, (alloc.name, s, s_ew, s_oracle)


def test_ppo_does_not_beat_equal_weight_without_signal():
    market = _market(signal=False)
    train, val, test, _ = _specs(market)
    ew = _net_excess(run_allocator(EqualWeight(), test))
    for seed in SEEDS:
        agent = SB3Allocator("ppo").fit(train, validation_env_factory=val, seed=seed)
        diff = _net_excess(run_allocator(agent, test)) - ew
        t_stat = diff.mean() / (diff.std(ddof=1) / np.sqrt(len(diff)))
        print(f"\nno signal, seed {seed}: paired t of PPO - 1/N = {t_stat:.2f}")
        assert t_stat < 2.0, (seed, t_stat)
