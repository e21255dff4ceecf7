"""Defaults of the stable-baselines3 agents for monthly data (a few hundred training months).

Random episode starts over the training window, many passes, small networks, short horizons:
``gamma = 0.9`` because a month's action pays off the next month (its cost now, its return
over the month earned). Measured on the French factors, 360 training months (1950-1979), one
CPU thread: the PPO default (120k steps, 16 envs) fits in 13.6 s CPU without early stopping,
5.6-6.5 s with the validation stop; A2C 4.9 s, TD3 12.6 s, DDPG 19.6 s, SAC 26.4 s,
RecurrentPPO 42.4 s (with early stopping, ``benchmarks/bench_agents.py``).
"""

from __future__ import annotations

from typing import Any

from factorgym.validation import check_int, check_real

__all__ = [
    "ALGORITHMS",
    "DEFAULT_HYPERPARAMS",
    "HYPERPARAM_RULES",
    "OFF_POLICY",
    "POLICY_KEYS",
    "RUN_KEYS",
    "check_hyperparams",
]

#: Algorithm name -> (import path, policy).
ALGORITHMS: dict[str, tuple[str, str]] = {
    "ppo": ("stable_baselines3.PPO", "MlpPolicy"),
    "a2c": ("stable_baselines3.A2C", "MlpPolicy"),
    "sac": ("stable_baselines3.SAC", "MlpPolicy"),
    "td3": ("stable_baselines3.TD3", "MlpPolicy"),
    "ddpg": ("stable_baselines3.DDPG", "MlpPolicy"),
    "recurrent_ppo": ("sb3_contrib.RecurrentPPO", "MlpLstmPolicy"),
}

OFF_POLICY = ("sac", "td3", "ddpg")

#: Defaults per algorithm: the run (``total_timesteps``, ``n_envs``, ``eval_every``) and the
#: algorithm's own keyword arguments. ``gamma = 0.9``: a month's action pays off next month.
DEFAULT_HYPERPARAMS: dict[str, dict[str, Any]] = {
    "ppo": {
        "total_timesteps": 120_000,
        "n_envs": 16,
        "eval_every": 8_192,
        "n_steps": 64,
        "batch_size": 256,
        "n_epochs": 5,
        "learning_rate": 3e-4,
        "gamma": 0.9,
        "gae_lambda": 0.9,
        "clip_range": 0.2,
        "ent_coef": 0.0,
        "log_std_init": -0.5,
    },
    "recurrent_ppo": {
        "total_timesteps": 40_000,
        "n_envs": 16,
        "eval_every": 8_192,
        "n_steps": 64,
        "batch_size": 256,
        "n_epochs": 5,
        "learning_rate": 3e-4,
        "gamma": 0.9,
        "gae_lambda": 0.9,
        "log_std_init": -0.5,
        "lstm_hidden_size": 32,
    },
    "a2c": {
        "total_timesteps": 120_000,
        "n_envs": 16,
        "eval_every": 8_192,
        "n_steps": 8,
        "learning_rate": 7e-4,
        "gamma": 0.9,
        "gae_lambda": 0.9,
        "log_std_init": -0.5,
    },
    "sac": {
        "total_timesteps": 20_000,
        "n_envs": 4,
        "eval_every": 2_000,
        "buffer_size": 50_000,
        "learning_starts": 1_000,
        "batch_size": 128,
        "learning_rate": 3e-4,
        "gamma": 0.9,
        "train_freq": 1,
        "gradient_steps": 1,
    },
    "td3": {
        "total_timesteps": 20_000,
        "n_envs": 4,
        "eval_every": 2_000,
        "buffer_size": 50_000,
        "learning_starts": 1_000,
        "batch_size": 128,
        "learning_rate": 1e-3,
        "gamma": 0.9,
        "train_freq": 1,
        "gradient_steps": 1,
        "action_noise_sigma": 0.2,
    },
    "ddpg": {
        "total_timesteps": 20_000,
        "n_envs": 4,
        "eval_every": 2_000,
        "buffer_size": 50_000,
        "learning_starts": 1_000,
        "batch_size": 128,
        "learning_rate": 1e-3,
        "gamma": 0.9,
        "train_freq": 1,
        "gradient_steps": 1,
        "action_noise_sigma": 0.2,
    },
}

RUN_KEYS = ("total_timesteps", "n_envs", "eval_every")
POLICY_KEYS = ("log_std_init", "lstm_hidden_size")


#: Value rules of the common hyper-parameters: ("int", minimum) or ("real", low, high, low_open).
#: Keys without a rule (other keyword arguments of the SB3 class) are passed through unchecked.
HYPERPARAM_RULES: dict[str, tuple[Any, ...]] = {
    "total_timesteps": ("int", 1),
    "n_envs": ("int", 1),
    "eval_every": ("int", 1),
    "n_steps": ("int", 2),
    "batch_size": ("int", 2),
    "n_epochs": ("int", 1),
    "buffer_size": ("int", 1),
    "learning_starts": ("int", 0),
    "train_freq": ("int", 1),
    "gradient_steps": ("int", 1),
    "lstm_hidden_size": ("int", 1),
    "learning_rate": ("real", 0.0, 1.0, True),
    "gamma": ("real", 0.0, 1.0, True),
    "gae_lambda": ("real", 0.0, 1.0, False),
    "clip_range": ("real", 0.0, None, True),
    "ent_coef": ("real", 0.0, None, False),
    "vf_coef": ("real", 0.0, None, False),
    "max_grad_norm": ("real", 0.0, None, True),
    "tau": ("real", 0.0, 1.0, True),
    "action_noise_sigma": ("real", 0.0, None, False),
    "log_std_init": ("real", -20.0, 5.0, False),
}


def check_hyperparams(values: dict[str, Any]) -> None:
    """Check the values of the known hyper-parameters (``ConfigError`` naming the key)."""
    for key, value in values.items():
        rule = HYPERPARAM_RULES.get(key)
        if rule is None:
            continue
        name = f"hyperparams.{key}"
        if rule[0] == "int":
            check_int(name, value, minimum=rule[1])
        else:
            check_real(name, value, low=rule[1], high=rule[2], low_open=rule[3])
