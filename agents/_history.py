"""How allocators read the past: the point-in-time history view and the training months.

``act`` reads ``info["history"]`` (rows up to the decision month ``t``). ``fit`` reads the
training months of its spec through the same env: :func:`training_data` runs the spec's
deterministic episode once and returns the history at its end (rows up to the last month the
window earns) together with the decision rows of the window, so a rule fitted on the training
window sees exactly the months an episode over that window would show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from factorgym._typing import FloatArray, IntArray
from factorgym.envs.env_spec import EnvSpec
from factorgym.envs.history import MarketHistory
from factorgym.errors import ConfigError, DataError

__all__ = [
    "TrainingData",
    "feature_columns",
    "feature_values",
    "history_of",
    "last_rows",
    "resolve_block",
    "training_data",
]


def history_of(info: Mapping[str, Any], who: str) -> MarketHistory:
    """``info["history"]``, or a ConfigError saying the allocator must run in the harness."""
    hist = info.get("history") if isinstance(info, Mapping) else None
    if not isinstance(hist, MarketHistory):
        raise ConfigError(
            f"`info['history']` must be the env's MarketHistory (allocator {who!r} reads the "
            "past only through it; run it with factorgym.agents.run_allocator), got "
            f"{type(hist).__name__}"
        )
    return hist


def last_rows(hist: MarketHistory, n: int, who: str) -> FloatArray:
    """The last ``n`` rows of excess returns (months ``t - n + 1 .. t``), shape ``(n, n_assets)``.

    Raises
    ------
    DataError
        If fewer than ``n`` months are available at the decision month.
    """
    if hist.n_months < n:
        raise DataError(
            f"allocator {who!r} needs {n} months of history at every decision month; "
            f"{hist.month} has only {hist.n_months} (start the env's window later)"
        )
    return np.asarray(hist.excess[hist.n_months - n :], dtype=np.float64)


@dataclass(frozen=True, eq=False)
class TrainingData:
    """The training window as an episode sees it.

    Attributes
    ----------
    history : MarketHistory
        Rows from the panel's start up to the last month the window earns.
    decision_rows : ndarray of int, shape (n_decisions,)
        Row positions (in ``history``) of the window's decision months; the month earned by a
        decision at row ``t`` is row ``t + 1``.
    """

    history: MarketHistory
    decision_rows: IntArray

    @property
    def decision_months(self) -> pd.PeriodIndex:
        """Decision months of the window."""
        return self.history.months[self.decision_rows]

    @property
    def window(self) -> tuple[str, str]:
        """First and last decision month, as strings (the observation normaliser's window)."""
        months = self.decision_months
        return str(months[0]), str(months[-1])


def training_data(spec: EnvSpec) -> TrainingData:
    """Run the spec's deterministic episode (every decision month of its window) and collect it.

    The actions hold the zero portfolio where the action mode allows it (the path does not
    matter: only the months are read, and an all-cash portfolio cannot be ruined).

    Raises
    ------
    DataError
        If the episode ends before the window does (it cannot with the cash portfolio).
    """
    env = spec.replace(random_start=False, episode_length=None)()
    env.reset(seed=0)
    aspec = env.action_spec
    if aspec.mode == "tilt" or (aspec.mode == "long_only" and not aspec.allow_cash):
        action = np.zeros(aspec.n_assets)
    else:
        action = aspec.to_action(np.zeros(aspec.n_assets))
    decisions: list[pd.Period] = []
    done = False
    while not done:
        _obs, _r, terminated, truncated, info = env.step(action)
        decisions.append(pd.Timestamp(info["decision_date"]).to_period("M"))
        if terminated:
            raise DataError(f"the training episode of {spec!r} terminated at {decisions[-1]}")
        done = truncated
    hist = env.history()
    rows = hist.months.get_indexer(pd.PeriodIndex(decisions, freq="M"))
    return TrainingData(history=hist, decision_rows=np.asarray(rows, dtype=np.int64))


def feature_columns(
    hist: MarketHistory, block: str, columns: tuple[str, ...] | None, prefix: str, who: str
) -> list[int]:
    """Positions of ``columns`` in feature block ``block``.

    The default (``columns=None``) takes the columns named ``{prefix}{i}`` with an integer
    ``i``, in order of ``i``.

    Raises
    ------
    ConfigError
        If the env has no such block or columns.
    """
    if block not in hist.feature_columns:
        raise ConfigError(
            f"allocator {who!r} reads feature block {block!r}; the env's blocks are "
            f"{sorted(hist.feature_columns)} (pass it in the EnvSpec's features)"
        )
    names = list(hist.feature_columns[block])
    if columns is None:
        picked = [c for c in names if c.startswith(prefix) and c[len(prefix) :].isdigit()]
        picked.sort(key=lambda c: int(c[len(prefix) :]))
        if not picked:
            raise ConfigError(
                f"allocator {who!r} needs columns '{prefix}0', '{prefix}1', ... in feature block "
                f"{block!r}, got {names}"
            )
        return [names.index(c) for c in picked]
    missing = [c for c in columns if c not in names]
    if missing:
        raise ConfigError(
            f"allocator {who!r}: columns {missing} are not in feature block {block!r} ({names})"
        )
    return [names.index(c) for c in columns]


def feature_values(hist: MarketHistory, block: str, cols: list[int], rows: Any, who: str) -> Any:
    """Values of feature block ``block``, columns ``cols``, at ``rows``; DataError on NaN."""
    values = np.asarray(hist.features[block][rows][..., cols], dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise DataError(
            f"allocator {who!r}: feature block {block!r} is missing (NaN) at a month it needs "
            f"(up to {hist.month}); start the window after the features begin"
        )
    return values


def resolve_block(
    hist: MarketHistory,
    block: str | None,
    who: str,
    *,
    has_column: str | None = None,
    names: tuple[str, ...] = (),
) -> str:
    """The feature block an allocator reads.

    ``block`` if given, else the env's only block that has the column ``has_column`` or is
    named one of ``names``.

    Raises
    ------
    ConfigError
        If no block, or more than one, qualifies.
    """
    if block is not None:
        return block
    found = [
        b
        for b, cols in hist.feature_columns.items()
        if (has_column is not None and has_column in cols) or b in names
    ]
    if len(found) != 1:
        what = f"a column {has_column!r}" if has_column is not None else f"a name in {names}"
        raise ConfigError(
            f"allocator {who!r} needs exactly one feature block with {what} (pass `block` to "
            f"choose); the env's blocks are {sorted(hist.feature_columns)}"
        )
    return found[0]
