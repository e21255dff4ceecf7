"""The `Allocator` protocol, the feasible set an allocator's weights live in, and a base class.

Every allocator -- 1/N, a rolling tangency portfolio, a PPO policy -- is one object with:

- ``name`` (``"equal_weight"``, ``"ppo"``), ``output`` (``"weights"``: target weights, which the
  harness passes through :class:`~factorgym.envs.TargetWeights`; ``"action"``: the env's raw
  action in ``[-1, 1]^n``) and ``contender`` (False for allocators that see information no
  investor has, such as the hindsight oracle: an upper bound, never a contender);
- ``params``: its parameters as a flat ``dict`` of scalars, for the trial ledger;
- ``fit(train_env_factory, *, validation_env_factory=None, seed=None)``: learn from the training
  months only (the spec's ``config.window``); rules without fitted state return ``self``;
- ``act(obs, info)``: target weights (or an action) at the end of month ``t``; baselines read the
  past only through ``info["history"]`` (:class:`~factorgym.envs.MarketHistory`, rows up to
  ``t``), which :func:`~factorgym.agents.run_allocator` puts there before every call.

:class:`BaseAllocator` adds what the harness uses beyond the protocol: :meth:`weight_bounds` (the
feasible set the weights live in, checked against the env's action mode before the first step),
:meth:`begin_episode` (reset per-episode state), :attr:`env_overrides` (observation settings the
allocator was trained with) and ``save``/``load`` in data formats (:mod:`.persistence`).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import numpy as np

from factorgym.envs.action_maps import ActionSpec
from factorgym.envs.env_spec import EnvSpec
from factorgym.errors import ConfigError
from factorgym.validation import check_seed, fail

__all__ = [
    "OBSERVATION_OVERRIDES",
    "Allocator",
    "BaseAllocator",
    "Scalar",
    "WeightBounds",
    "check_fit_args",
    "check_spec",
    "flatten_params",
]

Scalar = bool | int | float | str | None

#: EnvConfig fields an allocator may ask the harness to set: observation settings only, so that
#: returns, costs and constraints stay those of the spec every allocator is evaluated on.
OBSERVATION_OVERRIDES = ("normalize", "normalize_window")


@runtime_checkable
class Allocator(Protocol):
    """What the harness and the experiments runner need from any allocator."""

    name: str
    output: Literal["weights", "action"]
    contender: bool

    @property
    def params(self) -> dict[str, Scalar]:
        """Parameters as a flat dict of scalars (for the trial ledger)."""
        ...

    def fit(
        self,
        train_env_factory: EnvSpec,
        *,
        validation_env_factory: EnvSpec | None = None,
        seed: int | None = None,
    ) -> Allocator:
        """Learn from the training months (the spec's ``config.window``); returns self."""
        ...

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """Target weights (``output="weights"``) or an action, at the end of month ``t``."""
        ...


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> dict[str, Scalar]:
    """Flatten nested parameters into ``{"a": 1, "b.c": 2.0, "w[0]": 0.5}`` with scalar values.

    Arrays and sequences are indexed (``name[i]``), mappings dotted, anything else becomes its
    ``repr``.
    """
    out: dict[str, Scalar] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten_params(value, prefix=f"{name}."))
        elif isinstance(value, (list, tuple, np.ndarray)):
            for i, v in enumerate(np.asarray(value, dtype=object).ravel()):
                out.update(flatten_params({f"{name}[{i}]": v}))
        elif isinstance(value, (np.generic,)):
            out[name] = value.item()
        elif value is None or isinstance(value, (bool, int, float, str)):
            out[name] = value
        else:
            out[name] = repr(value)
    return out


@dataclass(frozen=True)
class WeightBounds:
    """The set an allocator's target weights always lie in (what it needs from the env).

    Attributes
    ----------
    nonnegative : bool
        Every weight is ``>= 0``.
    max_weight : float
        Largest ``|w_k|`` the allocator produces.
    max_gross : float
        Largest ``sum_k |w_k|``.
    fully_invested : bool
        ``sum_k w_k = 1`` always (no cash position).
    """

    nonnegative: bool
    max_weight: float
    max_gross: float
    fully_invested: bool = False

    def mismatches(self, spec: ActionSpec) -> list[str]:
        """What the env's action mode cannot hold (empty if every such weight is feasible)."""
        tol = 1e-12
        if spec.mode == "long_only":
            out = []
            if not self.nonnegative:
                out.append("it produces negative weights (needs action_mode='long_short')")
            if self.max_gross > 1.0 + tol:
                out.append(
                    f"its weights sum to up to {self.max_gross:g} > 1 (needs "
                    f"action_mode='long_short' with max_gross >= {self.max_gross:g})"
                )
            if not spec.allow_cash and not self.fully_invested:
                out.append("it holds cash (needs allow_cash=True)")
            return out
        if spec.mode == "long_short":
            out = []
            if self.max_weight > spec.max_weight + tol:
                out.append(f"needs max_weight >= {self.max_weight:g}, env has {spec.max_weight:g}")
            if self.max_gross > spec.max_gross + tol:
                out.append(f"needs max_gross >= {self.max_gross:g}, env has {spec.max_gross:g}")
            return out
        return [f"its weights are not tilts around a benchmark (action_mode={spec.mode!r})"]


