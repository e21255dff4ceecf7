"""`SB3Allocator`: stable-baselines3 / sb3-contrib agents behind the Allocator interface.

PPO, A2C, SAC, TD3, DDPG (stable-baselines3) and RecurrentPPO (sb3-contrib), with defaults
that suit monthly data -- a few hundred training months, so: random episode starts
(``episode_length`` 60 months), many passes over the window, small networks (64x64), the batched
env through :class:`~factorgym.agents.SB3VecEnv`, torch on one CPU thread.

Training (:meth:`SB3Allocator.fit`):

1. the observation normaliser is fitted on the training window's decision months and frozen
   (``EnvConfig(normalize=True, normalize_window=<training window>)``); the validation and test
   envs use the same statistics (:attr:`~SB3Allocator.env_overrides`, applied by the harness);
2. ``n_seeds`` members are trained from seeds drawn with ``numpy.random.SeedSequence(seed)``;
3. with a validation spec, every ``eval_every`` steps the deterministic policy runs through the
   validation window (same env, costs, months) and its Sharpe ratio of net excess returns is
   recorded; training stops after ``patience`` evaluations without improvement and the best
   checkpoint is restored;
4. :meth:`act` averages the members' deterministic actions (a seed ensemble).

Same seed, same config -> identical training and actions (torch on one thread, seeded env and
model); :meth:`save` writes a folder of SB3 zip files and a JSON manifest with their SHA-256,
verified by :meth:`load`.

Any other Gymnasium-compatible policy is wrapped with
:class:`~factorgym.agents.FunctionAllocator` (see its docstring for a torch example).
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from gymnasium.vector import AutoresetMode
from stable_baselines3.common.base_class import BaseAlgorithm

from factorgym.agents._history import training_data
from factorgym.agents.base import (
    BaseAllocator,
    Scalar,
    WeightBounds,
    check_fit_args,
    flatten_params,
)
from factorgym.agents.persistence import (
    document_bytes,
    read_document,
    read_verified_file,
    sha256_bytes,
    write_folder,
)
from factorgym.agents.sb3_defaults import (
    ALGORITHMS,
    DEFAULT_HYPERPARAMS,
    POLICY_KEYS,
    RUN_KEYS,
    check_hyperparams,
)
from factorgym.agents.sb3_validation import Member, ValidationStop
from factorgym.agents.sb3_vec_env import SB3VecEnv
from factorgym.envs.action_maps import ActionSpec
from factorgym.envs.env_spec import EnvSpec
from factorgym.errors import ConfigError, DataError, NotFittedError
from factorgym.validation import check_bool, check_choice, check_int

__all__ = ["ALGORITHMS", "DEFAULT_HYPERPARAMS", "POLICY_MODES", "SB3Allocator"]

#: Action spaces a policy can learn in and then hand to any env as target weights.
POLICY_MODES = ("long_only", "long_short")


def _algo_class(algo: str) -> type[BaseAlgorithm]:
    import importlib

    module, cls = ALGORITHMS[algo][0].rsplit(".", 1)
    found: type[BaseAlgorithm] = getattr(importlib.import_module(module), cls)
    return found


class SB3Allocator(BaseAllocator):
    """A stable-baselines3 agent (or a seed ensemble of them) as an :class:`Allocator`.

    Parameters
    ----------
    algo : {"ppo", "a2c", "sac", "td3", "ddpg", "recurrent_ppo"}
        The algorithm.
    total_timesteps : int, optional
        Training steps per member (default: :data:`DEFAULT_HYPERPARAMS`).
    n_seeds : int
        Members of the seed ensemble (actions averaged); 1 = a single model.
    episode_length : int
        Months per training episode, random starts (capped at the window's decisions).
    net_arch : tuple of int
        Hidden layers of the policy (and value/critic) networks.
    patience : int
        Validation evaluations without improvement before stopping (with a validation spec).
    normalize : bool
        Standardise observations with statistics of the training window (frozen).
    action_mode : {"long_only", "long_short"} or None
        The action space the policy learns in. ``"long_only"`` (default): the policy's action
        maps to long-only weights with cash (``w >= 0``, ``sum w <= 1``), whatever the
        evaluation env's mode; the agent then hands the env those *weights* (through
        ``TargetWeights``, so the same costs and limits apply), and runs in any env that can
        hold them (long-only or long-short). On a few hundred months of factor returns a
        policy that may short every factor learns little (in the default long-short
        experiment PPO's mean Sharpe was 0.04 with 95 % monthly turnover; long-only 0.4-0.6).
        ``"long_short"`` uses the env's ``max_weight``/``max_gross``. ``None``: the policy acts
        in the evaluation env's own action space and hands it raw actions.
    hyperparams : mapping, optional
        Overrides of :data:`DEFAULT_HYPERPARAMS` (``n_envs``, ``eval_every`` and the
        algorithm's keyword arguments, e.g. ``{"learning_rate": 1e-3}``).
    name : str, optional
        Label (default: ``algo``, with ``_x{n_seeds}`` for an ensemble).

    Attributes
    ----------
    models_ : list of BaseAlgorithm
        The trained members.
    observation_columns_ : tuple of str
        The env's observation columns at training (checked at evaluation).
    env_config_ : dict
        Observation settings used in training (``normalize``, ``normalize_window``).
    action_spec_ : dict
        Action mode and limits at training (checked at evaluation).
    fit_report_ : list of dict
        Per member: seed, steps trained, best validation Sharpe and its step, whether it
        stopped early, fit seconds.
    """

    output = "action"
    requires_fit = True

    def __init__(
        self,
        algo: str = "ppo",
        *,
        total_timesteps: int | None = None,
        n_seeds: int = 1,
        episode_length: int = 60,
        net_arch: tuple[int, ...] = (64, 64),
        patience: int = 5,
        normalize: bool = True,
        action_mode: str | None = "long_only",
        hyperparams: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> None:
        self.algo = check_choice("algo", algo, tuple(ALGORITHMS))
        self.total_timesteps = (
            None
            if total_timesteps is None
            else check_int("total_timesteps", total_timesteps, minimum=1)
        )
        self.n_seeds = check_int("n_seeds", n_seeds, minimum=1)
        self.episode_length = check_int("episode_length", episode_length, minimum=2)
        if isinstance(net_arch, (str, bytes)) or not isinstance(net_arch, (tuple, list)):
            raise ConfigError(f"`net_arch` must be a sequence of ints >= 1, got {net_arch!r}")
        self.net_arch = tuple(
            check_int(f"net_arch[{i}]", v, minimum=1) for i, v in enumerate(net_arch)
        )
        self.patience = check_int("patience", patience, minimum=1)
        self.normalize = check_bool("normalize", normalize)
        self.action_mode = (
            None if action_mode is None else check_choice("action_mode", action_mode, POLICY_MODES)
        )
        self.output = "action" if self.action_mode is None else "weights"  # type: ignore[assignment]
        if hyperparams is not None and not isinstance(hyperparams, Mapping):
            raise ConfigError(f"`hyperparams` must be a mapping, got {type(hyperparams).__name__}")
        self.hyperparams = dict(hyperparams or {})
        unknown = sorted(
            set(self.hyperparams) - set(DEFAULT_HYPERPARAMS[self.algo]) - {"policy_kwargs"}
        )
        extra_ok = self._accepted_kwargs()
        unknown = [k for k in unknown if k not in extra_ok]
        if unknown:
            raise ConfigError(
                f"`hyperparams` keys must be run settings {RUN_KEYS} or keyword arguments of "
                f"{ALGORITHMS[self.algo][0]}, got {unknown}"
            )
        check_hyperparams(self.hyperparams)
        if name is not None and (not isinstance(name, str) or not name):
            raise ConfigError(f"`name` must be None or a non-empty str, got {name!r}")
        self.name = name or (self.algo if self.n_seeds == 1 else f"{self.algo}_x{self.n_seeds}")
        self._members: list[Member] = []

    def _accepted_kwargs(self) -> set[str]:
        import inspect

        return set(inspect.signature(_algo_class(self.algo).__init__).parameters) - {
            "self",
            "policy",
            "env",
            "seed",
            "device",
            "verbose",
            "_init_setup_model",
        }

    # ------------------------------------------------------------------ parameters
    def resolved_hyperparams(self) -> dict[str, Any]:
        """Defaults of the algorithm updated with ``hyperparams`` and ``total_timesteps``."""
        out = dict(DEFAULT_HYPERPARAMS[self.algo])
        out.update(self.hyperparams)
        if self.total_timesteps is not None:
            out["total_timesteps"] = self.total_timesteps
        return out

    @property
    def params(self) -> dict[str, Scalar]:
        """Constructor parameters with the resolved hyperparameters, flattened."""
        p = self.get_params()
        p["hyperparams"] = self.resolved_hyperparams()
        return flatten_params(p)

    @property
    def env_overrides(self) -> dict[str, Any]:
        """The observation settings of training (normaliser window), for every later env."""
        self._check_fitted()
        return dict(self.env_config_)

    def _check_fitted(self) -> None:
        if not self._members:
            raise NotFittedError(f"{self.name!r} is not fitted yet; call fit(train_spec) first")

    def check_env(self, env: Any) -> None:
        """Refuse an env whose observation layout or action mode differs from training's.

        Raises
        ------
        ConfigError
            Naming the first difference.
        """
        if self.action_mode == "long_only":  # fixed bounds: checked before fitting too
            super().check_env(env)
            if not self._members:
                return
        self._check_fitted()
        base = env.unwrapped
        cols = tuple(base.observation_columns)
        if cols != self.observation_columns_:
            diff = next(
                (
                    f"{a!r} != {b!r}"
                    for a, b in zip(cols, self.observation_columns_, strict=False)
                    if a != b
                ),
                f"{len(cols)} columns, trained on {len(self.observation_columns_)}",
            )
            raise ConfigError(
                f"allocator {self.name!r} was trained on other observation columns: {diff}"
            )
        if self.output == "weights":  # weights go through TargetWeights: the env must hold them
            super().check_env(env)
            return
        spec = _action_spec_dict(base.action_spec)
        if spec != self.action_spec_:
            raise ConfigError(
                f"allocator {self.name!r} was trained with action settings {self.action_spec_}, "
                f"the env has {spec}"
            )

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """The policy's weights: long-only with cash, or the training env's long-short limits."""
        if self.action_mode == "long_only":
            return WeightBounds(nonnegative=True, max_weight=1.0, max_gross=1.0)
        self._check_fitted()
        return WeightBounds(
            nonnegative=False,
            max_weight=float(self.action_spec_["max_weight"]),
            max_gross=float(self.action_spec_["max_gross"]),
        )

    # ------------------------------------------------------------------ training
    def _make_model(self, vec: SB3VecEnv, seed: int) -> BaseAlgorithm:
        hp = self.resolved_hyperparams()
        kwargs = {k: v for k, v in hp.items() if k not in RUN_KEYS and k not in POLICY_KEYS}
        kwargs.pop("action_noise_sigma", None)
        policy_kwargs: dict[str, Any] = {"net_arch": list(self.net_arch)}
        for key in POLICY_KEYS:
            if key in hp:
                policy_kwargs[key] = hp[key]
        policy_kwargs.update(kwargs.pop("policy_kwargs", {}) or {})
        if "action_noise_sigma" in hp:
            from stable_baselines3.common.noise import NormalActionNoise

            n = vec.env.action_spec.n_assets
            kwargs["action_noise"] = NormalActionNoise(
                np.zeros(n), np.full(n, float(hp["action_noise_sigma"]))
            )
        cls = _algo_class(self.algo)
        return cls(
            ALGORITHMS[self.algo][1],
            vec,
            seed=seed,
            device="cpu",
            verbose=0,
            policy_kwargs=policy_kwargs,
            **kwargs,
        )

    def fit(
        self,
        train_env_factory: EnvSpec,
        *,
        validation_env_factory: EnvSpec | None = None,
        seed: int | None = None,
    ) -> SB3Allocator:
        """Train ``n_seeds`` members on the training window (see the module docstring).

        Raises
        ------
        ConfigError
            For a bad spec or seed, or a validation spec with other observation columns.
        """
        spec, val, seed = check_fit_args(train_env_factory, validation_env_factory, seed)
        torch.set_num_threads(1)
        data = training_data(spec)
        n_decisions = len(data.decision_rows)
        if self.normalize:
            obs_cfg = {"normalize": True, "normalize_window": data.window}
        else:
            obs_cfg = {"normalize": False}
        act_cfg: dict[str, Any] = {}
        if self.action_mode is not None:
            act_cfg = {"action_mode": self.action_mode}
            if self.action_mode == "long_only":
                act_cfg["allow_cash"] = True
        train = spec.replace(
            random_start=True,
            episode_length=min(self.episode_length, n_decisions),
            **obs_cfg,
            **act_cfg,
        )
        val_spec = None if val is None else val.replace(**obs_cfg, **act_cfg)
        hp = self.resolved_hyperparams()
        seeds = np.random.SeedSequence(0 if seed is None else seed).generate_state(self.n_seeds)
        members: list[Member] = []
        report: list[dict[str, Any]] = []
        recurrent = self.algo == "recurrent_ppo"
        probe = train()
        self.observation_columns_ = tuple(probe.observation_columns)
        self.action_spec_ = _action_spec_dict(probe.action_spec)
        if (
            val_spec is not None
            and tuple(val_spec().observation_columns) != self.observation_columns_
        ):
            raise ConfigError(
                "`validation_env_factory` must have the training spec's observation columns"
            )
        for member_seed in (int(s) for s in seeds):
            t0 = time.process_time()
            vec = SB3VecEnv(
                train.batched(int(hp["n_envs"]), autoreset_mode=AutoresetMode.SAME_STEP)
            )
            model = self._make_model(vec, member_seed)
            callback = None
            if val_spec is not None:
                callback = ValidationStop(val_spec, int(hp["eval_every"]), self.patience, recurrent)
            model.learn(total_timesteps=int(hp["total_timesteps"]), callback=callback)
            entry: dict[str, Any] = {"seed": member_seed, "steps": int(model.num_timesteps)}
            if callback is not None:
                callback.evaluate()  # the final model competes too
                if callback.best_state is not None:
                    model.policy.load_state_dict(callback.best_state)
                entry |= {
                    "best_validation_sharpe": callback.best,
                    "best_step": callback.best_step,
                    "stopped_early": callback.stopped_early,
                    "evaluations": len(callback.history),
                }
            entry["fit_cpu_seconds"] = time.process_time() - t0
            vec.close()
            model.env = None  # the trained model keeps no env (and no replay buffer is saved)
            members.append(Member(model, recurrent))
            report.append(entry)
        self._members = members
        self.env_config_ = obs_cfg
        self.fit_report_ = report
        self.train_window_ = data.window
        return self

    @property
    def models_(self) -> list[BaseAlgorithm]:
        """The trained members."""
        self._check_fitted()
        return [m.model for m in self._members]

    # ------------------------------------------------------------------ acting
    def begin_episode(self) -> None:
        """Reset the recurrent states."""
        for m in self._members:
            m.reset()

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """The members' deterministic actions, averaged."""
        self._check_fitted()
        x = np.asarray(obs, dtype=np.float32)
        if x.shape != (len(self.observation_columns_),):
            raise ConfigError(
                f"`obs` must have shape ({len(self.observation_columns_)},) as in training, "
                f"got {x.shape}"
            )
        torch.set_num_threads(1)
        actions = [m.predict(x) for m in self._members]
        action = np.mean(actions, axis=0) if len(actions) > 1 else actions[0]
        if self.output == "action":
            return action
        return self._policy_spec().to_weights(np.asarray(action, dtype=np.float64))

    def _policy_spec(self) -> ActionSpec:
        """The action map of the training env (the policy's own action space)."""
        d = self.action_spec_
        return ActionSpec(
            mode=d["mode"],
            n_assets=int(d["n_assets"]),
            allow_cash=bool(d["allow_cash"]),
            max_weight=float(d["max_weight"]),
            max_gross=float(d["max_gross"]),
            benchmark=np.asarray(d["benchmark"], dtype=np.float64),
            max_deviation=float(d["max_deviation"]),
            tilt_long_only=bool(d["tilt_long_only"]),
        )

    # ------------------------------------------------------------------ persistence
    _KIND = "factorgym.agents.sb3_agent.SB3Allocator"

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Save to a new folder: ``allocator.json`` (verified manifest) and one zip per member.

        Raises
        ------
        OutputError
            If ``path`` exists and ``overwrite`` is false, or cannot be written.
        NotFittedError
            Before :meth:`fit`.
        """
        self._check_fitted()
        files: dict[str, bytes] = {}
        members = []
        for i, m in enumerate(self._members):
            buf = io.BytesIO()
            m.model.save(buf)
            data = buf.getvalue()
            fname = f"member_{i}.zip"
            files[fname] = data
            members.append({"file": fname, "sha256": sha256_bytes(data)})
        state = {
            "members": members,
            "observation_columns_": list(self.observation_columns_),
            "action_spec_": self.action_spec_,
            "env_config_": self.env_config_,
            "fit_report_": self.fit_report_,
            "train_window_": list(self.train_window_),
        }
        files["allocator.json"] = document_bytes(
            self._KIND, {"params": self.get_params(), "state": state}
        )
        write_folder(path, files, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SB3Allocator:
        """Load a folder written by :meth:`save`, verifying the manifest and every zip.

        Raises
        ------
        DataError
            If a file is missing, changed or damaged.
        """
        folder = Path(path)
        if not folder.is_dir():
            raise DataError(f"saved allocator {folder} must be a folder written by save()")
        body = read_document(folder / "allocator.json", cls._KIND)
        params = dict(body["params"])
        obj = cls(**params)
        state = body["state"]
        algo_cls = _algo_class(obj.algo)
        recurrent = obj.algo == "recurrent_ppo"
        members = []
        for entry in state["members"]:
            data = read_verified_file(folder / entry["file"], entry["sha256"])
            members.append(Member(algo_cls.load(io.BytesIO(data), device="cpu"), recurrent))
        obj._members = members
        obj.observation_columns_ = tuple(state["observation_columns_"])
        obj.action_spec_ = dict(state["action_spec_"])
        env_cfg = dict(state["env_config_"])
        if "normalize_window" in env_cfg:
            env_cfg["normalize_window"] = tuple(env_cfg["normalize_window"])
        obj.env_config_ = env_cfg
        obj.fit_report_ = [dict(r) for r in state["fit_report_"]]
        obj.train_window_ = tuple(state["train_window_"])
        return obj


def _action_spec_dict(spec: Any) -> dict[str, Any]:
    return {
        "mode": spec.mode,
        "n_assets": int(spec.n_assets),
        "allow_cash": bool(spec.allow_cash),
        "max_weight": float(spec.max_weight),
        "max_gross": float(spec.max_gross),
        "max_deviation": float(spec.max_deviation),
        "tilt_long_only": bool(spec.tilt_long_only),
        "benchmark": tuple(float(v) for v in spec.benchmark),
    }
