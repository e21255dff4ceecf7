"""RL agents and classical baseline allocators behind one Allocator protocol."""

from __future__ import annotations

if __name__ != "factorgym.agents":  # agents/ is not a package of its own
    raise ImportError(f"import factorgym.agents, not {__name__} (one import path per module)")

from typing import Any

__all__ = ["SB3VecEnv", "make_sb3_vec_env"]

_LAZY = {"SB3VecEnv": "sb3_vec_env", "make_sb3_vec_env": "sb3_vec_env"}


def __getattr__(name: str) -> Any:
    """Import the stable-baselines3 pieces only when asked for (they import torch)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"factorgym.agents.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