class BaseAllocator:
    """Shared plumbing of allocators: parameters, feasibility, persistence.

    Subclasses set ``name``, ``output`` and ``contender``, store their constructor arguments
    under the same names (sklearn style; :meth:`get_params` reads them back), implement
    :meth:`act` and, for ``output="weights"``, :meth:`weight_bounds`; fitted rules override
    :meth:`fit`, :meth:`_fitted_state` and :meth:`_restore_state`.
    """

    name: str = "allocator"
    output: Literal["weights", "action"] = "weights"
    contender: bool = True
    #: True when :meth:`act` needs :meth:`fit` first.
    requires_fit: ClassVar[bool] = False

    # ------------------------------------------------------------------ parameters
    def get_params(self) -> dict[str, Any]:
        """Constructor arguments as stored on the instance."""
        sig = inspect.signature(type(self).__init__)
        return {
            p: getattr(self, p)
            for p in sig.parameters
            if p != "self" and sig.parameters[p].kind is not inspect.Parameter.VAR_KEYWORD
        }

    @property
    def params(self) -> dict[str, Scalar]:
        """Parameters as a flat dict of scalars (for the trial ledger)."""
        return flatten_params(self.get_params())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------------ harness hooks
    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """The set the target weights lie in, for a panel of ``n_assets`` assets."""
        raise NotImplementedError(f"{type(self).__name__} must define weight_bounds()")

    @property
    def env_overrides(self) -> dict[str, Any]:
        """Observation settings (:data:`OBSERVATION_OVERRIDES`) the env must use; none here."""
        return {}

    def check_env(self, env: Any) -> None:
        """Refuse an env whose action mode cannot hold this allocator's weights.

        Raises
        ------
        ConfigError
            Naming the allocator, what it needs and what the env has.
        """
        if self.output != "weights":
            return
        spec = env.unwrapped.action_spec
        problems = self.weight_bounds(spec.n_assets).mismatches(spec)
        if problems:
            raise ConfigError(
                f"allocator {self.name!r} cannot run in this env (action_mode={spec.mode!r}, "
                f"allow_cash={spec.allow_cash}, max_weight={spec.max_weight:g}, "
                f"max_gross={spec.max_gross:g}): " + "; ".join(problems)
            )

    def begin_episode(self) -> None:
        """Forget per-episode state (called by the harness before the first ``act``)."""

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        train_env_factory: EnvSpec,
        *,
        validation_env_factory: EnvSpec | None = None,
        seed: int | None = None,
    ) -> BaseAllocator:
        """Rules without fitted state only check their arguments."""
        check_fit_args(train_env_factory, validation_env_factory, seed)
        return self

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """Target weights or an action at the end of month ``t``."""
        raise NotImplementedError(f"{type(self).__name__} must define act()")

    # ------------------------------------------------------------------ persistence
    def _fitted_state(self) -> dict[str, Any]:
        """Fitted attributes to save (arrays, floats); empty for rules without state."""
        return {}

    def _restore_state(self, state: Mapping[str, Any]) -> None:
        """Set the fitted attributes saved by :meth:`_fitted_state`."""

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Save parameters and fitted state as one verified JSON document (atomic).

        Raises
        ------
        OutputError
            If ``path`` exists and ``overwrite`` is false, or cannot be written.
        NotFittedError
            If the rule needs fitting and was not fitted.
        """
        from factorgym.agents.persistence import write_document

        state = self._fitted_state()
        write_document(
            path,
            f"{type(self).__module__}.{type(self).__qualname__}",
            {"params": self.get_params(), "state": state},
            overwrite=overwrite,
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BaseAllocator:
        """Load an allocator saved by :meth:`save` (format, class and SHA-256 verified).

        Raises
        ------
        DataError
            If the file is missing, damaged, or holds another class.
        """
        from factorgym.agents.persistence import read_document

        body = read_document(path, f"{cls.__module__}.{cls.__qualname__}")
        obj = cls(**body["params"])
        obj._restore_state(body["state"])
        return obj


def check_fit_args(
    train: object, validation: object, seed: object
) -> tuple[EnvSpec, EnvSpec | None, int | None]:
    """The arguments of ``fit``, checked: two specs (the second optional) and a seed.

    Raises
    ------
    ConfigError
        Naming the bad argument.
    """
    spec = check_spec("train_env_factory", train)
    val = None if validation is None else check_spec("validation_env_factory", validation)
    return spec, val, check_seed("seed", seed)


def check_spec(name: str, value: object) -> EnvSpec:
    """``value`` if it is an :class:`EnvSpec`; ``ConfigError`` otherwise."""
    if not isinstance(value, EnvSpec):
        raise fail(name, "an EnvSpec (panel, features, config)", type(value).__name__)
    return value
