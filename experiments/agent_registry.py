"""From ``[agents.NAME]`` tables to allocator objects.

An agent's ``kind`` is either a name of :mod:`factorgym.agents`' registry -- a baseline of
``BASELINES`` (``"equal_weight"``, ``"dgu_tangency"``, ...) or an RL algorithm of ``RL_AGENTS``
(``"ppo"``, ..., built as ``SB3Allocator(kind, ...)``) -- or an import path
``"package.module:Class"`` (a user's own allocator, or a test's). The constructor receives the
table's other keys as keyword arguments; a key it does not take, or a value it refuses, is
reported with its key path (``agents.ppo.total_timesteps``).
"""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
from collections.abc import Mapping
from typing import Any

from factorgym.errors import ConfigError, FactorGymError
from factorgym.experiments.config import AgentConfig, prefixed

__all__ = ["PROTOCOL_MEMBERS", "available_kinds", "build_allocator", "resolve_kind"]

#: What the runner uses of an allocator.
PROTOCOL_MEMBERS = ("name", "output", "contender", "params", "fit", "act")


def available_kinds() -> list[str]:
    """Names of the allocators :mod:`factorgym.agents` registers (baselines, then RL agents)."""
    agents = importlib.import_module("factorgym.agents")
    baselines = getattr(agents, "BASELINES", {})
    return list(baselines) + list(getattr(agents, "RL_AGENTS", ()))


def _registered(kind: str) -> Any:
    """The factory of a registered kind (``None`` if it is not registered)."""
    agents = importlib.import_module("factorgym.agents")
    baselines = getattr(agents, "BASELINES", {})
    if isinstance(baselines, Mapping) and kind in baselines:
        return baselines[kind]
    if kind in getattr(agents, "RL_AGENTS", ()):
        # the class itself (not `make_allocator`), so that its signature can be checked
        return functools.partial(agents.SB3Allocator, kind)
    return None


def resolve_kind(kind: str, *, path: str) -> Any:
    """The class (or factory) an agent ``kind`` names.

    Raises
    ------
    ConfigError
        If ``kind`` names no allocator (the message lists the known kinds).
    """
    if ":" in kind:
        module_name, _, attr = kind.partition(":")
        try:
            obj: Any = importlib.import_module(module_name)
            for part in attr.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError, ValueError) as exc:
            raise ConfigError(
                f"`{path}.kind` must name an importable allocator 'package.module:Class', "
                f"got {kind!r} ({type(exc).__name__}: {exc})"
            ) from exc
        if not callable(obj):
            raise ConfigError(f"`{path}.kind` must name a class or factory, got {kind!r}")
        return obj
    factory = _registered(kind)
    if factory is None:
        known = available_kinds()
        close = difflib.get_close_matches(kind, known, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ConfigError(
            f"`{path}.kind` must be one of {known} or 'package.module:Class', got {kind!r}{hint}"
        )
    return factory


def _check_parameters(factory: Any, params: Mapping[str, Any], path: str) -> None:
    try:
        sig = inspect.signature(factory)
    except (TypeError, ValueError):  # builtins without a signature: let the call decide
        return
    takes = [
        p.name
        for p in sig.parameters.values()
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values()):
        return
    for key in params:
        if key not in takes:
            close = difflib.get_close_matches(key, takes, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ConfigError(
                f"`{path}.{key}` is not a parameter of this allocator (its parameters: "
                f"{', '.join(takes) or 'none'}){hint}"
            )


def _as_given(value: Any) -> Any:
    """A config value as TOML gave it (the config holds lists as tuples, tables frozen)."""
    if isinstance(value, tuple):
        return [_as_given(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _as_given(v) for k, v in value.items()}
    return value


def build_allocator(agent: AgentConfig) -> Any:
    """A new, unfitted allocator for ``agent``.

    Raises
    ------
    ConfigError
        For an unknown kind, an unknown parameter, a value the allocator refuses (the key path
        is named), or an object that lacks the Allocator protocol's members.
    """
    path = f"agents.{agent.name}"
    factory = resolve_kind(agent.kind, path=path)
    params = {k: _as_given(v) for k, v in agent.params.items()}
    _check_parameters(factory, params, path)
    try:
        allocator = factory(**params)
    except FactorGymError as exc:
        raise prefixed(exc, path) from exc
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"`{path}`: {type(exc).__name__}: {exc}") from exc
    missing = [m for m in PROTOCOL_MEMBERS if not hasattr(allocator, m)]
    if missing:
        raise ConfigError(
            f"`{path}.kind` {agent.kind!r} must build an Allocator (name, output, contender, "
            f"params, fit, act); it lacks {missing}"
        )
    if allocator.output not in ("weights", "action"):
        raise ConfigError(
            f"`{path}.kind` {agent.kind!r}: `output` must be 'weights' or 'action', "
            f"got {allocator.output!r}"
        )
    return allocator
