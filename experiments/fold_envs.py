"""A fold's env factories: the train, validation and test windows as env specs.

Splitters work on *samples*; here a sample is a month an env can earn: every month after the
first month whose observation is complete (trailing statistics and every feature available).
Sample ``i`` is month ``earnable[i]``; a block of samples becomes an env window of earned months.

Each spec holds the panel and the feature frames **cut at the last month of its window**, so no
allocator can read a later month, even by mistake, while it is fitted (train spec), selected
(validation spec) or evaluated (test specs). The one exception is a CPCV test block that comes
before its training window: its spec runs to the training window's end, where the observation
normaliser is fitted (allocators act on the env's observation and ``env.history()``, which end at
the decision month). The observation normaliser, if the config asks for
one, is fitted on the training window's rows for all three.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from factorgym.envs.config import EnvConfig
from factorgym.envs.env_spec import EnvSpec
from factorgym.errors import DataError
from factorgym.experiments.folds import Fold, contiguous_segments
from factorgym.panel import FactorPanel

__all__ = ["FoldEnvs", "TestWindow", "earnable_months", "fold_envs"]


def earnable_months(
    panel: FactorPanel, features: Mapping[str, pd.DataFrame], env: EnvConfig
) -> pd.PeriodIndex:
    """Months an env over ``panel`` with these features and settings can earn.

    Every month after the first one whose observation is complete (the env refuses feature
    frames with holes after their warm-up, so these months are contiguous).
    """
    probe = EnvSpec(
        panel, features, env.replace(normalize=False, normalize_window=None, window=None)
    )
    first = int(probe().dynamics.market.first_obs)
    return panel.months[first + 1 :]


@dataclass(frozen=True, eq=False)
class TestWindow:
    """One contiguous test segment of a fold and the backtest path it belongs to."""

    spec: EnvSpec
    start: pd.Period
    end: pd.Period
    path: int


@dataclass(frozen=True, eq=False)
class FoldEnvs:
    """Env factories of one fold.

    Attributes
    ----------
    fold : Fold
        The sample positions.
    train : EnvSpec
        Training window (the longest contiguous training segment for CPCV).
    validation : EnvSpec or None
        Validation window, if the splitter holds one out.
    tests : tuple of TestWindow
        Test segments (one per CPCV test group; one for a walk-forward fold).
    train_window, validation_window : (Period, Period) or None
        Earned months of the train and validation specs.
    oracle_train : EnvSpec
        The training window over the WHOLE panel and feature frames: handed only to allocators
        that declare ``contender = False`` (upper bounds such as a hindsight oracle, which read
        the future by design and are never compared as strategies).
    """

    fold: Fold
    train: EnvSpec
    validation: EnvSpec | None
    tests: tuple[TestWindow, ...]
    train_window: tuple[pd.Period, pd.Period]
    validation_window: tuple[pd.Period, pd.Period] | None
    oracle_train: EnvSpec

    def windows(self) -> list[dict[str, object]]:
        """One row per window: fold, role, start, end, months, path (for the folds table)."""
        rows: list[dict[str, object]] = []
        lo, hi = self.train_window
        rows.append(_row(self.fold.index, "train", lo, hi, -1))
        if self.validation_window is not None:
            lo, hi = self.validation_window
            rows.append(_row(self.fold.index, "validation", lo, hi, -1))
        for t in self.tests:
            rows.append(_row(self.fold.index, "test", t.start, t.end, t.path))
        return rows


def _row(fold: int, role: str, lo: pd.Period, hi: pd.Period, path: int) -> dict[str, object]:
    return {
        "fold": fold,
        "role": role,
        "start": str(lo),
        "end": str(hi),
        "months": int(hi.ordinal - lo.ordinal + 1),
        "path": path,
    }


def _cut(
    panel: FactorPanel, features: Mapping[str, pd.DataFrame], end: pd.Period
) -> tuple[FactorPanel, dict[str, pd.DataFrame]]:
    """The panel and the feature frames up to ``end`` (inclusive)."""
    sub = panel.slice(None, end)
    n = sub.n_months
    frames = {name: frame.iloc[:n].copy() for name, frame in features.items()}
    return sub, frames


def fold_envs(
    panel: FactorPanel,
    features: Mapping[str, pd.DataFrame],
    env: EnvConfig,
    fold: Fold,
    earnable: pd.PeriodIndex,
    *,
    normalize: bool | None = None,
) -> FoldEnvs:
    """The train, validation and test specs of ``fold``.

    Parameters
    ----------
    panel : FactorPanel
        The whole sample.
    features : mapping of str to DataFrame
        Point-in-time frames aligned on ``panel.months``.
    env : EnvConfig
        Settings shared by every fold (its ``window`` is replaced).
    fold : Fold
        Sample positions (indices into ``earnable``).
    earnable : PeriodIndex
        :func:`earnable_months` of the panel.
    normalize : bool, optional
        Standardise observations with the training window's statistics (default:
        ``env.normalize``).
    """
    for name, frame in features.items():
        if len(frame) != panel.n_months:
            raise DataError(
                f"`features[{name!r}]` must have one row per panel month ({panel.n_months}), "
                f"got {len(frame)}"
            )
    segments = contiguous_segments(fold.train)
    if not segments:
        raise DataError(f"fold {fold.index} has no training months")
    lo, hi = max(segments, key=lambda s: (s[1] - s[0], s[0]))
    train_lo, train_hi = earnable[lo], earnable[hi]
    base: dict[str, object] = {"window": None}
    if env.normalize if normalize is None else normalize:
        base["normalize"] = True
        first_row = panel.months[panel.month_position(train_lo) - 1]
        base["normalize_window"] = (str(first_row), str(train_hi))
    cfg = env.replace(**base)

    def spec(lo_m: pd.Period, hi_m: pd.Period, *, evaluation: bool) -> EnvSpec:
        # CPCV: a test block before the training window still needs the training rows the
        # normaliser (the config's, or an allocator's own) is fitted on; the allocator acts on
        # the env's observation and history, which never go past the decision month.
        sub, frames = _cut(panel, features, max(hi_m, train_hi))
        changes: dict[str, object] = {"window": (str(lo_m), str(hi_m))}
        if evaluation:
            changes |= {"random_start": False, "episode_length": None}
        return EnvSpec(sub, frames, cfg.replace(**changes))

    train = spec(train_lo, train_hi, evaluation=False)
    validation = None
    val_window = None
    if fold.validation.size:
        v_lo, v_hi = earnable[int(fold.validation[0])], earnable[int(fold.validation[-1])]
        validation = spec(v_lo, v_hi, evaluation=True)
        val_window = (v_lo, v_hi)
    tests = tuple(
        TestWindow(spec(earnable[a], earnable[b], evaluation=True), earnable[a], earnable[b], p)
        for a, b, p in fold.test_path_segments()
    )
    oracle_train = EnvSpec(panel, dict(features), train.config)
    return FoldEnvs(fold, train, validation, tests, (train_lo, train_hi), val_window, oracle_train)
