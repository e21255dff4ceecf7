"""Small allocators for the experiments tests: fast, deterministic, each exercising one path.

They implement the Allocator protocol of `factorgym.agents` (name, output, contender, params,
fit, act) and run through the real `factorgym.agents.run_allocator`. The folder holding this
module is put on PYTHONPATH for CLI subprocesses and joblib/Ray workers, so that config kinds
such as "factorgym_standins:TrendFollower" import there too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from factorgym.envs.env_spec import EnvSpec
from factorgym.validation import check_real, check_real_sequence


# ---------------------------------------------------------------------- stand-in allocators
class _Base:
    output = "weights"
    contender = True

    def get_params(self) -> dict[str, Any]:
        return {}

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.get_params())

    def fit(
        self,
        train_env_factory: EnvSpec,
        *,
        validation_env_factory: EnvSpec | None = None,
        seed: int | None = None,
    ) -> Any:
        self.n_ = train_env_factory.panel.n_assets
        self.seed_ = seed
        return self


class FixedWeights(_Base):
    """Fixed target weights (1/N by default)."""

    name = "fixed_weights"
    contender = False

    def __init__(self, weights: tuple[float, ...] | None = None) -> None:
        if weights is not None:
            w = check_real_sequence("weights", weights, low=0.0)
            if sum(w) > 1.0 + 1e-12:
                from factorgym.validation import fail

                raise fail("weights", "non-negative numbers summing to <= 1", weights)
            weights = w
        self.weights = weights

    def get_params(self) -> dict[str, Any]:
        return {"weights": None if self.weights is None else list(self.weights)}

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        if self.weights is None:
            return np.full(self.n_, 1.0 / self.n_)
        return np.asarray(self.weights, dtype=np.float64)


class RandomWeights(_Base):
    """Dirichlet-random long-only weights from a generator seeded in `fit`."""

    name = "random_weights"

    def __init__(self, concentration: float = 1.0) -> None:
        self.concentration = check_real("concentration", concentration, low=0.0, low_open=True)

    def get_params(self) -> dict[str, Any]:
        return {"concentration": self.concentration}

    def begin_episode(self) -> None:
        self._rng = np.random.default_rng(self.seed_)

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        w = self._rng.dirichlet(np.full(self.n_, self.concentration))
        return w * 0.999  # strictly inside the budget


class TrendFollower(_Base):
    """Learns per-asset trailing-mean signs on the training window; saves its state as JSON."""

    name = "trend_follower"

    def __init__(self, learning_rate: float = 0.1, delay: float = 0.0) -> None:
        self.learning_rate = check_real("learning_rate", learning_rate, low=0.0, low_open=True)
        self.delay = check_real("delay", delay, low=0.0)

    def get_params(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "delay": self.delay}

    def fit(
        self,
        train_env_factory: EnvSpec,
        *,
        validation_env_factory: EnvSpec | None = None,
        seed: int | None = None,
    ) -> Any:
        super().fit(train_env_factory, validation_env_factory=validation_env_factory, seed=seed)
        if self.delay:
            time.sleep(self.delay)
        panel = train_env_factory.panel
        lo, hi = train_env_factory.config.window
        rows = panel.slice(lo, hi).returns
        # the training spec must not hold any month after the training window
        assert str(panel.end) == hi, (panel.end, hi)
        rng = np.random.default_rng(seed)
        score = rows.mean(axis=0) + self.learning_rate * 1e-3 * rng.standard_normal(rows.shape[1])
        w = np.clip(score, 0.0, None)
        self.weights_ = w / w.sum() if w.sum() > 0 else np.full(rows.shape[1], 1.0 / rows.shape[1])
        self.weights_ = self.weights_ * 0.999
        return self

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        return self.weights_

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"weights": self.weights_.tolist()}))


class RandomActions(_Base):
    """Raw env actions (output="action") drawn from a seeded generator."""

    name = "random_actions"
    output = "action"

    def begin_episode(self) -> None:
        self._rng = np.random.default_rng(self.seed_)

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        return self._rng.uniform(-1.0, 1.0, self.n_)


class NeedsLongShort(FixedWeights):
    """Refuses long-only envs in `check_env`, as the real BaseAllocator does."""

    name = "needs_long_short"

    def check_env(self, env: Any) -> None:
        from factorgym.errors import ConfigError

        mode = env.unwrapped.action_spec.mode
        if mode != "long_short":
            raise ConfigError(
                f"allocator 'needs_long_short' cannot run in this env (action_mode={mode!r}): "
                "it produces negative weights"
            )


class BadOutput(FixedWeights):
    """Claims an output the harness does not know."""

    name = "bad_output"
    output = "probabilities"


class FakePPO(RandomWeights):
    """Stands in for `ppo` in the shipped configs (takes their budget parameter)."""

    name = "fake_ppo"

    def __init__(self, total_timesteps: int = 1, concentration: float = 1.0) -> None:
        from factorgym.validation import check_int

        super().__init__(concentration)
        self.total_timesteps = check_int("total_timesteps", total_timesteps, minimum=1)

    def get_params(self) -> dict[str, Any]:
        return {"total_timesteps": self.total_timesteps, "concentration": self.concentration}


class FittedCheck(FixedWeights):
    """`check_env` needs fit first (as SB3Allocator's does): raises NotFittedError before."""

    name = "fitted_check"

    def check_env(self, env: Any) -> None:
        from factorgym.errors import NotFittedError

        if not hasattr(self, "n_"):
            raise NotFittedError("fitted_check is not fitted yet")


class FutureReader(_Base):
    """Reads month t+1 from the panel of its training spec (as a hindsight oracle does).

    With ``contender=False`` (a declared upper bound) the harness hands it the whole panel;
    as a contender it gets the panel cut at the training window's end, and fails.
    """

    name = "future_reader"
    requires_fit = False

    def __init__(self, contender: bool = False) -> None:
        self.contender = contender

    def get_params(self) -> dict[str, Any]:
        return {"contender": self.contender}

    def fit(self, train_env_factory: EnvSpec, **kwargs: Any) -> Any:
        super().fit(train_env_factory)
        self.panel_ = train_env_factory.panel
        return self

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        from factorgym.errors import DataError

        month = info["history"].month
        pos = self.panel_.months.get_loc(month) if month in self.panel_.months else 10**9
        if pos + 1 >= self.panel_.n_months:
            raise DataError(f"future_reader: no month after {month} in its panel")
        nxt = self.panel_.returns[pos + 1]
        w = np.zeros(self.n_)
        w[int(np.argmax(nxt))] = 1.0 if nxt.max() > 0 else 0.0
        return w

    def save(self, path: str | Path) -> None:  # never called: nothing fitted
        raise AssertionError("save() called on an allocator without fitted state")
