"""Episode windows: which decision month an episode starts at and when it is truncated.

A decision at row ``t`` earns row ``t + 1``. The env's window of *earned* months maps to
decision rows ``[d_lo, d_hi]`` (:attr:`MarketData.decision_range`). An episode starting at
``t0`` is truncated when ``t`` reaches ``min(d_hi + 1, t0 + episode_length)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from factorgym._typing import IntArray
from factorgym.errors import ConfigError, DataError
from factorgym.panel import FactorPanel

__all__ = ["RESET_OPTIONS", "parse_start_option", "sample_starts", "stop_rows"]

RESET_OPTIONS = ("start", "reset_mask")


def _start_range(d_lo: int, d_hi: int, episode_length: int | None) -> tuple[int, int]:
    """Inclusive range of start rows for random starts (full-length episodes where possible)."""
    hi = d_hi if episode_length is None else d_hi - episode_length + 1
    return d_lo, max(d_lo, hi)


def sample_starts(
    rng: np.random.Generator,
    decision_range: tuple[int, int],
    episode_length: int | None,
    random_start: bool,
    size: int | None = None,
) -> Any:
    """Start rows: the window start, or uniform draws from ``rng`` (``size=None``: one int)."""
    lo, hi = _start_range(*decision_range, episode_length)
    if not random_start:
        return lo if size is None else np.full(size, lo, dtype=np.int64)
    if size is None:
        return int(rng.integers(lo, hi + 1))
    return rng.integers(lo, hi + 1, size=size).astype(np.int64)


def stop_rows(t0: Any, decision_range: tuple[int, int], episode_length: int | None) -> IntArray:
    """Row at which an episode started at ``t0`` (a row or an array of rows) is truncated."""
    start = np.asarray(t0, dtype=np.int64)
    end = decision_range[1] + 1
    if episode_length is None:
        return np.full(start.shape, end, dtype=np.int64)
    return np.minimum(start + episode_length, end)


def check_options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate reset options (``start``, ``reset_mask``); unknown keys raise ``ConfigError``."""
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise ConfigError(f"`options` must be a dict, got {type(options).__name__}")
    for key in options:
        if key not in RESET_OPTIONS:
            raise ConfigError(f"`options` keys must be among {RESET_OPTIONS}, got {key!r}")
    return dict(options)


def parse_start_option(value: Any, panel: FactorPanel, decision_range: tuple[int, int]) -> int:
    """Decision row of ``options["start"]``: the first month the episode *earns*.

    Raises
    ------
    ConfigError
        If the month is not a month or leaves the window.
    """
    try:
        earned = panel.month_position(value, name="options['start']")
    except DataError as exc:
        raise ConfigError(str(exc)) from exc
    t0 = earned - 1
    d_lo, d_hi = decision_range
    if not d_lo <= t0 <= d_hi:
        months = panel.months
        raise ConfigError(
            f"`options['start']` must lie in {months[d_lo + 1]}..{months[d_hi + 1]} (the env's "
            f"window of earned months), got {months[earned]}"
        )
    return t0
