"""Plumbing shared by the feature builders: panel checks, column choice and caching (private)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from factorgym._typing import FloatArray
from factorgym.errors import ConfigError, DataError
from factorgym.feature_cache import FeatureCache
from factorgym.panel import FactorPanel
from factorgym.validation import check_cache

# Part of every cache key: bump when a builder's output changes for the same parameters, so
# frames cached on disk by an older version are not reused.
FEATURE_VERSION = 1


def check_panel(panel: object) -> FactorPanel:
    """Return ``panel``, or raise ``DataError`` unless it is a ``FactorPanel``."""
    if not isinstance(panel, FactorPanel):
        raise DataError(f"`panel` must be a factorgym.FactorPanel, got {type(panel).__name__}")
    return panel


def check_columns(columns: object) -> tuple[str, ...] | None:
    """``columns`` as a tuple of names, or ``None`` (all); ``ConfigError`` otherwise."""
    if columns is None:
        return None
    names = (columns,) if isinstance(columns, str) else columns
    if not isinstance(names, Sequence) or not names or not all(isinstance(c, str) for c in names):
        raise ConfigError(
            f"`columns` must be None or a non-empty sequence of asset names, got {columns!r}"
        )
    return tuple(names)


def panel_columns(
    panel: FactorPanel, columns: tuple[str, ...] | None
) -> tuple[FactorPanel, FloatArray]:
    """The panel restricted to ``columns`` (all if ``None``) and its returns array.

    Raises
    ------
    UnknownAssetError
        For a name that is not in the panel.
    """
    sub = panel if columns is None else panel.select(list(columns))
    return sub, sub.returns


def month_frame(panel: FactorPanel, data: dict[str, FloatArray]) -> pd.DataFrame:
    """Float64 frame indexed by the panel's months (``PeriodIndex`` named ``month``)."""
    frame = pd.DataFrame(data, index=panel.months.copy())
    frame.index.name = "month"
    return frame.astype("float64")


def cached_frame(
    cache: object,
    builder: str,
    params: dict[str, object],
    panel: FactorPanel,
    compute: Callable[[], pd.DataFrame],
) -> pd.DataFrame:
    """``compute()``, through ``cache`` when one is given.

    The key is exactly what the frame depends on: the panel's content hash, the builder, its
    parameters, the window of months (first and last) and :data:`FEATURE_VERSION`.
    """
    store: FeatureCache | None = check_cache(cache)
    if store is None:
        return compute()
    return store.get_or_compute(
        compute,
        panel=panel.content_hash,
        builder=builder,
        params=params,
        window=[str(panel.start), str(panel.end)],
        version=FEATURE_VERSION,
    )
