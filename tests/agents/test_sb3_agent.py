"""SB3 agents behind the Allocator interface: every algorithm, determinism, save/load, checks.

Tiny budgets: these tests check plumbing, not learning (see test_rl_learns.py for that).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal

from factorgym.agents import FunctionAllocator, SB3Allocator, run_allocator
from factorgym.agents.sb3_agent import ALGORITHMS, DEFAULT_HYPERPARAMS
from factorgym.envs import EnvConfig, EnvSpec, long_only_weights
from factorgym.errors import ConfigError, DataError, NotFittedError, OutputError

TINY = {
    "ppo": {"n_envs": 2, "n_steps": 32, "batch_size": 32, "n_epochs": 1, "eval_every": 64},
    "recurrent_ppo": {
        "n_envs": 2,
        "n_steps": 32,
        "batch_size": 32,
        "n_epochs": 1,
        "eval_every": 64,
    },
    "a2c": {"n_envs": 2, "n_steps": 8, "eval_every": 64},
    "sac": {"n_envs": 2, "learning_starts": 32, "batch_size": 16, "eval_every": 64},
    "td3": {"n_envs": 2, "learning_starts": 32, "batch_size": 16, "eval_every": 64},
    "ddpg": {"n_envs": 2, "learning_starts": 32, "batch_size": 16, "eval_every": 64},
}


@pytest.fixture(scope="module")
def specs(french_small):
    train = EnvSpec(french_small, config=EnvConfig(window=("1991-01", "1995-12")))
    return (
        train,
        train.replace(window=("1996-01", "1997-12")),
        train.replace(window=("1998-01", "1999-12")),
    )


def tiny(algo: str, **kw) -> SB3Allocator:
    return SB3Allocator(algo, total_timesteps=128, net_arch=(8,), hyperparams=TINY[algo], **kw)


@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_every_algorithm_fits_and_runs_through_the_harness(algo, specs):
    train, val, test = specs
    agent = tiny(algo).fit(train, validation_env_factory=val, seed=0)
    # the policy learns long-only weights and hands them to the env as target weights
    assert agent.output == "weights" and agent.contender and agent.name == algo
    report = agent.fit_report_[0]
    assert report["steps"] >= 128 and report["evaluations"] >= 1
    assert np.isfinite(report["best_validation_sharpe"])
    assert agent.env_overrides == {"normalize": True, "normalize_window": ("1990-12", "1995-11")}
    r = run_allocator(agent, test)
    assert len(r.frame) == 24
    assert r.config["normalize"] is True and r.config["normalize_window"] == ("1990-12", "1995-11")
    assert torch.get_num_threads() == 1
    assert all(isinstance(v, (bool, int, float, str, type(None))) for v in agent.params.values())
    assert agent.params["hyperparams.gamma"] == 0.9


def test_same_seed_same_training_and_actions(specs):
    train, val, test = specs
    a = tiny("ppo").fit(train, validation_env_factory=val, seed=3)
    b = tiny("ppo").fit(train, validation_env_factory=val, seed=3)
    c = tiny("ppo").fit(train, validation_env_factory=val, seed=4)
    for pa, pb in zip(
        a.models_[0].policy.parameters(), b.models_[0].policy.parameters(), strict=True
    ):
        assert torch.equal(pa, pb)
    wa = run_allocator(a, test).frame
    wb = run_allocator(b, test).frame
    wc = run_allocator(c, test).frame
    cols = [k for k in wa.columns if k.startswith("action:")]
    assert_array_equal(wa[cols].to_numpy(), wb[cols].to_numpy())
    assert not np.array_equal(wa[cols].to_numpy(), wc[cols].to_numpy())
    assert a.fit_report_ == [
        dict(r, fit_cpu_seconds=a.fit_report_[0]["fit_cpu_seconds"]) for r in b.fit_report_
    ]


@pytest.mark.parametrize("algo", ["ppo", "recurrent_ppo", "sac"])
def test_save_load_round_trip_gives_identical_actions(algo, specs, tmp_path):
    train, _, test = specs
    agent = tiny(algo, n_seeds=2).fit(train, seed=1)
    assert agent.name == f"{algo}_x2" and len(agent.models_) == 2
    agent.save(tmp_path / "agent")
    back = SB3Allocator.load(tmp_path / "agent")
    assert back.params == agent.params and back.env_overrides == agent.env_overrides
    a = run_allocator(agent, test).frame
    b = run_allocator(back, test).frame
    cols = [k for k in a.columns if k.startswith(("action:", "net_return"))]
    assert_array_equal(a[cols].to_numpy(), b[cols].to_numpy())


@pytest.mark.parametrize("action_mode", [None, "long_only"])
def test_seed_ensemble_averages_member_actions(specs, action_mode):
    train, _, test = specs
    agent = tiny("ppo", n_seeds=3, action_mode=action_mode).fit(train, seed=0)
    env = test.replace(**agent.env_overrides)()
    obs, info = env.reset()
    each = [m.predict(obs, deterministic=True)[0].astype(np.float64) for m in agent.models_]
    mean = np.mean(each, axis=0)
    expected = mean if action_mode is None else long_only_weights(mean, allow_cash=True)
    assert_array_equal(agent.act(obs, info), expected)
    seeds = [r["seed"] for r in agent.fit_report_]
    assert len(set(seeds)) == 3  # distinct member seeds drawn from SeedSequence(0)


def test_long_only_policy_runs_in_a_long_short_env_with_the_same_accounting(specs):
    """The policy's weights go through TargetWeights: same costs, same months as any agent."""
    train, val, test = specs
    agent = tiny("ppo", action_mode="long_only").fit(train, validation_env_factory=val, seed=2)
    short_env = test.replace(action_mode="long_short", max_weight=1.0, max_gross=2.0)
    r_ls = run_allocator(agent, short_env).frame
    r_lo = run_allocator(agent, test).frame
    w = [c for c in r_lo.columns if c.startswith("executed_weights:")]
    assert (r_ls[w].to_numpy() >= -1e-15).all() and (r_ls[w].sum(axis=1) <= 1 + 1e-12).all()
    np.testing.assert_allclose(r_ls[w].to_numpy(), r_lo[w].to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(r_ls["net_return"], r_lo["net_return"], rtol=0, atol=1e-12)
    no_cash = test.replace(allow_cash=False)
    with pytest.raises(ConfigError, match=r"cannot run in this env .* it holds cash"):
        run_allocator(agent, no_cash)


def test_saved_agent_is_verified_on_load(specs, tmp_path):
    train, _, _ = specs
    agent = tiny("ppo").fit(train, seed=0)
    folder = tmp_path / "agent"
    agent.save(folder)
    with pytest.raises(OutputError, match="must not exist unless overwriting is asked for"):
        agent.save(folder)
    agent.save(folder, overwrite=True)
    zipfile = folder / "member_0.zip"
    data = bytearray(zipfile.read_bytes())
    data[100] ^= 0xFF
    zipfile.write_bytes(bytes(data))
    with pytest.raises(DataError, match="member_0.zip fails its SHA-256 check"):
        SB3Allocator.load(folder)
    agent.save(folder, overwrite=True)
    doc = json.loads((folder / "allocator.json").read_text())
    doc["body"]["state"]["observation_columns_"]["__tuple__"][0] = "forged"
    (folder / "allocator.json").write_text(json.dumps(doc))
    with pytest.raises(DataError, match="allocator.json fails its SHA-256 check"):
        SB3Allocator.load(folder)
    with pytest.raises(DataError, match="must be a folder written by save"):
        SB3Allocator.load(tmp_path / "nothing")


def test_agent_refuses_an_env_unlike_its_training_env(specs, french_small):
    train, _, test = specs
    agent = tiny("ppo", action_mode=None).fit(train, seed=0)  # raw actions: the same env only
    with pytest.raises(
        ConfigError, match="trained on other observation columns: 'vol:MktRF' != 'ret_lag0:MktRF'"
    ):
        run_allocator(agent, test.replace(lookback=6, observation_blocks=("volatility", "weights")))
    with pytest.raises(ConfigError, match="trained with action settings"):
        run_allocator(agent, test.replace(action_mode="long_short"))
    with pytest.raises(ConfigError, match=r"`obs` must have shape \(56,\) as in training"):
        agent.act(np.zeros(5, np.float32), {})


def test_agent_argument_checks(specs):
    train, _, _ = specs
    with pytest.raises(ConfigError, match="`algo` must be one of"):
        SB3Allocator("dqn")
    with pytest.raises(ConfigError, match="`hyperparams` keys must be run settings"):
        SB3Allocator("ppo", hyperparams={"learning_rat": 1e-3})
    with pytest.raises(ConfigError, match="`hyperparams` must be a mapping"):
        SB3Allocator("ppo", hyperparams=[1])  # type: ignore[arg-type]
    for bad, match in [
        (
            {"learning_rate": -1},
            r"`hyperparams.learning_rate` must be a finite number > 0 and <= 1",
        ),
        ({"gamma": 1.5}, r"`hyperparams.gamma` must be a finite number > 0 and <= 1, got 1.5"),
        ({"n_steps": 0}, r"`hyperparams.n_steps` must be an int >= 2, got 0"),
        ({"batch_size": 64.0}, r"`hyperparams.batch_size` must be an int >= 2, got 64.0"),
        ({"ent_coef": "x"}, r"`hyperparams.ent_coef` must be a finite number >= 0, got 'x'"),
    ]:
        with pytest.raises(ConfigError, match=match):
            SB3Allocator("ppo", hyperparams=bad)
    with pytest.raises(ConfigError, match="`n_seeds` must be an int >= 1"):
        SB3Allocator("ppo", n_seeds=0)
    with pytest.raises(ConfigError, match="`net_arch` must be a sequence of ints"):
        SB3Allocator("ppo", net_arch="64")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"`net_arch\[1\]` must be an int >= 1"):
        SB3Allocator("ppo", net_arch=(8, 0))
    with pytest.raises(ConfigError, match="`seed` must be an int >= 0"):
        tiny("ppo").fit(train, seed=-1)
    with pytest.raises(ConfigError, match="`validation_env_factory` must have the training spec's"):
        tiny("ppo").fit(train, validation_env_factory=train.replace(lookback=3))
    with pytest.raises(NotFittedError, match="not fitted yet"):
        SB3Allocator("ppo").act(np.zeros(56, np.float32), {})
    with pytest.raises(NotFittedError, match="not fitted yet"):
        SB3Allocator("ppo").save("/tmp/never")
    assert set(DEFAULT_HYPERPARAMS) == set(ALGORITHMS)


def test_a_hand_written_torch_policy_is_an_allocator(specs):
    """The module docstring's example: any Gymnasium policy, here a tiny torch actor."""
    _, _, test = specs
    torch.manual_seed(0)
    n_obs, n_assets = 56, 4
    actor = torch.nn.Sequential(
        torch.nn.Linear(n_obs, 16), torch.nn.Tanh(), torch.nn.Linear(16, n_assets), torch.nn.Tanh()
    )

    def policy(obs, info):
        with torch.no_grad():
            return actor(torch.as_tensor(obs)).numpy()

    alloc = FunctionAllocator(policy, name="torch_actor", params={"hidden": 16})
    r = run_allocator(alloc, test)
    assert alloc.params == {"hidden": 16} and r.name == "torch_actor"
    with torch.no_grad():
        env = test.replace(random_start=False, episode_length=None)()
        obs, _ = env.reset()
        first = actor(torch.as_tensor(obs)).numpy()
    assert_array_equal(r.weights("action").to_numpy()[0], first.astype(np.float64))
    assert r.frame["cost_total"].gt(0).all()  # it paid the env's costs like everyone else
