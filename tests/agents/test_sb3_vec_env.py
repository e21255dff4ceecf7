"""The SB3 VecEnv adapter, and PPO smoke runs on the single and the batched env."""

from __future__ import annotations

import time

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.vector import AutoresetMode
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import VecCheckNan, VecMonitor

from factorgym.agents import SB3VecEnv, make_sb3_vec_env
from factorgym.envs import BatchedFactorTimingEnv, EnvConfig
from factorgym.errors import ConfigError


def test_lazy_import_does_not_load_sb3_for_the_env():
    import subprocess
    import sys

    code = (
        "import sys, factorgym.envs, factorgym.agents; "
        "assert 'stable_baselines3' not in sys.modules; "
        "factorgym.agents.SB3VecEnv; assert 'stable_baselines3' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_adapter_steps_and_reports_terminal_observations(french_small):
    vec = make_sb3_vec_env(
        french_small, num_envs=3, seed=0, config=EnvConfig(episode_length=4, random_start=False)
    )
    obs = vec.reset()
    assert obs.shape == (3, 56) and obs.dtype == np.float32
    for _k in range(4):
        obs, rew, dones, infos = vec.step(np.zeros((3, 4), np.float32))
        assert rew.dtype == np.float32 and len(infos) == 3
    assert dones.all()
    for i in range(3):
        assert infos[i]["TimeLimit.truncated"] is True
        assert infos[i]["terminal_observation"].shape == (56,)
        assert not np.array_equal(infos[i]["terminal_observation"], obs[i])
    assert vec.get_attr("num_envs") == [3, 3, 3]
    assert vec.get_attr("assets", indices=[0]) == [("MktRF", "SMB", "HML", "Mom")]
    assert vec.env_is_wrapped(gym.Wrapper) == [False] * 3
    vec.set_attr("render_mode", "ansi")
    assert len(vec.env_method("render")[0]) == 3
    assert vec.get_images() == [None, None, None]
    VecCheckNan(vec, raise_exception=True).step(np.ones((3, 4), np.float32))
    vec.close()


def test_adapter_seeding_is_reproducible(french_small):
    a = make_sb3_vec_env(french_small, num_envs=4, seed=3).reset()
    b = make_sb3_vec_env(french_small, num_envs=4, seed=3).reset()
    np.testing.assert_array_equal(a, b)


def test_adapter_errors(french_small):
    with pytest.raises(ConfigError, match="must use autoreset_mode=AutoresetMode.SAME_STEP"):
        SB3VecEnv(BatchedFactorTimingEnv(french_small, autoreset_mode=AutoresetMode.NEXT_STEP))
    with pytest.raises(ConfigError, match="`env` must be a BatchedFactorTimingEnv"):
        SB3VecEnv(gym.make("CartPole-v1"))  # type: ignore[arg-type]


def _finite_params(model) -> bool:
    return all(torch.isfinite(p).all() for p in model.policy.parameters())


def test_ppo_smoke_single_env():
    torch.set_num_threads(1)
    env = gym.make("factorgym/FactorTiming-v0", config={"episode_length": 60})
    model = PPO("MlpPolicy", env, n_steps=512, batch_size=128, n_epochs=2, seed=0, device="cpu")
    t0 = time.perf_counter()
    model.learn(total_timesteps=3072)
    elapsed = time.perf_counter() - t0
    assert model.num_timesteps >= 3072 and _finite_params(model)
    obs, _ = env.reset(seed=1)
    action, _ = model.predict(obs, deterministic=True)
    assert env.action_space.contains(action.astype(np.float32))
    print(f"PPO single env: {model.num_timesteps} steps in {elapsed:.1f} s")


def test_ppo_smoke_batched_env():
    torch.set_num_threads(1)
    vec = VecMonitor(make_sb3_vec_env(num_envs=16, seed=0, config={"episode_length": 60}))
    model = PPO("MlpPolicy", vec, n_steps=128, batch_size=256, n_epochs=2, seed=0, device="cpu")
    t0 = time.perf_counter()
    model.learn(total_timesteps=6144)
    elapsed = time.perf_counter() - t0
    assert model.num_timesteps >= 6144 and _finite_params(model)
    assert len(model.ep_info_buffer) >= 16  # VecMonitor saw whole episodes end
    print(f"PPO batched env (16 envs): {model.num_timesteps} steps in {elapsed:.1f} s")
