"""The runner with the allocators of factorgym.agents: kinds, parameters, 1/N, PPO end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest
from exp_testing import tiny_config_text

from factorgym.agents import BASELINES, RL_AGENTS
from factorgym.errors import ConfigError
from factorgym.experiments import load_config, run_experiment
from factorgym.experiments.agent_registry import available_kinds, build_allocator
from factorgym.experiments.config import AgentConfig
from factorgym.experiments.config_values import FrozenMap
from factorgym.experiments.results_store import unit_paths
from factorgym.experiments.units import BENCHMARK


def test_registered_kinds_build_and_refuse_typos():
    assert available_kinds() == list(BASELINES) + list(RL_AGENTS)
    ppo = build_allocator(AgentConfig("ppo", "ppo", FrozenMap({"total_timesteps": 256})))
    assert type(ppo).__name__ == "SB3Allocator" and ppo.algo == "ppo" and ppo.output == "weights"
    tangency = build_allocator(AgentConfig("t", "dgu_tangency", FrozenMap({})))
    assert tangency.name == "dgu_tangency"
    with pytest.raises(
        ConfigError,
        match=r"`agents.ppo.total_timestep` is not a parameter of this allocator .*did you mean "
        r"'total_timesteps'",
    ):
        build_allocator(AgentConfig("ppo", "ppo", FrozenMap({"total_timestep": 256})))
    with pytest.raises(ConfigError, match=r"`agents.ppo.n_seeds` must be an int >= 1, got 0"):
        build_allocator(AgentConfig("ppo", "ppo", FrozenMap({"n_seeds": 0})))
    with pytest.raises(
        ConfigError,
        match=r"`agents.x.kind` must be one of \['equal_weight', .*'ppo'.*\] or "
        r"'package.module:Class', got 'equal_wieght'; did you mean 'equal_weight'\?",
    ):
        build_allocator(AgentConfig("x", "equal_wieght", FrozenMap({})))


@pytest.mark.slow
def test_real_baselines_and_ppo_through_the_runner(tmp_path):
    agents = """
[agents.equal_weight]

[agents.inverse_volatility]

[agents.ppo]
seeds = [3]
total_timesteps = 256
"""
    path = tmp_path / "real.toml"
    path.write_text(
        tiny_config_text(tmp_path / "runs", agents=agents).replace(
            "[splits]\nmethod", "[splits]\nmax_folds = 2\nmethod"
        )
    )
    config = load_config(path)
    res = run_experiment(config, run_dir=tmp_path / "a")
    r = res.returns
    bench = r[r.agent == BENCHMARK]
    # the library's 1/N and the runner's benchmark trade identically through the same env, and a
    # rule without randomness gives the same months with every seed
    for seed in (0, 1):
        ew = r[(r.agent == "equal_weight") & (r.seed == seed)]
        np.testing.assert_array_equal(ew["net_return"].to_numpy(), bench["net_return"].to_numpy())
    ppo = r[r.agent == "ppo"]
    assert len(ppo) == len(bench) and ppo["seed"].eq(3).all()
    led = res.ledger.set_index("agent")
    assert json.loads(led.loc["ppo", "params"].iloc[0])["hyperparams.total_timesteps"] == 256
    _, commit, models = unit_paths(res.run_dir, 1, "ppo", 3)
    saved = json.loads(commit.read_text())["models"]
    assert saved and all((models / rel).is_file() for rel in saved)
    # a second run of the same config: the same tables, PPO included
    again = run_experiment(config, run_dir=tmp_path / "b")
    assert {k: v["sha256"] for k, v in again.manifest["tables"].items()} == {
        k: v["sha256"] for k, v in res.manifest["tables"].items()
    }
