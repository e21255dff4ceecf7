"""`FunctionAllocator`: any Gymnasium-compatible policy as an :class:`Allocator` in a few lines.

A cleanrl script's actor, an RLlib policy or a hand-written torch module maps an observation to
an action; wrap that function and it goes through :func:`~factorgym.agents.run_allocator` -- the
same env, costs and months as every baseline::

    import torch
    from factorgym.agents import FunctionAllocator, run_allocator

    actor = torch.nn.Sequential(torch.nn.Linear(n_obs, 16), torch.nn.Tanh(),
                                torch.nn.Linear(16, n_assets), torch.nn.Tanh())

    def policy(obs, info):
        with torch.no_grad():
            return actor(torch.as_tensor(obs)).numpy()

    rollout = run_allocator(FunctionAllocator(policy, name="my_actor"), test_spec)

(An RLlib policy: ``lambda obs, info: algo.compute_single_action(obs, explore=False)``.)
With ``output="weights"`` the function returns target weights instead, and must declare the
set they lie in (``bounds``) so the harness can refuse an env that cannot hold them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from factorgym.agents.base import BaseAllocator, Scalar, WeightBounds, flatten_params
from factorgym.errors import ConfigError
from factorgym.validation import check_bool, check_choice

__all__ = ["FunctionAllocator"]


class FunctionAllocator(BaseAllocator):
    """An allocator whose ``act`` is ``fn(obs, info)``.

    Parameters
    ----------
    fn : callable
        ``fn(obs, info) -> ndarray of shape (n_assets,)``.
    name : str
        Label in results.
    output : {"action", "weights"}
        What ``fn`` returns (default ``"action"``: the env's raw action in ``[-1, 1]^n``).
    bounds : WeightBounds, optional
        Required for ``output="weights"``: the set the weights lie in.
    params : mapping, optional
        Parameters to report in the trial ledger (flattened).
    contender : bool
        False for an upper bound.
    begin : callable, optional
        Called with no argument at the start of every episode (reset a recurrent state).
    """

    def __init__(
        self,
        fn: Callable[[np.ndarray, Mapping[str, Any]], Any],
        *,
        name: str = "function",
        output: str = "action",
        bounds: WeightBounds | None = None,
        params: Mapping[str, Any] | None = None,
        contender: bool = True,
        begin: Callable[[], None] | None = None,
    ) -> None:
        if not callable(fn):
            raise ConfigError(f"`fn` must be callable as fn(obs, info), got {type(fn).__name__}")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"`name` must be a non-empty str, got {name!r}")
        self.output = check_choice("output", output, ("action", "weights"))  # type: ignore[assignment]
        if self.output == "weights" and not isinstance(bounds, WeightBounds):
            raise ConfigError(
                "`bounds` must be a WeightBounds when output='weights' (the harness checks them "
                f"against the env's action mode), got {bounds!r}"
            )
        if begin is not None and not callable(begin):
            raise ConfigError(f"`begin` must be None or callable, got {type(begin).__name__}")
        self.fn = fn
        self.name = name
        self.bounds = bounds
        self._params = dict(params or {})
        self.contender = check_bool("contender", contender)
        self.begin = begin

    @property
    def params(self) -> dict[str, Scalar]:
        """The parameters given (flattened)."""
        return flatten_params(self._params)

    def __repr__(self) -> str:
        return f"FunctionAllocator({self.fn!r}, name={self.name!r}, output={self.output!r})"

    def weight_bounds(self, n_assets: int) -> WeightBounds:
        """The declared bounds (``output="weights"`` only)."""
        if self.bounds is None:
            raise ConfigError(f"{self.name!r} returns actions; it has no weight bounds")
        return self.bounds

    def begin_episode(self) -> None:
        """Call ``begin`` if given."""
        if self.begin is not None:
            self.begin()

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """``fn(obs, info)`` as a float64 array."""
        return np.asarray(self.fn(obs, info), dtype=np.float64)

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Not saved: a function is code (save the model it wraps with its own library).

        Raises
        ------
        ConfigError
            Always.
        """
        raise ConfigError(
            f"FunctionAllocator {self.name!r} wraps code, which is not saved as data; save the "
            "model it calls with its own library"
        )
